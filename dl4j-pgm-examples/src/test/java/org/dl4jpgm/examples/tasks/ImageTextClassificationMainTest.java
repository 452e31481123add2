package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.testutil.Images;
import org.dl4jpgm.examples.features.ImageFeatureKind;
import org.dl4jpgm.examples.features.TextFeatureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ImageTextClassificationMain end to end on UPMC Food-101 written by the test: headerless
 * {@code texts/{train,test}_titles.csv} (quoted titles with commas, doubled quotes, non-ASCII) and real JPEGs under
 * {@code images/{train,test}/<class>/}, through the raw route with the model-free features (THUMBNAIL images,
 * TRIGRAM titles; the encoders' own tests cover MobileNetV2 and MiniLM).
 */
class ImageTextClassificationMainTest {

    private static final String[] CLASSES = {"apple_pie", "pho", "ramen"};
    private static final int[] COLOURS = {0xCC8844, 0x339966, 0x2244AA};

    @Test
    void trainsOnTheRawDistributionAndPrintsAccAndWeightedF1(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("food101");
        for (String part : new String[]{"train", "test"}) {
            StringBuilder csv = new StringBuilder();
            int n = part.equals("train") ? 8 : 3;
            for (int c = 0; c < CLASSES.length; c++) {
                for (int i = 0; i < n; i++) {
                    String file = CLASSES[c] + "_" + i + ".jpg";
                    csv.append(file).append(",\"").append(CLASSES[c].replace('_', ' ')).append(" recipe, \"\"best\"\" #")
                            .append(i).append(" \u2013 caf\u00e9\",").append(CLASSES[c]).append('\n');
                    Images.jpeg(data.resolve("images").resolve(part).resolve(CLASSES[c]).resolve(file),
                            COLOURS[c] + 0x050505 * (i % 3));
                }
            }
            Files.createDirectories(data.resolve("texts"));
            Files.write(data.resolve("texts").resolve(part + "_titles.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        }

        TaskTests.Captured c = new TaskTests.Captured();
        ImageTextClassificationOptions o = ImageTextClassificationOptions.parse(TaskTests.args(data,
                dir.resolve("out"), 18, "--image-features", "thumbnail", "--text-features", "trigram",
                "--validation-fraction", "0.25"));
        assertEquals(ImageFeatureKind.THUMBNAIL, o.getImageFeatures());
        assertEquals(TextFeatureKind.TRIGRAM, o.getTextFeatures());
        TaskReport r = ImageTextClassificationMain.run(o, c.out);

        String printed = c.text();
        System.out.print(printed);
        assertEquals(9, r.testExamples(), "every test row is scored");
        TaskTests.inRange(r, "ACC", 0, 1);
        TaskTests.inRange(r, "Weighted F1", 0, 1);
        assertEquals(List.of("ACC", "Weighted F1"), List.copyOf(r.cells().keySet()));
        TaskTests.printedRow(printed, r);
        assertTrue(printed.contains("33 image-title pairs"), printed);
        assertTrue(printed.contains("image [192], text [256]; train 18, test 9"), "2 of 8 per class held out as valid\n"
                + printed);
        assertTrue(Files.isRegularFile(dir.resolve("out").resolve("layout").resolve("valid").resolve("labels.csv")));
    }
}

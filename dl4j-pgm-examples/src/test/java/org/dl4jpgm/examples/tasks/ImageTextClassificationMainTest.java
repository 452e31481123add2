package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.examples.features.ImageFeatureKind;
import org.dl4jpgm.examples.features.TextFeatureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ImageTextClassificationMain end to end on UPMC Food-101 written by {@link SampleDatasets#writeFood101} (3 classes,
 * 8 train and 3 test items per class): headerless {@code texts/{train,test}_titles.csv} (quoted titles with commas,
 * doubled quotes, non-ASCII) and real JPEGs under {@code images/{train,test}/<class>/}, through the raw route with the model-free features (THUMBNAIL images,
 * TRIGRAM titles; the encoders' own tests cover MobileNetV2 and MiniLM).
 */
class ImageTextClassificationMainTest {

    @Test
    void trainsOnTheRawDistributionAndPrintsAccAndWeightedF1(@TempDir Path dir) throws Exception {
        Path data = SampleDatasets.writeFood101(dir.resolve("food101"), 8, 3);

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

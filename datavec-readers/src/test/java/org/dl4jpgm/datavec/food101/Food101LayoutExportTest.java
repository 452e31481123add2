package org.dl4jpgm.datavec.food101;

import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.testutil.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class Food101LayoutExportTest {

    @TempDir
    Path root;

    @Test
    void exportsThreeSplitsWithFeatureFunctions() throws Exception {
        String[] classes = {"pho", "apple_pie"};
        for (String part : new String[]{"train", "test"}) {
            StringBuilder sb = new StringBuilder();
            for (String c : classes) {
                for (int i = 0; i < (part.equals("train") ? 4 : 1); i++) {
                    sb.append(c).append('_').append(i).append(".jpg,").append(c).append(" title ").append(i)
                            .append(',').append(c).append('\n');
                    Images.jpeg(root.resolve("images").resolve(part).resolve(c).resolve(c + "_" + i + ".jpg"), 0);
                }
            }
            Files.createDirectories(root.resolve("texts"));
            Files.write(root.resolve("texts").resolve(part + "_titles.csv"), sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        // image features: the digit in the file name; text features: its length and a NaN for one title
        SkipReport skipped = Food101LayoutExport.export(root,
                p -> new float[]{p.charAt(p.length() - 5) - '0', 1},
                t -> new float[]{t.equals("pho title 3") ? Float.NaN : t.length()},
                0.25, 3, root.resolve("out"), BadRecordPolicy.SKIP);
        LayoutReader r = new LayoutReader(root.resolve("out"));
        assertEquals(List.of("apple_pie", "pho"), r.descriptor().getClasses());
        SplitData train = r.readSplit("train");
        SplitData valid = r.readSplit("valid");
        SplitData test = r.readSplit("test");
        assertEquals(2, valid.size());
        assertEquals(8, train.size() + valid.size() + skipped.count(), "every train-file row is served or counted");
        Set<String> all = new HashSet<>(train.ids());
        all.addAll(valid.ids());
        assertEquals(train.size() + valid.size(), all.size(), "train and valid are disjoint");
        assertEquals(List.of("pho/pho_0.jpg", "apple_pie/apple_pie_0.jpg"), test.ids());
        assertEquals(List.of("pho", "apple_pie"), test.labels("label"));
        assertEquals("pho title 0".length(), test.features("text").getFloat(0, 0), 0f);
        assertEquals(1, skipped.count());
        assertTrue(skipped.reasons().get(0).contains("text features: expected finite feature values, found NaN"));
    }
}

package org.dl4jpgm.datavec.common;

import org.dl4jpgm.datavec.food101.Food101LayoutExport;
import org.dl4jpgm.datavec.meld.MeldLayoutExport;
import org.dl4jpgm.datavec.meld.UtteranceFeatures;
import org.dl4jpgm.datavec.mosi.MosiLayoutExport;
import org.dl4jpgm.datavec.testutil.Images;
import org.dl4jpgm.datavec.testutil.MatFixtures;
import org.dl4jpgm.datavec.testutil.MeldFixtures;
import org.dl4jpgm.datavec.testutil.MosiFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.dl4jpgm.datavec.wikipedia.WikipediaLayoutExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Under SKIP a split whose every record is skipped fails the export, naming the split and the count skipped. */
class EmptySplitAfterSkipsTest {

    @TempDir
    Path dir;

    @Test
    void meld() throws Exception {
        String[] files = {"train", "dev", "test"};
        Map<String, float[]> text = new LinkedHashMap<>();
        for (String f : files) {
            Files.write(dir.resolve(f + "_sent_emo.csv"), (MeldFixtures.HEADER
                    + MeldFixtures.row(1, "Hi", "Joey", "joy", "positive", 0, 0)
                    + MeldFixtures.row(2, "Oh.", "Ross", "neutral", "neutral", 0, 1)
                    + MeldFixtures.row(3, "No!", "Rachel", "anger", "negative", 1, 0)).getBytes(StandardCharsets.UTF_8));
        }
        text.put("dia0_utt0", new float[]{1});
        text.put("dia0_utt1", new float[]{2});
        text.put("dia1_utt0", new float[]{3});
        Map<String, java.util.List<UtteranceFeatures>> mods = Map.of("text", java.util.List.of(
                UtteranceFeatures.of(text), UtteranceFeatures.of(Map.of()), UtteranceFeatures.of(text)));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> MeldLayoutExport.exportPerSplit(dir, mods, dir.resolve("out"), BadRecordPolicy.SKIP));
        assertEquals(dir.resolve("dev_sent_emo.csv") + ", split 'valid': expected at least one record, found an empty "
                + "split after 3 record(s) skipped", e.getMessage());
    }

    @Test
    void food101() throws Exception {
        for (String part : new String[]{"train", "test"}) {
            StringBuilder sb = new StringBuilder();
            for (String c : new String[]{"pho", "ramen"}) {
                for (int i = 0; i < (part.equals("train") ? 4 : 1); i++) {
                    sb.append(c).append('_').append(i).append(".jpg,").append(part).append(" title,").append(c)
                            .append('\n');
                    Images.jpeg(dir.resolve("images").resolve(part).resolve(c).resolve(c + "_" + i + ".jpg"), 0);
                }
            }
            Files.createDirectories(dir.resolve("texts"));
            Files.write(dir.resolve("texts").resolve(part + "_titles.csv"), sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        DataFormatException e = assertThrows(DataFormatException.class, () -> Food101LayoutExport.export(dir,
                p -> new float[]{1}, t -> new float[]{t.startsWith("test") ? Float.NaN : 1}, 0.25, 3,
                dir.resolve("out"), BadRecordPolicy.SKIP));
        assertEquals(dir.resolve("texts/test_titles.csv") + ", split 'test': expected at least one record, found an "
                + "empty split after 2 record(s) skipped", e.getMessage());
    }

    @Test
    void wikipediaMat() throws Exception {
        Path mat = dir.resolve("raw_features.mat");
        Mat5.writeToFile(Mat5.newMatFile()
                .addArray("I_tr", MatFixtures.matrix(new double[][]{{1}, {2}}))
                .addArray("T_tr", MatFixtures.matrix(new double[][]{{1}, {2}}))
                .addArray("L_tr", MatFixtures.matrix(new double[][]{{1}, {2}}))
                .addArray("I_te", MatFixtures.matrix(new double[][]{{1}, {Double.NaN}}))
                .addArray("T_te", MatFixtures.matrix(new double[][]{{1}, {2}}))
                .addArray("L_te", MatFixtures.matrix(new double[][]{{11}, {3}})), mat.toFile());
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> WikipediaLayoutExport.fromMat(mat, dir.resolve("out"), BadRecordPolicy.SKIP));
        assertEquals(mat + ", split TEST: expected at least one record, found an empty split after 2 record(s) skipped",
                e.getMessage());
    }

    @Test
    void mosiPickle() throws Exception {
        Path pkl = dir.resolve("unaligned_50.pkl");
        Map<String, Object> root = MosiFixtures.file(MosiFixtures.split("", new double[]{1, 2}, new long[]{3, 2}));
        root.put("test", MosiFixtures.split("t", new double[]{9, -7}, new long[]{1, 1}));
        Pickle4Writer.write(pkl, root);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> MosiLayoutExport.fromPickle(pkl, dir.resolve("out"), BadRecordPolicy.SKIP));
        assertEquals(pkl.toAbsolutePath() + ", split 'test': expected at least one record, found an empty split after "
                + "2 record(s) skipped", e.getMessage());
    }
}

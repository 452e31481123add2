package org.dl4jpgm.datavec.meld;

import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MeldLayoutExportTest {

    @TempDir
    Path dir;

    /** The rows of {@link MeldCsvRecordReaderTest#ROWS} with dialogues 0 and 1 renumbered to {@code d0} and {@code d1}. */
    private static String rows(int d0, int d1) {
        return MeldCsvRecordReaderTest.ROWS.replace(",0,0,8,21,", "," + d0 + ",0,8,21,")
                .replace(",0,1,8,21,", "," + d0 + ",1,8,21,").replace(",1,0,8,21,", "," + d1 + ",0,8,21,");
    }

    @Test
    void csvsAndFeaturesToLayoutWithBothTargets() throws Exception {
        // one dict per modality for all splits: its keys must be unique over the splits, so each split has its own
        // dialogue ids here (train 0, 1; dev 2, 3; test 4, 5)
        String[] splits = {"train", "dev", "test"};
        Map<String, float[]> text = new LinkedHashMap<>();
        Map<String, float[]> audio = new LinkedHashMap<>();
        for (int s = 0; s < 3; s++) {
            Files.write(dir.resolve(splits[s] + "_sent_emo.csv"), (MeldCsvRecordReaderTest.HEADER + rows(2 * s, 2 * s + 1))
                    .getBytes(StandardCharsets.UTF_8));
            text.put("dia" + 2 * s + "_utt0", new float[]{1, 2});
            text.put("dia" + 2 * s + "_utt1", new float[]{3, 4});
            text.put("dia" + (2 * s + 1) + "_utt0", new float[]{5, 6});
            audio.put("dia" + 2 * s + "_utt0", new float[]{9});
            audio.put("dia" + (2 * s + 1) + "_utt0", new float[]{8});
        }
        Map<String, UtteranceFeatures> mods = new LinkedHashMap<>();
        mods.put("text", UtteranceFeatures.of(text));
        mods.put("audio", UtteranceFeatures.of(audio));
        assertThrows(DataFormatException.class,
                () -> MeldLayoutExport.export(dir, mods, dir.resolve("fail"), BadRecordPolicy.FAIL));
        SkipReport skipped = MeldLayoutExport.export(dir, mods, dir.resolve("out"), BadRecordPolicy.SKIP);
        assertEquals(3, skipped.count(), "dia<d>_utt1 lacks audio in each of the 3 splits");
        LayoutReader r = new LayoutReader(dir.resolve("out"));
        assertEquals(MeldLabel.EMOTION.classes(), r.descriptor().getClasses());
        SplitData valid = r.readSplit("valid");
        assertEquals(List.of("dia2_utt0", "dia3_utt0"), valid.ids());
        assertEquals(List.of("neutral", "anger"), valid.labels("label"));
        assertEquals(List.of("neutral", "negative"), valid.labels("sentiment"));
        assertEquals(6f, valid.features("text").getFloat(1, 1), 0f);
        assertEquals(8f, valid.features("audio").getFloat(1, 0), 0f);
    }

    /**
     * MELD's dialogue ids restart in every split: one dict for all splits would silently give dev's dia0_utt0 the
     * features of train's dia0_utt0. That is an error naming the key, both rows and the dict, also under SKIP.
     */
    @Test
    void oneDictWhoseKeysServeTwoSplitsIsAnErrorEvenUnderSkip() throws Exception {
        for (String s : new String[]{"train", "dev", "test"}) {
            Files.write(dir.resolve(s + "_sent_emo.csv"), (MeldCsvRecordReaderTest.HEADER + MeldCsvRecordReaderTest.ROWS)
                    .getBytes(StandardCharsets.UTF_8));
        }
        Map<String, float[]> f = new LinkedHashMap<>();
        for (String k : new String[]{"dia0_utt0", "dia0_utt1", "dia1_utt0"}) {
            f.put(k, new float[]{1, 2});
        }
        Map<String, UtteranceFeatures> mods = new LinkedHashMap<>();
        mods.put("text", UtteranceFeatures.of(f));
        mods.put("audio", UtteranceFeatures.of(f));
        for (BadRecordPolicy policy : BadRecordPolicy.values()) {
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> MeldLayoutExport.export(dir, mods, dir.resolve("out-" + policy), policy));
            assertTrue(e.getMessage().startsWith(dir.resolve("dev_sent_emo.csv") + ", data row 1 (dia0_utt0)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("already gave dia0_utt0 to train_sent_emo.csv data row 1"), e.getMessage());
            assertTrue(e.getMessage().contains("(train, dev, test) tuple"), e.getMessage());
        }
    }

    /** A missing CSV is named and not created (DataVec's FileSplit would create it empty in the data folder). */
    @Test
    void missingCsvIsNamedAndNotCreated() throws Exception {
        Map<String, UtteranceFeatures> mods = Map.of("text", UtteranceFeatures.of(Map.of("dia0_utt0", new float[]{1})));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> MeldLayoutExport.export(dir, mods, dir.resolve("out"), BadRecordPolicy.SKIP));
        assertEquals(dir.resolve("train_sent_emo.csv") + ": expected MELD's train_sent_emo.csv, found nothing at that "
                + "path", e.getMessage());
        assertFalse(Files.exists(dir.resolve("train_sent_emo.csv")));
    }

    @Test
    void perSplitPicklesWithRepeatedKeysGoToTheirOwnSplits() throws Exception {
        for (String s : new String[]{"train", "dev", "test"}) {
            Files.write(dir.resolve(s + "_sent_emo.csv"), (MeldCsvRecordReaderTest.HEADER + MeldCsvRecordReaderTest.ROWS)
                    .getBytes(StandardCharsets.UTF_8));
        }
        // as MELD's baseline pickles: a (train, dev, test) tuple of dicts keyed "{D}_{U}", the keys repeating per split
        Object[] parts = new Object[3];
        for (int p = 0; p < 3; p++) {
            Map<String, Object> d = new LinkedHashMap<>();
            for (String k : new String[]{"0_0", "0_1", "1_0"}) {
                d.put(k, new Pickle4Writer.Nd("f4", new long[]{2}, new float[]{p, k.charAt(2) - '0'}));
            }
            parts[p] = d;
        }
        Path pkl = dir.resolve("text_emotion.pkl");
        Pickle4Writer.write(pkl, parts);
        DataFormatException merged = assertThrows(DataFormatException.class, () -> UtteranceFeatures.read(pkl));
        assertTrue(merged.getMessage().contains("readParts"), merged.getMessage());
        List<UtteranceFeatures> split = UtteranceFeatures.readParts(pkl);
        assertEquals(3, split.size());
        assertArrayEquals(new float[]{2, 1}, split.get(2).get("dia0_utt1"), 0f);
        Map<String, List<UtteranceFeatures>> mods = new LinkedHashMap<>();
        mods.put("text", split);
        mods.put("audio", split);
        MeldLayoutExport.exportPerSplit(dir, mods, dir.resolve("out"), BadRecordPolicy.FAIL);
        LayoutReader r = new LayoutReader(dir.resolve("out"));
        assertEquals(0f, r.readSplit("train").features("text").getFloat(1, 0), 0f);
        assertEquals(1f, r.readSplit("valid").features("text").getFloat(1, 0), 0f, "dev rows take the dev dict");
        assertEquals(2f, r.readSplit("test").features("audio").getFloat(2, 0), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MeldLayoutExport
                .exportPerSplit(dir, Map.of("text", split.subList(0, 2)), dir.resolve("bad"), BadRecordPolicy.FAIL));
        assertTrue(e.getMessage().contains("for 3 splits (train, dev, test), found 2"), e.getMessage());
    }
}

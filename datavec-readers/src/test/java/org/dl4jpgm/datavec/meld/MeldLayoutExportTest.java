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

    @Test
    void csvsAndFeaturesToLayoutWithBothTargets() throws Exception {
        for (String s : new String[]{"train", "dev", "test"}) {
            Files.write(dir.resolve(s + "_sent_emo.csv"), (MeldCsvRecordReaderTest.HEADER + MeldCsvRecordReaderTest.ROWS)
                    .getBytes(StandardCharsets.UTF_8));
        }
        Map<String, float[]> text = new LinkedHashMap<>();
        text.put("dia0_utt0", new float[]{1, 2});
        text.put("dia0_utt1", new float[]{3, 4});
        text.put("dia1_utt0", new float[]{5, 6});
        Map<String, float[]> audio = new LinkedHashMap<>();
        audio.put("dia0_utt0", new float[]{9});
        audio.put("dia1_utt0", new float[]{8});
        Map<String, UtteranceFeatures> mods = new LinkedHashMap<>();
        mods.put("text", UtteranceFeatures.of(text));
        mods.put("audio", UtteranceFeatures.of(audio));
        assertThrows(DataFormatException.class,
                () -> MeldLayoutExport.export(dir, mods, dir.resolve("fail"), BadRecordPolicy.FAIL));
        SkipReport skipped = MeldLayoutExport.export(dir, mods, dir.resolve("out"), BadRecordPolicy.SKIP);
        assertEquals(3, skipped.count(), "dia0_utt1 lacks audio in each of the 3 splits");
        LayoutReader r = new LayoutReader(dir.resolve("out"));
        assertEquals(MeldLabel.EMOTION.classes(), r.descriptor().getClasses());
        SplitData valid = r.readSplit("valid");
        assertEquals(List.of("dia0_utt0", "dia1_utt0"), valid.ids());
        assertEquals(List.of("neutral", "anger"), valid.labels("label"));
        assertEquals(List.of("neutral", "negative"), valid.labels("sentiment"));
        assertEquals(6f, valid.features("text").getFloat(1, 1), 0f);
        assertEquals(8f, valid.features("audio").getFloat(1, 0), 0f);
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

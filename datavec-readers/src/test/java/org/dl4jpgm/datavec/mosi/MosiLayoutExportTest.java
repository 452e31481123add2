package org.dl4jpgm.datavec.mosi;

import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.datavec.testutil.CsdWriter;
import org.dl4jpgm.datavec.testutil.MosiFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class MosiLayoutExportTest {

    @TempDir
    Path dir;

    @Test
    void alignedPickleToLayoutWritesTheAttentionMaskLengthsOfEveryModality() throws Exception {
        Path pkl = dir.resolve("aligned_50.pkl");
        Pickle4Writer.write(pkl, MosiFixtures.file(MosiFixtures.alignedSplit("", new double[]{2.0, -1.0},
                new long[]{2, 3})));
        MosiLayoutExport.fromPickle(pkl, dir.resolve("out"), BadRecordPolicy.FAIL);
        SplitData train = new LayoutReader(dir.resolve("out")).readSplit("train");
        for (String m : new String[]{"text", "audio", "vision"}) {
            assertArrayEquals(new int[]{2, 3}, train.lengths(m), m);
        }
    }

    @Test
    void unalignedPickleToLayoutKeepsValuesLengthsAndLabels() throws Exception {
        Path pkl = dir.resolve("unaligned_50.pkl");
        Pickle4Writer.write(pkl, MosiFixtures.file(MosiFixtures.split("", new double[]{2.0, 9.0, -1.0},
                new long[]{3, 2, 1})));
        SkipReport skipped = MosiLayoutExport.fromPickle(pkl, dir.resolve("out"), BadRecordPolicy.SKIP);
        assertEquals(1, skipped.count(), "the label 9.0 is out of range and counted");
        LayoutReader r = new LayoutReader(dir.resolve("out"));
        assertEquals(TaskType.REGRESSION, r.descriptor().getTask());
        SplitData train = r.readSplit("train");
        assertEquals(List.of("vid0$_$1", "vid2$_$3"), train.ids());
        assertEquals(List.of("2.0", "-1.0"), train.labels("label"));
        assertArrayEquals(new long[]{2, MosiFixtures.STEPS, 2}, train.features("audio").shape());
        assertArrayEquals(new int[]{3, 1}, train.lengths("audio"));
        assertEquals(MosiFixtures.value(1, 2, 0, 1), train.features("audio").getFloat(1, 0, 1), 0f);
        assertEquals(0f, train.features("audio").getFloat(1, 1, 1), 0f, "padding after the true length");
        assertEquals(MosiFixtures.value(0, 2, 2, 3), train.features("text").getFloat(1, 2, 3), 0f);
        assertEquals(2, r.readSplit("test").size());
        assertEquals(1, r.readSplit("valid").size());
    }

    @Test
    void csdToLayoutPadsToTheLongestSegmentOverAllFolds() throws Exception {
        Map<String, CsdWriter.Video> lab = new LinkedHashMap<>();
        lab.put("vidA", new CsdWriter.Video(new double[][]{{1.5}, {-2.0}}, new double[][]{{0, 1}, {1, 2}}));
        lab.put("vidB", new CsdWriter.Video(new double[][]{{0.25}}, new double[][]{{0, 1}}));
        CsdWriter.write(dir.resolve("CMU_MOSI_Opinion_Labels.csd"), "CMU_MOSI_Opinion_Labels", lab, Map.of(), false);
        Map<String, CsdWriter.Video> cov = new LinkedHashMap<>();
        cov.put("vidA", new CsdWriter.Video(new double[][]{{1}, {2}, {3}}, new double[][]{{0, 0.5}, {0.5, 1}, {1, 2}}));
        cov.put("vidB", new CsdWriter.Video(new double[][]{{7}}, new double[][]{{0, 1}}));
        CsdWriter.write(dir.resolve("CMU_MOSI_COVAREP.csd"), "CMU_MOSI_COVAREP", cov, Map.of(), false);
        Map<String, Set<String>> folds = new LinkedHashMap<>();
        folds.put("train", Set.of("vidA"));
        folds.put("test", Set.of("vidB"));
        MosiLayoutExport.fromCsd(dir, Map.of("audio", "CMU_MOSI_COVAREP.csd"), folds, dir.resolve("out"),
                BadRecordPolicy.FAIL);
        LayoutReader r = new LayoutReader(dir.resolve("out"));
        SplitData train = r.readSplit("train");
        assertEquals(List.of("vidA[0]", "vidA[1]"), train.ids());
        assertArrayEquals(new int[]{2, 1}, train.lengths("audio"));
        assertEquals(3f, train.features("audio").getFloat(1, 0, 0), 0f);
        SplitData test = r.readSplit("test");
        assertArrayEquals(new long[]{1, 2, 1}, test.features("audio").shape(), "padded to the longest of all folds");
        assertEquals(List.of("0.25"), test.labels("label"));
    }
}

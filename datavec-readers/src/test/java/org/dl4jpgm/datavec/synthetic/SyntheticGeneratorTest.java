package org.dl4jpgm.datavec.synthetic;

import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticGeneratorTest {

    @TempDir
    Path tmp;

    static SyntheticConfig config(long seed) {
        return SyntheticConfig.builder()
                .seed(seed)
                .modality(SyntheticModality.builder("a").width(8).build())
                .modality(SyntheticModality.builder("b").width(6).sequence(5, 2).nuisanceDims(2).build())
                .modality(SyntheticModality.builder("c").width(4).sequence(3).build())
                .uniClasses(3)
                .pairedClasses(2)
                .pairedModalities(0, 1)
                .noise(0.5)
                .build();
    }

    private static List<MultiDataSet> epoch(SyntheticMultiDataSetIterator it) {
        List<MultiDataSet> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static INDArray concat(List<MultiDataSet> batches, int input) {
        return Nd4j.concat(0, batches.stream().map(m -> m.getFeatures(input)).toArray(INDArray[]::new));
    }

    @Test
    void sameSeedSameData_otherSeedOtherData_independentOfBatchSize() {
        SyntheticMultiDataSetIterator a = new SyntheticMultimodalGenerator(config(1)).iterator(0, 50, 16, "mixed", "paired");
        SyntheticMultiDataSetIterator b = new SyntheticMultimodalGenerator(config(1)).iterator(0, 50, 7, "mixed", "paired");
        SyntheticMultiDataSetIterator c = new SyntheticMultimodalGenerator(config(2)).iterator(0, 50, 16, "mixed", "paired");
        List<MultiDataSet> ea = epoch(a);
        List<MultiDataSet> eb = epoch(b);
        assertEquals(4, ea.size());
        assertEquals(8, eb.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(concat(ea, i), concat(eb, i), "modality " + i);
        }
        assertNotEquals(concat(ea, 0), concat(epoch(c), 0));
        a.reset();
        List<MultiDataSet> again = epoch(a);
        for (int i = 0; i < ea.size(); i++) {
            assertEquals(ea.get(i).getFeatures(1), again.get(i).getFeatures(1));
            assertEquals(ea.get(i).getLabels(0), again.get(i).getLabels(0));
        }
        // another stream (split) gives other examples
        assertNotEquals(concat(ea, 0), concat(epoch(new SyntheticMultimodalGenerator(config(1)).iterator(1, 50, 16)), 0));
    }

    @Test
    void shapesMasksAndNuisanceChannels() {
        MultiDataSet m = new SyntheticMultimodalGenerator(config(3)).iterator(0, 40, 40, "mixed", "uni_b").next();
        assertArrayEquals(new long[]{40, 8}, m.getFeatures(0).shape());
        assertArrayEquals(new long[]{40, 6, 5}, m.getFeatures(1).shape());
        assertArrayEquals(new long[]{40, 4, 3}, m.getFeatures(2).shape());
        assertNull(m.getFeaturesMaskArray(0));
        assertNull(m.getFeaturesMaskArray(2));
        INDArray mask = m.getFeaturesMaskArray(1);
        assertArrayEquals(new long[]{40, 5}, mask.shape());
        boolean sawShort = false;
        for (int i = 0; i < 40; i++) {
            int len = mask.getRow(i).sumNumber().intValue();
            assertTrue(len >= 2 && len <= 5, "length " + len);
            sawShort |= len < 5;
            for (int t = 0; t < 5; t++) {
                assertEquals(t < len ? 1f : 0f, mask.getFloat(i, t), 0f);
                if (t >= len) {
                    assertEquals(0.0, m.getFeatures(1).get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                            org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t)).norm2Number().doubleValue(), 0.0);
                }
            }
        }
        assertTrue(sawShort);
        assertArrayEquals(new long[]{40, 6}, m.getLabels(0).shape()); // mixed: 3 uni classes x 2 paired
        assertArrayEquals(new long[]{40, 3}, m.getLabels(1).shape());
        assertEquals(40.0, m.getLabels(0).sumNumber().doubleValue(), 0.0);
        // nuisance channels (the last 2 of b) vary much more than the noise (std 0.5) across examples
        double nuisanceStd = m.getFeatures(1).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(5), org.nd4j.linalg.indexing.NDArrayIndex.point(0)).stdNumber().doubleValue();
        assertTrue(nuisanceStd > 1.5, "nuisance std " + nuisanceStd);
    }

    @Test
    void pairedTargetNeedsBothModalities_uniTargetNeedsOnlyItsOwn() {
        SyntheticMultimodalGenerator g = new SyntheticMultimodalGenerator(config(11));
        int nTrain = 3000;
        int nTest = 800;
        Pooled train = Pooled.of(g, 0, nTrain);
        Pooled test = Pooled.of(g, 2, nTest);
        double pairedA = Knn.accuracy(train.x(0), train.y("paired"), test.x(0), test.y("paired"), 15);
        double pairedB = Knn.accuracy(train.x(1), train.y("paired"), test.x(1), test.y("paired"), 15);
        double pairedC = Knn.accuracy(train.x(2), train.y("paired"), test.x(2), test.y("paired"), 15);
        double pairedAB = Knn.accuracy(train.x(0, 1), train.y("paired"), test.x(0, 1), test.y("paired"), 15);
        double uniAfromA = Knn.accuracy(train.x(0), train.y("uni_a"), test.x(0), test.y("uni_a"), 15);
        double uniAfromB = Knn.accuracy(train.x(1), train.y("uni_a"), test.x(1), test.y("uni_a"), 15);
        System.out.printf("paired: a %.3f, b %.3f, c %.3f, a+b %.3f (chance 0.5); uni_a: from a %.3f, from b %.3f (chance 0.333)%n",
                pairedA, pairedB, pairedC, pairedAB, uniAfromA, uniAfromB);
        // one modality alone: near chance (0.5); 800 test examples -> std of the accuracy ~0.018
        assertTrue(Math.abs(pairedA - 0.5) < 0.07, "paired from a alone: " + pairedA);
        assertTrue(Math.abs(pairedB - 0.5) < 0.07, "paired from b alone: " + pairedB);
        assertTrue(Math.abs(pairedC - 0.5) < 0.07, "paired from c alone: " + pairedC);
        // the pair: clearly above chance
        assertTrue(pairedAB > 0.8, "paired from a+b: " + pairedAB);
        assertTrue(uniAfromA > 0.9, "uni_a from a: " + uniAfromA);
        assertTrue(Math.abs(uniAfromB - 1.0 / 3) < 0.07, "uni_a from b: " + uniAfromB);
    }

    /**
     * The same measurement on the command line's three-modality configurations (noise 1.0, nuisance channels): the
     * benchmark one and its all-sequence variant ({@code --sequences}).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "sequences={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void benchmarkConfigPairedTargetNeedsBothModalities(boolean sequences) {
        SyntheticConfig cfg = sequences ? SyntheticDatasetWriter.sequenceBenchmarkConfig(42)
                : SyntheticDatasetWriter.benchmarkConfig(42);
        for (int m = 0; m < 3; m++) {
            assertEquals(sequences || m == 1, cfg.getModalities().get(m).isSequence(), "modality " + m);
        }
        SyntheticMultimodalGenerator g = new SyntheticMultimodalGenerator(cfg);
        Pooled train = Pooled.of(g, 0, 2000);
        Pooled test = Pooled.of(g, 2, 800);
        double[] single = new double[3];
        for (int m = 0; m < 3; m++) {
            single[m] = Knn.accuracy(train.x(m), train.y("paired"), test.x(m), test.y("paired"), 15);
        }
        double pair = Knn.accuracy(train.x(0, 1), train.y("paired"), test.x(0, 1), test.y("paired"), 15);
        double all = Knn.accuracy(train.x(0, 1, 2), train.y("paired"), test.x(0, 1, 2), test.y("paired"), 15);
        double mixedA = Knn.accuracy(train.x(0), train.y("mixed"), test.x(0), test.y("mixed"), 15);
        double mixedAB = Knn.accuracy(train.x(0, 1), train.y("mixed"), test.x(0, 1), test.y("mixed"), 15);
        System.out.printf("benchmarkConfig kNN(15): paired from a %.3f, b %.3f, c %.3f, a+b %.3f, a+b+c %.3f (chance 0.5); "
                + "mixed from a %.3f, a+b %.3f (chance 0.125)%n", single[0], single[1], single[2], pair, all, mixedA, mixedAB);
        for (int m = 0; m < 3; m++) {
            assertTrue(Math.abs(single[m] - 0.5) < 0.07, "paired from modality " + m + " alone: " + single[m]);
        }
        assertTrue(pair > 0.75, "paired from a+b: " + pair);
        assertTrue(mixedAB > mixedA + 0.2, "mixed: a+b " + mixedAB + " vs a " + mixedA);
    }

    @Test
    void writesTheLayoutAndReadsBackTheSameExamples() throws Exception {
        SyntheticMultimodalGenerator g = new SyntheticMultimodalGenerator(config(5));
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", 30);
        sizes.put("test", 10);
        SyntheticDatasetWriter.write(g, tmp.resolve("syn"), "syn", sizes);
        LayoutReader r = new LayoutReader(tmp.resolve("syn"));
        assertEquals(List.of("label", "paired", "uni_a", "uni_b", "uni_c"),
                r.descriptor().getTargets().stream().map(t -> t.getName()).toList());
        LayoutMultiDataSetIterator fromDisk = r.iterator("test", LayoutIteratorOptions.builder().batchSize(10).targets("label", "paired").build());
        MultiDataSet disk = fromDisk.next();
        MultiDataSet direct = g.iterator(1, 10, 10, "mixed", "paired").next();
        for (int i = 0; i < 3; i++) {
            assertEquals(direct.getFeatures(i), disk.getFeatures(i), "modality " + i);
        }
        assertNull(disk.getFeaturesMaskArray(0));
        assertEquals(direct.getFeaturesMaskArray(1), disk.getFeaturesMaskArray(1));
        assertEquals(direct.getLabels(0), disk.getLabels(0));
        assertEquals(direct.getLabels(1), disk.getLabels(1));
    }

    /**
     * With pairedDims, the paired modality's first signal channels follow its uni factor alone and its last ones the
     * paired factor alone (noise 0: equal factors give equal channels); the default shares them; the roles count them.
     */
    @Test
    void separatePairedChannelsCarryOneFactorEach() {
        SyntheticConfig c = SyntheticConfig.builder().seed(3)
                .modality(SyntheticModality.builder("a").width(10).nuisanceDims(2).pairedDims(3).build())
                .modality(SyntheticModality.builder("b").width(6).build())
                .modality(SyntheticModality.builder("c").width(4).nuisanceDims(1).pairedDims(2).build())
                .uniClasses(3).pairedClasses(2).noise(0).build();
        SyntheticMultimodalGenerator g = new SyntheticMultimodalGenerator(c);
        List<SyntheticExample> ex = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ex.add(g.example(0, i));
        }
        int sameUni = 0;
        int samePaired = 0;
        for (SyntheticExample e : ex) {
            for (SyntheticExample f : ex) {
                float[] x = e.features()[0];
                float[] y = f.features()[0];
                boolean uniEqual = java.util.Arrays.equals(x, 0, 5, y, 0, 5);
                boolean pairedEqual = java.util.Arrays.equals(x, 5, 8, y, 5, 8);
                assertEquals(e.uni()[0] == f.uni()[0], uniEqual, "channels 0..4 follow u_a alone");
                assertEquals(e.pairedA() == f.pairedA(), pairedEqual, "channels 5..7 follow the paired factor alone");
                sameUni += e.uni()[0] == f.uni()[0] && e.pairedA() != f.pairedA() ? 1 : 0;
                samePaired += e.pairedA() == f.pairedA() && e.uni()[0] != f.uni()[0] ? 1 : 0;
            }
        }
        assertTrue(sameUni > 0 && samePaired > 0, "pairs that differ in one factor only were compared");
        // modality b shares its 6 channels between both patterns (the default); modality c is not paired
        assertEquals(new SyntheticMultimodalGenerator.ChannelRoles(5, 3, 0, 2), g.channelRoles(0));
        assertEquals(new SyntheticMultimodalGenerator.ChannelRoles(0, 0, 6, 0), g.channelRoles(1));
        assertEquals(new SyntheticMultimodalGenerator.ChannelRoles(3, 0, 0, 1), g.channelRoles(2));
        assertThrows(IllegalArgumentException.class,
                () -> SyntheticModality.builder("x").width(4).nuisanceDims(2).pairedDims(3).build());
    }

    @Test
    void configValidationNamesTheBadValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModality.builder("x").width(4).nuisanceDims(4).build());
        assertTrue(e.getMessage().contains("nuisanceDims") && e.getMessage().contains("4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().pairedModalities(0, 0).build());
        assertTrue(e.getMessage().contains("(0, 0)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SyntheticConfig.builder().noise(-1).build());
        assertTrue(e.getMessage().contains("noise") && e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SyntheticMultimodalGenerator(config(1)).iterator(0, 10, 5, "uni_zz"));
    }

    /** Mean-pooled (over valid steps) features per modality and class labels per target, of one stream. */
    record Pooled(List<double[][]> feats, SyntheticMultimodalGenerator g, List<SyntheticExample> ex) {
        static Pooled of(SyntheticMultimodalGenerator g, long stream, int n) {
            List<SyntheticModality> mods = g.config().getModalities();
            List<double[][]> feats = new ArrayList<>();
            List<SyntheticExample> ex = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ex.add(g.example(stream, i));
            }
            for (int m = 0; m < mods.size(); m++) {
                int d = mods.get(m).getWidth();
                int s = Math.max(1, mods.get(m).getSequenceLength());
                double[][] x = new double[n][d];
                for (int i = 0; i < n; i++) {
                    int len = mods.get(m).isSequence() ? ex.get(i).lengths()[m] : 1;
                    for (int c = 0; c < d; c++) {
                        double sum = 0;
                        for (int t = 0; t < len; t++) {
                            sum += ex.get(i).features()[m][c * s + t];
                        }
                        x[i][c] = sum / len;
                    }
                }
                feats.add(x);
            }
            return new Pooled(feats, g, ex);
        }

        double[][] x(int... modalities) {
            int n = ex.size();
            double[][] out = new double[n][];
            for (int i = 0; i < n; i++) {
                List<Double> row = new ArrayList<>();
                for (int m : modalities) {
                    for (double v : feats.get(m)[i]) {
                        row.add(v);
                    }
                }
                out[i] = row.stream().mapToDouble(Double::doubleValue).toArray();
            }
            return out;
        }

        int[] y(String target) {
            return ex.stream().mapToInt(e -> g.targetValue(e, target)).toArray();
        }
    }
}

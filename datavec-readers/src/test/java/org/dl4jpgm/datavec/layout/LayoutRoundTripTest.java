package org.dl4jpgm.datavec.layout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class LayoutRoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void descriptorJsonRoundTripKeepsExtraTargets() {
        DatasetDescriptor d = LayoutFixtures.descriptor();
        DatasetDescriptor back = DatasetDescriptor.fromJson(d.toJson(), null);
        assertEquals(d.toJson(), back.toJson());
        assertEquals(List.of("label", "score", "match"), back.getTargets().stream().map(TargetSpec::getName).toList());
        assertEquals("labels_score.csv", back.getTarget("score").getFile());
        assertEquals("labels.csv", back.getDefaultTarget().getFile());
        assertTrue(d.toJson().contains("\"task\" : \"classification\""), d.toJson());
    }

    @Test
    void writeReadRoundTripIsExact() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        assertTrue(Files.exists(root.resolve("train/audio_feats.npy")));
        assertTrue(Files.exists(root.resolve("train/audio_lengths.npy")));
        assertFalse(Files.exists(root.resolve("train/image_lengths.npy")));
        assertEquals("id,label", Files.readAllLines(root.resolve("train/labels.csv")).get(0));
        // the .npy header is numpy's own: float32, C order, numpy shape
        NpyHeader h = NpyHeader.read(root.resolve("train/audio_feats.npy"));
        assertEquals("<f4", h.descr());
        assertArrayEquals(new long[]{LayoutFixtures.N, LayoutFixtures.S, 3}, h.shape());
        assertTrue(NpyHeader.read(root.resolve("train/audio_lengths.npy")).isInteger());

        LayoutReader r = new LayoutReader(root);
        assertEquals(LayoutFixtures.descriptor(), r.descriptor());
        SplitData expected = LayoutFixtures.split(LayoutFixtures.N, 0);
        SplitData got = r.readSplit("train");
        assertEquals(expected.ids(), got.ids());
        assertEquals(expected.features("image"), got.features("image"));
        assertEquals(expected.features("audio"), got.features("audio"));
        assertArrayEquals(expected.lengths("audio"), got.lengths("audio"));
        assertNull(got.lengths("image"));
        for (String t : List.of("label", "score", "match")) {
            assertEquals(expected.labels(t), got.labels(t), t);
        }
        assertEquals(3, r.readSplit("test").size());
    }

    @Test
    void float64FeaturesAndInt64LengthsAreAccepted() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        SplitData expected = LayoutFixtures.split(LayoutFixtures.N, 0);
        LayoutWriter.writeNpy(expected.features("audio").castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE),
                root.resolve("train/audio_feats.npy"));
        LayoutWriter.writeNpy(org.nd4j.linalg.factory.Nd4j.createFromArray(
                java.util.Arrays.stream(expected.lengths("audio")).asLongStream().toArray()), root.resolve("train/audio_lengths.npy"));
        assertEquals("<f8", NpyHeader.read(root.resolve("train/audio_feats.npy")).descr());
        assertEquals("<i8", NpyHeader.read(root.resolve("train/audio_lengths.npy")).descr());
        SplitData got = new LayoutReader(root).readSplit("train");
        assertEquals(expected.features("audio"), got.features("audio"));
        assertArrayEquals(expected.lengths("audio"), got.lengths("audio"));
    }

    @Test
    void iteratorGivesNcwFeaturesMasksAndLabels() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        LayoutReader r = new LayoutReader(root);
        LayoutMultiDataSetIterator it = r.iterator("train", LayoutIteratorOptions.builder()
                .batchSize(3).targets("label", "score", "match").build());
        List<Integer> sizes = new ArrayList<>();
        int row = 0;
        while (it.hasNext()) {
            MultiDataSet m = it.next();
            int b = (int) m.getFeatures(0).size(0);
            sizes.add(b);
            assertArrayEquals(new long[]{b, 4}, m.getFeatures(0).shape());
            assertArrayEquals(new long[]{b, 3, LayoutFixtures.S}, m.getFeatures(1).shape());
            assertNull(m.getFeaturesMaskArray(0));
            assertArrayEquals(new long[]{b, LayoutFixtures.S}, m.getFeaturesMaskArray(1).shape());
            assertArrayEquals(new long[]{b, 3}, m.getLabels(0).shape());
            assertArrayEquals(new long[]{b, 1}, m.getLabels(1).shape());
            assertArrayEquals(new long[]{b, 2}, m.getLabels(2).shape());
            for (int i = 0; i < b; i++, row++) {
                assertEquals(row * 10 + 2, m.getFeatures(0).getFloat(i, 2), 0f);
                // NCW: [b, d, t] holds numpy [row, t, d]
                assertEquals(row * 100 + 4 * 10 + 1 + 0.5f, m.getFeatures(1).getFloat(i, 1, 4), 0f);
                int len = 1 + row % LayoutFixtures.S;
                for (int t = 0; t < LayoutFixtures.S; t++) {
                    assertEquals(t < len ? 1f : 0f, m.getFeaturesMaskArray(1).getFloat(i, t), 0f);
                }
                assertEquals(1f, m.getLabels(0).getFloat(i, row % 3), 0f);
                assertEquals(1f, m.getLabels(0).sumNumber().floatValue() / b, 0f);
                assertEquals(-1.5 + 0.25 * row, m.getLabels(1).getDouble(i, 0), 1e-6);
                assertEquals(row % 2 == 0 ? 1f : 0f, m.getLabels(2).getFloat(i, 1), 0f);
            }
        }
        assertEquals(List.of(3, 3, 1), sizes);
        it.reset();
        assertTrue(it.hasNext());
    }

    @Test
    void shuffleIsSeededAndCoversEveryExampleOnce() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        LayoutReader r = new LayoutReader(root);
        List<Float> a = firstColumn(r.iterator("train", LayoutIteratorOptions.builder().batchSize(2).shuffle(7).build()));
        List<Float> b = firstColumn(r.iterator("train", LayoutIteratorOptions.builder().batchSize(2).shuffle(7).build()));
        List<Float> c = firstColumn(r.iterator("train", LayoutIteratorOptions.builder().batchSize(2).build()));
        assertEquals(a, b);
        assertNotEquals(c, a);
        Set<Float> all = new HashSet<>(a);
        assertEquals(new HashSet<>(c), all);
        assertEquals(LayoutFixtures.N, a.size());
    }

    /** The order of epoch e depends on the seed and e only, however many resets came before. */
    @Test
    void shuffleOfAnEpochIsAFunctionOfSeedAndEpoch() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        LayoutReader r = new LayoutReader(root);
        LayoutMultiDataSetIterator a = r.iterator("train", LayoutIteratorOptions.builder().batchSize(2).shuffle(7).build());
        List<List<Float>> epochs = new ArrayList<>();
        for (int e = 0; e < 4; e++) {
            assertEquals(e, a.epoch());
            epochs.add(firstColumn(a));
            a.reset();
        }
        assertNotEquals(epochs.get(1), epochs.get(2), "another order each epoch");
        LayoutMultiDataSetIterator b = r.iterator("train", LayoutIteratorOptions.builder().batchSize(2).shuffle(7).build());
        b.reset();
        b.reset();
        b.reset();
        b.setEpoch(2);
        assertEquals(epochs.get(2), firstColumn(b), "epoch 2 after extra resets");
        b.reset();
        assertEquals(3, b.epoch());
        assertEquals(epochs.get(3), firstColumn(b));
    }

    @Test
    void modalitySubsetAndOrderAreHonoured() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        LayoutMultiDataSetIterator it = new LayoutReader(root).iterator("test",
                LayoutIteratorOptions.builder().modalities("audio").batchSize(10).build());
        MultiDataSet m = it.next();
        assertEquals(1, m.getFeatures().length);
        assertEquals(3, m.getFeatures(0).size(0));
        assertEquals(3, m.getFeatures(0).size(1));
        assertFalse(it.hasNext());
    }

    @Test
    void maskEverySequenceGivesAnUnmaskedSequenceOnesOnlyWhenAnotherIsMasked() {
        SplitData base = LayoutFixtures.split(LayoutFixtures.N, 0);
        INDArray text = Nd4j.rand(DataType.FLOAT, LayoutFixtures.N, 4, 2);
        Map<String, INDArray> f = new LinkedHashMap<>();
        f.put("image", base.features("image"));
        f.put("audio", base.features("audio"));
        f.put("text", text);
        Map<String, List<String>> labels = new LinkedHashMap<>();
        labels.put("label", base.labels("label"));
        SplitData withLengths = new SplitData(base.ids(), f, Map.of("audio", base.lengths("audio")), labels);
        SplitData withoutLengths = new SplitData(base.ids(), f, Map.of(), labels);
        DatasetDescriptor d = DatasetDescriptor.builder().name("three").classification(List.of("cat", "dog", "fish"))
                .modality("image").modality("audio").modality("text").splits("train").build();

        MultiDataSet plain = new LayoutMultiDataSetIterator(d, withLengths,
                LayoutIteratorOptions.builder().batchSize(LayoutFixtures.N).build()).next();
        MultiDataSet masked = new LayoutMultiDataSetIterator(d, withLengths,
                LayoutIteratorOptions.builder().batchSize(LayoutFixtures.N).maskEverySequence(true).build()).next();
        assertNull(plain.getFeaturesMaskArray(2));
        assertNull(masked.getFeaturesMaskArray(0), "a vector modality never gets a mask");
        assertEquals(plain.getFeaturesMaskArray(1), masked.getFeaturesMaskArray(1), "lengths give the same mask");
        assertEquals(Nd4j.ones(DataType.FLOAT, LayoutFixtures.N, 4), masked.getFeaturesMaskArray(2));
        for (int i = 0; i < 3; i++) {
            assertEquals(plain.getFeatures(i), masked.getFeatures(i), "features unchanged");
        }

        MultiDataSet none = new LayoutMultiDataSetIterator(d, withoutLengths,
                LayoutIteratorOptions.builder().batchSize(LayoutFixtures.N).maskEverySequence(true).build()).next();
        assertNull(none.getFeaturesMaskArrays(), "no lengths anywhere: no masks at all");
    }

    private static List<Float> firstColumn(LayoutMultiDataSetIterator it) {
        List<Float> out = new ArrayList<>();
        while (it.hasNext()) {
            INDArray f = it.next().getFeatures(0);
            for (int i = 0; i < f.size(0); i++) {
                out.add(f.getFloat(i, 0));
            }
        }
        return out;
    }
}

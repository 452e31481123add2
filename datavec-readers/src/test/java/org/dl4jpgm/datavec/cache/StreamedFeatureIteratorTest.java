package org.dl4jpgm.datavec.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The streamed feature cache path: {@link FeatureCache#writeStreamed}, {@link NpyRows}, {@link StreamedFeatureIterator}. */
class StreamedFeatureIteratorTest {

    private static final String ENC = "enc";
    private static final String FP = "fp";

    private static FeatureCache cache(Path dir) {
        return new FeatureCache(dir, FeatureCacheConfig.builder().batchSize(16).progress(false).build());
    }

    /** Rows of a fixed random array, as an extractor. */
    private static BatchExtractor slices(INDArray all) {
        return (from, to) -> all.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    @Test
    void streamedEntryEqualsTheInMemoryOne(@TempDir Path dir) throws Exception {
        INDArray all = Nd4j.rand(DataType.FLOAT, 70, 5);
        FeatureCache c = cache(dir);
        c.writeStreamed("streamed", ENC, FP, 70, new long[]{5}, slices(all));
        c.write("memory", ENC, FP, all);
        // ND4J's own .npy reader accepts the streamed file and finds the same values
        assertEquals(all, c.read("streamed", ENC, FP));
        assertEquals(c.read("memory", ENC, FP), c.read("streamed", ENC, FP));
        try (NpyRows rows = c.rows("streamed", ENC, FP)) {
            assertArrayEquals(new long[]{70, 5}, rows.shape());
            assertEquals(all.get(NDArrayIndex.interval(13, 41), NDArrayIndex.all()), rows.read(13, 41));
            assertEquals(all.get(NDArrayIndex.interval(69, 70), NDArrayIndex.all()), rows.read(69, 70));
            assertThrows(IndexOutOfBoundsException.class, () -> rows.read(60, 71));
        }
        assertThrows(StaleFeatureCacheException.class, () -> c.rows("streamed", "other encoder", FP));
    }

    @Test
    void oneDimensionalEntry(@TempDir Path dir) throws Exception {
        INDArray labels = Nd4j.createFromArray(new float[]{2, 0, 1, 1, 0});
        FeatureCache c = cache(dir);
        c.writeStreamed("labels", ENC, FP, 5, new long[0], (from, to) -> labels.get(NDArrayIndex.interval(from, to)));
        assertEquals(labels, c.read("labels", ENC, FP).reshape(5));
        try (NpyRows rows = c.rows("labels", ENC, FP)) {
            assertArrayEquals(new long[]{5}, rows.shape());
            assertEquals(labels.get(NDArrayIndex.interval(1, 4)), rows.read(1, 4));
        }
    }

    @Test
    void iteratorServesTheRowsInBatchesWithOneHotLabels(@TempDir Path dir) throws Exception {
        int n = 70;
        int k = 4;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, 6);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, 3);
        INDArray labels = Nd4j.create(DataType.FLOAT, n);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (i * 7) % k);
        }
        FeatureCache c = cache(dir);
        c.writeStreamed("a", ENC, FP, n, new long[]{6}, slices(a));
        c.writeStreamed("b", ENC, FP, n, new long[]{3}, slices(b));
        c.writeStreamed("y", ENC, FP, n, new long[0], (from, to) -> labels.get(NDArrayIndex.interval(from, to)));
        try (NpyRows ra = c.rows("a", ENC, FP); NpyRows rb = c.rows("b", ENC, FP); NpyRows ry = c.rows("y", ENC, FP)) {
            StreamedFeatureIterator it = new StreamedFeatureIterator(List.of(ra, rb), ry, k, 45, 16);
            List<Integer> sizes = new ArrayList<>();
            int from = 0;
            while (it.hasNext()) {
                MultiDataSet mds = it.next();
                int count = (int) mds.getFeatures(0).size(0);
                sizes.add(count);
                assertEquals(a.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all()), mds.getFeatures(0));
                assertEquals(b.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all()), mds.getFeatures(1));
                for (int i = 0; i < count; i++) {
                    INDArray oneHot = Nd4j.create(DataType.FLOAT, 1, k).putScalar(0, (long) labels.getDouble(from + i), 1f);
                    assertEquals(oneHot, mds.getLabels(0).getRow(i, true));
                }
                from += count;
            }
            assertEquals(List.of(16, 16, 13), sizes, "the first 45 of 70 examples, batches of 16");
            it.reset();
            assertEquals(a.get(NDArrayIndex.interval(0, 16), NDArrayIndex.all()), it.next().getFeatures(0));
            assertThrows(IllegalArgumentException.class, () -> new StreamedFeatureIterator(List.of(ra), ry, k, 71, 16));
        }
    }

    @Test
    void labelOutsideTheClassesIsRefused(@TempDir Path dir) throws Exception {
        FeatureCache c = cache(dir);
        c.writeStreamed("x", ENC, FP, 3, new long[]{2}, (from, to) -> Nd4j.ones(DataType.FLOAT, to - from, 2));
        c.writeStreamed("y", ENC, FP, 3, new long[0], (from, to) -> Nd4j.createFromArray(0f, 5f, 1f)
                .get(NDArrayIndex.interval(from, to)));
        try (NpyRows x = c.rows("x", ENC, FP); NpyRows y = c.rows("y", ENC, FP)) {
            StreamedFeatureIterator it = new StreamedFeatureIterator(List.of(x), y, 3, 3, 3);
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertFalse(e.getMessage().isEmpty());
        }
    }
}

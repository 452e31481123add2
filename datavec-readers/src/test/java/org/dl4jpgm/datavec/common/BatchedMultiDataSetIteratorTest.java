package org.dl4jpgm.datavec.common;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchedMultiDataSetIteratorTest {

    /** Example i is the single value i; records which ranges were asked for and how many epochs began. */
    private static final class Counting extends BatchedMultiDataSetIterator {
        final List<String> ranges = new ArrayList<>();
        int resets;

        Counting(int n, int batch) {
            super("Counting", n, batch);
        }

        @Override
        protected MultiDataSet batch(int from, int count) {
            ranges.add(from + "+" + count);
            return new org.nd4j.linalg.dataset.MultiDataSet(
                    Nd4j.arange(from, from + count).castTo(DataType.FLOAT).reshape(count, 1),
                    Nd4j.zeros(DataType.FLOAT, count, 1));
        }

        @Override
        protected void onReset() {
            resets++;
        }

        List<String> nextRanges() {
            while (hasNext()) {
                next();
            }
            return ranges;
        }
    }

    @Test
    void batchesCoverTheEpochOnceAndTheLastOneIsSmaller() {
        Counting it = new Counting(5, 2);
        List<Long> sizes = new ArrayList<>();
        while (it.hasNext()) {
            sizes.add(it.next().getFeatures(0).size(0));
        }
        assertEquals(List.of(2L, 2L, 1L), sizes);
        assertEquals(List.of("0+2", "2+2", "4+1"), it.ranges);
        NoSuchElementException e = assertThrows(NoSuchElementException.class, it::next);
        assertTrue(e.getMessage().contains("Counting") && e.getMessage().contains("5 per epoch"), e.getMessage());
        assertEquals(List.of("0+3"), new Counting(3, 10).nextRanges());
    }

    @Test
    void resetStartsANewEpochAndThePreProcessorSeesEveryBatch() {
        Counting it = new Counting(3, 2);
        int[] seen = {0};
        it.setPreProcessor(m -> {
            seen[0]++;
            m.getFeatures(0).addi(100);
        });
        assertEquals(100.0, it.next().getFeatures(0).getDouble(0), 0.0);
        it.next();
        assertFalse(it.hasNext());
        it.reset();
        assertEquals(1, it.resets);
        assertTrue(it.hasNext());
        assertEquals(100.0, it.next(1).getFeatures(0).getDouble(0), 0.0, "the epoch starts again at example 0");
        assertEquals(3, seen[0]);
        assertThrows(IllegalArgumentException.class, () -> it.next(0));
    }

    @Test
    void emptyEpochAndBadSizes() {
        assertFalse(new Counting(0, 4).hasNext());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Counting(3, 0));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Counting(-1, 2));
    }
}

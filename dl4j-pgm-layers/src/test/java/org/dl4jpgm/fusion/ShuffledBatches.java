package org.dl4jpgm.fusion;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Test iterator over the examples of {@link FusionFixtures#dataFF}, one example per row, shuffled into batches every
 * epoch. Two shuffles: {@link Mode#PER_RESET} draws each order from one {@link Random} that every reset advances (what
 * the layout iterator did before its orders became a function of the epoch); {@link Mode#PER_EPOCH} seeds each order
 * with (seed, epoch), the epoch set by {@link #setEpoch} or counted by resets. Counts its resets; asynchronous
 * prefetching is supported, as for the layout iterator.
 */
final class ShuffledBatches implements MultiDataSetIterator {

    enum Mode { PER_RESET, PER_EPOCH }

    private final List<INDArray[]> rows = new ArrayList<>();
    private final int batch;
    private final long seed;
    private final Mode mode;
    private final Random perReset;
    private List<Integer> order;
    private int cursor;
    private int nextEpoch;
    private int resets;
    private MultiDataSetPreProcessor pre;

    ShuffledBatches(int examples, int batch, long seed, Mode mode) {
        MultiDataSetIterator it = FusionFixtures.dataFF(examples, examples, 5, DataType.FLOAT);
        MultiDataSet all = it.next();
        for (int i = 0; i < examples; i++) {
            rows.add(new INDArray[]{all.getFeatures(0).getRow(i, true).dup(), all.getFeatures(1).getRow(i, true).dup(),
                    all.getLabels(0).getRow(i, true).dup()});
        }
        this.batch = batch;
        this.seed = seed;
        this.mode = mode;
        this.perReset = new Random(seed);
        reset();
        resets = 0;
    }

    /** Starts epoch {@code e}: its order, from the first batch. */
    void setEpoch(int e) {
        nextEpoch = e;
        reset();
    }

    /** Resets since construction (setEpoch included). */
    int resets() {
        return resets;
    }

    @Override
    public MultiDataSet next(int num) {
        int n = Math.min(num, order.size() - cursor);
        INDArray[] a = new INDArray[n];
        INDArray[] b = new INDArray[n];
        INDArray[] y = new INDArray[n];
        for (int i = 0; i < n; i++) {
            INDArray[] r = rows.get(order.get(cursor + i));
            a[i] = r[0];
            b[i] = r[1];
            y[i] = r[2];
        }
        cursor += n;
        MultiDataSet ds = new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{org.nd4j.linalg.factory.Nd4j.vstack(a), org.nd4j.linalg.factory.Nd4j.vstack(b)},
                new INDArray[]{org.nd4j.linalg.factory.Nd4j.vstack(y)});
        if (pre != null) {
            pre.preProcess(ds);
        }
        return ds;
    }

    @Override public MultiDataSet next() { return next(batch); }
    @Override public boolean hasNext() { return cursor < order.size(); }
    @Override public void setPreProcessor(MultiDataSetPreProcessor p) { pre = p; }
    @Override public MultiDataSetPreProcessor getPreProcessor() { return pre; }
    @Override public boolean resetSupported() { return true; }
    @Override public boolean asyncSupported() { return true; }

    @Override
    public void reset() {
        resets++;
        cursor = 0;
        order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        Random r = mode == Mode.PER_RESET ? perReset : new Random(seed * 1_000_003L + nextEpoch++);
        Collections.shuffle(order, r);
    }
}

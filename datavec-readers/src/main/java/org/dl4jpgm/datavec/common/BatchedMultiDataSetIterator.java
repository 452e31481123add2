package org.dl4jpgm.datavec.common;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.NoSuchElementException;

/**
 * The epoch plumbing of a {@link MultiDataSetIterator} over a fixed number N of examples: a cursor, batches of B
 * (the last one smaller), the pre-processor, and reset. A subclass only says how the examples
 * {@code [from, from + count)} of the epoch become a {@link MultiDataSet} ({@link #batch}), and what else a new epoch
 * resets ({@link #onReset}, e.g. a new shuffle).
 */
public abstract class BatchedMultiDataSetIterator implements MultiDataSetIterator {

    private final String name;
    private final int numExamples;
    private final int batchSize;
    private int cursor;
    private MultiDataSetPreProcessor preProcessor;

    /**
     * @param name        the iterator's name in messages
     * @param numExamples N, examples per epoch (&ge; 0; with 0 there is no batch)
     * @param batchSize   B, examples per {@link #next()} (&ge; 1)
     */
    protected BatchedMultiDataSetIterator(String name, int numExamples, int batchSize) {
        if (numExamples < 0) {
            throw new IllegalArgumentException(name + ": numExamples must be >= 0, found " + numExamples);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException(name + ": batchSize must be >= 1, found " + batchSize);
        }
        this.name = name;
        this.numExamples = numExamples;
        this.batchSize = batchSize;
    }

    /** The examples {@code [from, from + count)} of this epoch (count &ge; 1), before the pre-processor. */
    protected abstract MultiDataSet batch(int from, int count);

    /** Called by {@link #reset()} after the cursor went back to the first example. */
    protected void onReset() {
    }

    /** Examples per epoch. */
    public final int numExamples() {
        return numExamples;
    }

    @Override
    public final MultiDataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException(name + ": no more examples (" + numExamples + " per epoch); call reset()");
        }
        if (num < 1) {
            throw new IllegalArgumentException(name + ": next(num) needs num >= 1, found " + num);
        }
        int count = Math.min(num, numExamples - cursor);
        MultiDataSet mds = batch(cursor, count);
        cursor += count;
        if (preProcessor != null) {
            preProcessor.preProcess(mds);
        }
        return mds;
    }

    @Override
    public final MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public final boolean hasNext() {
        return cursor < numExamples;
    }

    @Override
    public final void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public final MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public final void reset() {
        cursor = 0;
        onReset();
    }
}

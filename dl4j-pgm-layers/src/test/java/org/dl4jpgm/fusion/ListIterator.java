package org.dl4jpgm.fusion;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.List;

/** A resettable iterator over fixed batches (test data). */
final class ListIterator implements MultiDataSetIterator {
    private final List<MultiDataSet> batches;
    private int next;
    private MultiDataSetPreProcessor pre;

    ListIterator(List<MultiDataSet> batches) {
        this.batches = batches;
    }

    @Override
    public MultiDataSet next(int num) {
        return next();
    }

    @Override
    public MultiDataSet next() {
        MultiDataSet ds = batches.get(next++);
        if (pre != null) {
            pre.preProcess(ds);
        }
        return ds;
    }

    @Override
    public boolean hasNext() {
        return next < batches.size();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.pre = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return pre;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        next = 0;
    }
}

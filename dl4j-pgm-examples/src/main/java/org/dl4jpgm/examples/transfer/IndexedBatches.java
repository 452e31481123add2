package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.SplitData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Minibatches of one split that know which examples they hold, for the hosts whose extra labels are per example and
 * kept across epochs (Self-MM's generated uni-modal labels): each batch goes through a {@link Labeller} with its row
 * indices before {@code fit} sees it. The order of epoch e is a function of the seed and e alone
 * ({@link #setEpoch}), so {@code TwoStageTrainer.epochStart(it::setEpoch)} gives every epoch its own shuffle.
 */
public final class IndexedBatches implements MultiDataSetIterator {

    /** Completes a batch of features and task labels with a host's extra labels. */
    @FunctionalInterface
    public interface Labeller {
        /**
         * @param batch features, masks and the task labels of the batch
         * @param rows  the split's example index of each row
         * @param epoch the epoch, counted from 0
         * @return the batch with every output's labels (and label masks)
         */
        MultiDataSet label(MultiDataSet batch, int[] rows, int epoch);
    }

    private final MultiDataSet all;
    private final int size;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final Labeller labeller;
    private int[] order;
    private int cursor;
    private int epoch = -1;

    /**
     * @param shuffle           whether each epoch has its own order (else split order)
     * @param labeller          the host's extra labels (null: the task labels only)
     * @param maskEverySequence a mask of ones for every sequence without lengths when another sequence has a mask
     *                          ({@link LayoutIteratorOptions#isMaskEverySequence()})
     */
    public IndexedBatches(DatasetDescriptor descriptor, SplitData split, String target, int batchSize, boolean shuffle,
                          long seed, Labeller labeller, boolean maskEverySequence) {
        LayoutMultiDataSetIterator it = new LayoutMultiDataSetIterator(descriptor, split, LayoutIteratorOptions.builder()
                .batchSize(split.size()).targets(target).maskEverySequence(maskEverySequence).build());
        this.all = it.next();
        this.size = split.size();
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.labeller = labeller;
        setEpoch(0);
    }

    /** Starts epoch e from its first batch. */
    public void setEpoch(int e) {
        epoch = e;
        cursor = 0;
        order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Random r = new Random(seed * 1_000_003L + e);
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
    }

    /** The epoch being iterated, from 0. */
    public int epoch() {
        return epoch;
    }

    @Override
    public boolean hasNext() {
        return cursor < size;
    }

    @Override
    public MultiDataSet next() {
        return next(batchSize);
    }

    @Override
    public MultiDataSet next(int num) {
        int b = Math.min(num, size - cursor);
        int[] rows = new int[b];
        System.arraycopy(order, cursor, rows, 0, b);
        cursor += b;
        INDArray[] f = take(all.getFeatures(), rows);
        INDArray[] fm = all.getFeaturesMaskArrays() == null ? null : take(all.getFeaturesMaskArrays(), rows);
        MultiDataSet batch = new org.nd4j.linalg.dataset.MultiDataSet(f, take(all.getLabels(), rows), fm, null);
        return labeller == null ? batch : labeller.label(batch, rows, epoch);
    }

    /** The rows of each array (null entries stay null); works for any rank. */
    private static INDArray[] take(INDArray[] arrays, int[] rows) {
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] != null) {
                long[] shape = arrays[i].shape().clone();
                INDArray flat = arrays[i].reshape('c', shape[0], arrays[i].length() / shape[0]);
                shape[0] = rows.length;
                out[i] = Nd4j.pullRows(flat, 1, rows).reshape('c', shape);
            }
        }
        return out;
    }

    @Override
    public void reset() {
        setEpoch(epoch + 1);
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
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        throw new UnsupportedOperationException("IndexedBatches: extra labels come from its Labeller");
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return null;
    }
}

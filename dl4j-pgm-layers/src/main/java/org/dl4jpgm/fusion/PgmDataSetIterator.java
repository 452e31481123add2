package org.dl4jpgm.fusion;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wraps a user's iterator (features and task labels only) for a graph built by {@link PgmFusion}: appends the
 * "labels" of the {@link PgmObjectiveOutputLayer} ({@code [B, 1]}, filled with α) after the task labels, and scales
 * the task label masks by β ({@code [B, 1]} or {@code [B, S]} masks of β where the user gave none). So Eq. 12's weights
 * apply with no graph rebuild; {@link #setWeights} switches them between stages.
 */
public class PgmDataSetIterator implements MultiDataSetIterator {

    private final MultiDataSetIterator base;
    private final boolean hasObjective;
    private volatile LossWeights weights;

    /**
     * @param base         features and task labels, in the graph's input and (task) output order
     * @param hasObjective whether the graph ends with a PgM objective output (false for baselines)
     * @param weights      α and β
     */
    public PgmDataSetIterator(MultiDataSetIterator base, boolean hasObjective, LossWeights weights) {
        this.base = base;
        this.hasObjective = hasObjective;
        this.weights = weights;
    }

    public void setWeights(LossWeights weights) {
        this.weights = weights;
    }

    public LossWeights getWeights() {
        return weights;
    }

    /** The wrapped iterator's data with PgM's objective weights added (see the class comment). */
    public MultiDataSet wrap(MultiDataSet ds) {
        LossWeights w = weights;
        INDArray[] labels = ds.getLabels();
        INDArray[] masks = ds.getLabelsMaskArrays();
        int n = labels.length + (hasObjective ? 1 : 0);
        INDArray[] outLabels = new INDArray[n];
        INDArray[] outMasks = new INDArray[n];
        long batch = ds.getFeatures(0).size(0);
        for (int i = 0; i < labels.length; i++) {
            outLabels[i] = labels[i];
            INDArray mask = masks == null ? null : masks[i];
            if (w.beta() == 1.0) {
                outMasks[i] = mask;
            } else if (mask != null) {
                outMasks[i] = mask.mul(w.beta());
            } else {
                long[] shape = labels[i].rank() == 3 ? new long[]{batch, labels[i].size(2)} : new long[]{batch, 1};
                outMasks[i] = Nd4j.valueArrayOf(shape, w.beta(), labels[i].dataType());
            }
        }
        if (hasObjective) {
            outLabels[n - 1] = Nd4j.valueArrayOf(new long[]{batch, 1}, w.alpha(), ds.getFeatures(0).dataType());
        }
        boolean anyMask = false;
        for (INDArray m : outMasks) {
            anyMask |= m != null;
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(ds.getFeatures(), outLabels, ds.getFeaturesMaskArrays(),
                anyMask ? outMasks : null);
    }

    @Override
    public MultiDataSet next(int num) {
        return wrap(base.next(num));
    }

    @Override
    public MultiDataSet next() {
        return wrap(base.next());
    }

    @Override
    public boolean hasNext() {
        return base.hasNext();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        base.setPreProcessor(preProcessor);
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return base.getPreProcessor();
    }

    @Override
    public boolean resetSupported() {
        return base.resetSupported();
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        base.reset();
    }
}

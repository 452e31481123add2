package org.dl4jpgm.datavec.synthetic;

import org.dl4jpgm.datavec.common.BatchedMultiDataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Streaming {@link MultiDataSetIterator} over a {@link SyntheticMultimodalGenerator} stream: examples are
 * generated batch by batch, nothing is held in memory, and {@link #reset()} replays the same examples.
 * <ul>
 *   <li>Features per modality: [B, D] (feed-forward) or [B, D, S] (NCW).</li>
 *   <li>Feature masks: [B, S] for variable-length sequence modalities (1 = keep, 0 = masked padding);
 *       null for the others (the mask array is null when no modality has one).</li>
 *   <li>Labels per requested target: one-hot [B, K].</li>
 * </ul>
 */
public final class SyntheticMultiDataSetIterator extends BatchedMultiDataSetIterator {

    private final SyntheticMultimodalGenerator generator;
    private final long stream;
    private final List<String> targets;

    SyntheticMultiDataSetIterator(SyntheticMultimodalGenerator generator, long stream, int numExamples, int batchSize,
                                  List<String> targets) {
        super("SyntheticMultiDataSetIterator", atLeastOne(numExamples), batchSize);
        for (String t : targets) {
            generator.numClasses(t); // validates the name
        }
        this.generator = generator;
        this.stream = stream;
        this.targets = List.copyOf(targets);
    }

    @Override
    protected MultiDataSet batch(int from, int b) {
        List<SyntheticModality> mods = generator.config().getModalities();
        int mCount = mods.size();
        float[][] feats = new float[mCount][];
        float[][] masks = new float[mCount][];
        for (int m = 0; m < mCount; m++) {
            SyntheticModality mod = mods.get(m);
            feats[m] = new float[b * mod.getWidth() * Math.max(1, mod.getSequenceLength())];
            if (mod.hasVariableLength()) {
                masks[m] = new float[b * mod.getSequenceLength()];
            }
        }
        float[][] labels = new float[targets.size()][];
        int[] widths = new int[targets.size()];
        for (int t = 0; t < targets.size(); t++) {
            widths[t] = generator.numClasses(targets.get(t));
            labels[t] = new float[b * widths[t]];
        }
        for (int i = 0; i < b; i++) {
            SyntheticExample e = generator.example(stream, from + i);
            for (int m = 0; m < mCount; m++) {
                float[] row = e.features()[m];
                System.arraycopy(row, 0, feats[m], i * row.length, row.length);
                if (masks[m] != null) {
                    int s = mods.get(m).getSequenceLength();
                    for (int t = 0; t < e.lengths()[m]; t++) {
                        masks[m][i * s + t] = 1f;
                    }
                }
            }
            for (int t = 0; t < targets.size(); t++) {
                labels[t][i * widths[t] + generator.targetValue(e, targets.get(t))] = 1f;
            }
        }
        INDArray[] f = new INDArray[mCount];
        INDArray[] fm = new INDArray[mCount];
        boolean anyMask = false;
        for (int m = 0; m < mCount; m++) {
            SyntheticModality mod = mods.get(m);
            f[m] = mod.isSequence()
                    ? Nd4j.create(feats[m], new long[]{b, mod.getWidth(), mod.getSequenceLength()}, 'c')
                    : Nd4j.create(feats[m], new long[]{b, mod.getWidth()}, 'c');
            if (masks[m] != null) {
                fm[m] = Nd4j.create(masks[m], new long[]{b, mod.getSequenceLength()}, 'c');
                anyMask = true;
            }
        }
        INDArray[] l = new INDArray[targets.size()];
        for (int t = 0; t < l.length; t++) {
            l[t] = Nd4j.create(labels[t], new long[]{b, widths[t]}, 'c');
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(f, l, anyMask ? fm : null, null);
    }

    private static int atLeastOne(int numExamples) {
        if (numExamples < 1) {
            throw new IllegalArgumentException("SyntheticMultiDataSetIterator: numExamples must be >= 1, found "
                    + numExamples);
        }
        return numExamples;
    }
}

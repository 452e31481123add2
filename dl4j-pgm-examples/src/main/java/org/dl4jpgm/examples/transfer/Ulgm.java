package org.dl4jpgm.examples.transfer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Self-MM's unimodal label-generation module, ULGM (Yu et al., AAAI 2021, Sec. "ULGM"; MMSA's
 * {@code SELF_MM.update_labels}, {@code update_centers}): uni-modal regression labels {@code y_s} generated from the
 * multimodal label {@code y_m} and the geometry of the features, one label per training example and modality, kept
 * across epochs. With F the fused feature (mode m) or a uni-modal feature (mode s) of one example:
 * <pre>
 *   centres      C_p^k = mean{ F_k^j : y_k^j &gt; 0 },   C_n^k = mean{ F_k^j : y_k^j &lt; 0 }      (over all N examples)
 *   offsets      δ_k = (‖F_k − C_n^k‖ − ‖F_k − C_p^k‖) / (‖F_k − C_p^k‖ + ε)                 (k = m, s)
 *   new label    ŷ_s = ½ (δ_s / (δ_m + ε)) y_m + ½ (y_m + δ_s − δ_m),  clamped to [−H, H]
 *   momentum     y_s ← (n − 1)/(n + 1) y_s + 2/(n + 1) ŷ_s                                         (epoch n ≥ 2)
 * </pre>
 * ε = 1e-8; with {@code excludeZero} false the positive centre takes {@code y ≥ 0}. The multimodal labels stay the
 * given ones. The uni-modal task loss weights each example by {@code tanh |y_s − y_m|} ({@link #weights}).
 *
 * <p>Order per batch, as in MMSA: the batch's labels are read for its loss ({@link #labels}), then
 * {@link #update} moves the labels (from epoch 2 on) and stores the batch's features and the centres. The features
 * of examples not yet seen are zero rows, as in MMSA's first epoch. A class with no example keeps its previous centre
 * (MMSA would give NaN). Not thread-safe.
 */
public final class Ulgm {

    static final double EPS = 1e-8;

    private final int modalities;
    private final double bound;
    private final boolean excludeZero;
    private final INDArray fusionLabels;
    /** Per modality: [N] labels y_s. */
    private final INDArray[] labels;
    /** Index 0: the fusion, 1..M: the modalities: [N, W_k] features (null until the first update). */
    private final INDArray[] features;
    private final INDArray[] positive;
    private final INDArray[] negative;

    /**
     * @param multimodal  y_m of the N training examples (row i for example i)
     * @param modalities  M
     * @param bound       H
     * @param excludeZero whether label 0 stays out of the positive class
     */
    public Ulgm(double[] multimodal, int modalities, double bound, boolean excludeZero) {
        if (modalities < 1 || multimodal.length == 0 || !(bound > 0)) {
            throw new IllegalArgumentException("Ulgm: expected M >= 1, N >= 1 and H > 0, found M = " + modalities
                    + ", N = " + multimodal.length + ", H = " + bound);
        }
        this.modalities = modalities;
        this.bound = bound;
        this.excludeZero = excludeZero;
        this.fusionLabels = Nd4j.createFromArray(multimodal).castTo(DataType.DOUBLE);
        this.labels = new INDArray[modalities];
        for (int s = 0; s < modalities; s++) {
            labels[s] = fusionLabels.dup();
        }
        this.features = new INDArray[modalities + 1];
        this.positive = new INDArray[modalities + 1];
        this.negative = new INDArray[modalities + 1];
    }

    /** The current uni-modal labels of modality s for the given examples, {@code [B, 1]}. */
    public INDArray labels(int s, int[] rows) {
        return labels[s].get(Nd4j.createFromArray(rows)).reshape(rows.length, 1);
    }

    /** The uni-modal task's per-example loss weights {@code tanh |y_s − y_m|}, {@code [B, 1]}. */
    public INDArray weights(int s, int[] rows) {
        INDArray idx = Nd4j.createFromArray(rows);
        return Transforms.tanh(Transforms.abs(labels[s].get(idx).sub(fusionLabels.get(idx)))).reshape(rows.length, 1);
    }

    /** All uni-modal labels of modality s, {@code [N]} (a copy). */
    public double[] labels(int s) {
        return labels[s].toDoubleVector();
    }

    /**
     * One batch: moves its uni-modal labels (epoch ≥ 2), then stores its features and recomputes the centres.
     *
     * @param rows    the batch's example indices
     * @param fused   fused features {@code [B, W_m]}
     * @param uni     per modality, uni-modal features {@code [B, W_s]}
     * @param epoch   n, counted from 1
     */
    public void update(int[] rows, INDArray fused, INDArray[] uni, int epoch) {
        if (uni.length != modalities) {
            throw new IllegalArgumentException("Ulgm: expected " + modalities + " uni-modal feature arrays, found "
                    + uni.length);
        }
        INDArray idx = Nd4j.createFromArray(rows);
        INDArray[] batch = new INDArray[modalities + 1];
        batch[0] = fused.castTo(DataType.DOUBLE);
        for (int s = 0; s < modalities; s++) {
            batch[s + 1] = uni[s].castTo(DataType.DOUBLE);
        }
        if (epoch > 1 && features[0] != null) {
            INDArray ym = fusionLabels.get(idx);
            INDArray deltaM = offset(batch[0], 0);
            for (int s = 0; s < modalities; s++) {
                INDArray deltaS = offset(batch[s + 1], s + 1);
                INDArray alpha = deltaS.div(deltaM.add(EPS));
                INDArray fresh = alpha.mul(ym).mul(0.5).add(ym.add(deltaS).sub(deltaM).mul(0.5));
                fresh = Transforms.max(Transforms.min(fresh, bound), -bound);
                double n = epoch;
                INDArray moved = labels[s].get(idx).mul((n - 1) / (n + 1)).add(fresh.mul(2 / (n + 1)));
                for (int i = 0; i < rows.length; i++) {
                    labels[s].putScalar(rows[i], moved.getDouble(i));
                }
            }
        }
        for (int k = 0; k <= modalities; k++) {
            if (features[k] == null) {
                features[k] = Nd4j.zeros(DataType.DOUBLE, fusionLabels.length(), batch[k].size(1));
            }
            for (int i = 0; i < rows.length; i++) {
                features[k].putRow(rows[i], batch[k].getRow(i));
            }
            INDArray y = k == 0 ? fusionLabels : labels[k - 1];
            INDArray pos = excludeZero ? y.gt(0) : y.gte(0);
            INDArray neg = y.lt(0);
            positive[k] = mean(features[k], pos, positive[k]);
            negative[k] = mean(features[k], neg, negative[k]);
        }
    }

    /** δ_k of a batch: (‖F − C_n‖ − ‖F − C_p‖) / (‖F − C_p‖ + ε), {@code [B]}. */
    private INDArray offset(INDArray f, int k) {
        INDArray dp = f.subRowVector(positive[k]).norm2(1);
        INDArray dn = f.subRowVector(negative[k]).norm2(1);
        return dn.sub(dp).div(dp.add(EPS));
    }

    /** The mean of the rows where {@code select} is true; {@code previous} (or zeros) when none is. */
    private static INDArray mean(INDArray f, INDArray select, INDArray previous) {
        INDArray w = select.castTo(DataType.DOUBLE);
        double count = w.sumNumber().doubleValue();
        if (count == 0) {
            return previous != null ? previous : Nd4j.zeros(DataType.DOUBLE, f.size(1));
        }
        return w.reshape(1, w.length()).mmul(f).div(count).reshape(f.size(1));
    }
}

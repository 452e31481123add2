package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Per-dimension standardisation of every modality with the statistics of one split (the training split):
 * {@code x'[.., d] = (x[.., d] - mean_d) / std_d}, mean and population standard deviation over all valid steps of all
 * examples ([N, D]: N values per dimension; [N, S, D]: the first {@code lengths[n]} steps of each example, or all S
 * when the modality has no lengths). Steps past a sequence's length are left as they are (they are masked out
 * downstream). A dimension with zero deviation is only centred.
 *
 * <p>Why: PgM's UPR (Eq. 10) reconstructs each modality's projected input; on unnormalised features such as MELD's
 * openSMILE functionals (scales 0.1 to 1e3) that target is dominated by a large constant part that grows as the
 * projection trains, and UPR rises every epoch (docs/design.md, "UPR on vector modalities").
 *
 * @param mean modality &rarr; per-dimension mean [D]
 * @param std  modality &rarr; per-dimension population standard deviation [D] (1 where it is 0)
 */
public record FeatureStandardizer(Map<String, double[]> mean, Map<String, double[]> std) {

    public FeatureStandardizer {
        mean = Collections.unmodifiableMap(new LinkedHashMap<>(mean));
        std = Collections.unmodifiableMap(new LinkedHashMap<>(std));
    }

    /** The statistics of every modality of {@code split}. */
    public static FeatureStandardizer fit(SplitData split) {
        Map<String, double[]> mean = new LinkedHashMap<>();
        Map<String, double[]> std = new LinkedHashMap<>();
        for (String m : split.modalityNames()) {
            INDArray a = split.features(m);
            int d = (int) a.size(a.rank() - 1);
            int steps = a.rank() == 3 ? (int) a.size(1) : 1;
            float[] v = a.dup('c').data().asFloat();
            double[] sum = new double[d];
            long count = forEachValidStep(split, m, steps, d, base -> {
                for (int k = 0; k < d; k++) {
                    sum[k] += v[base + k];
                }
            });
            double[] mu = new double[d];
            for (int k = 0; k < d; k++) {
                mu[k] = sum[k] / count;
            }
            double[] sq = new double[d];
            forEachValidStep(split, m, steps, d, base -> {
                for (int k = 0; k < d; k++) {
                    double c = v[base + k] - mu[k];
                    sq[k] += c * c;
                }
            });
            double[] sd = new double[d];
            for (int k = 0; k < d; k++) {
                double s = Math.sqrt(sq[k] / count);
                sd[k] = s > 0 ? s : 1;
            }
            mean.put(m, mu);
            std.put(m, sd);
        }
        return new FeatureStandardizer(mean, std);
    }

    /**
     * {@code split} with every modality standardised (ids, lengths and labels as they are).
     *
     * @throws IllegalArgumentException naming a modality this standardiser has no statistics of, or whose width differs
     */
    public SplitData apply(SplitData split) {
        Map<String, INDArray> features = new LinkedHashMap<>();
        Map<String, int[]> lengths = new LinkedHashMap<>();
        Map<String, java.util.List<String>> labels = new LinkedHashMap<>();
        for (String m : split.modalityNames()) {
            double[] mu = mean.get(m);
            INDArray a = split.features(m);
            int d = (int) a.size(a.rank() - 1);
            if (mu == null || mu.length != d) {
                throw new IllegalArgumentException("FeatureStandardizer: modality '" + m + "' of width " + d
                        + ": expected one of " + mean.keySet() + " with the width fitted, found "
                        + (mu == null ? "no statistics" : "width " + mu.length));
            }
            double[] sd = std.get(m);
            int steps = a.rank() == 3 ? (int) a.size(1) : 1;
            float[] v = a.dup('c').data().asFloat();
            forEachValidStep(split, m, steps, d, base -> {
                for (int k = 0; k < d; k++) {
                    v[base + k] = (float) ((v[base + k] - mu[k]) / sd[k]);
                }
            });
            features.put(m, Nd4j.create(v, a.shape(), 'c'));
            int[] len = split.lengths(m);
            if (len != null) {
                lengths.put(m, len);
            }
        }
        for (String t : split.targetNames()) {
            labels.put(t, split.labels(t));
        }
        return new SplitData(split.ids(), features, lengths, labels);
    }

    /**
     * Calls {@code step} with the offset of every valid step of modality {@code m} in its C-order values
     * ({@code (n S + s) D}): the first {@code lengths[n]} steps of each example, or all S when it has no lengths.
     *
     * @return the number of valid steps
     */
    private static long forEachValidStep(SplitData split, String m, int steps, int d, IntConsumer step) {
        int[] len = split.lengths(m);
        long count = 0;
        for (int n = 0; n < split.size(); n++) {
            int valid = len == null ? steps : len[n];
            for (int s = 0; s < valid; s++) {
                step.accept((n * steps + s) * d);
            }
            count += valid;
        }
        return count;
    }
}

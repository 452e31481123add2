package org.dl4jpgm.eval;

import java.util.Locale;

/**
 * The CMU-MOSI regression metrics as MMSA computes them (the paper's Table 2):
 * <ul>
 *   <li>ACC-2 and weighted F1 "Has0": negative (&lt; 0) vs non-negative (&ge; 0) over all N samples;</li>
 *   <li>ACC-2 and weighted F1 "Non0": negative vs positive, samples whose label is exactly 0 left out (predictions
 *       of exactly 0 count as negative, as in MMSA's {@code pred > 0});</li>
 *   <li>MAE: mean |prediction - label|;</li>
 *   <li>Corr: Pearson correlation (NaN when either side is constant or N &lt; 2);</li>
 *   <li>ACC-7: predictions and labels clipped to [-3, 3] and rounded half to even ({@code np.round}), then
 *       compared;</li>
 *   <li>ACC-5: the same after clipping to [-2, 2] (MMSA's {@code Mult_acc_5}: {@code np.clip(x, -2., 2.)}, then
 *       {@code __multiclass_acc}, i.e. {@code np.round} of both sides compared).</li>
 * </ul>
 * Binary counts go through DL4J's {@code Evaluation} (see {@link ClassificationMetrics}).
 */
public final class MosiMetrics {

    private final ClassificationMetrics has0;
    private final ClassificationMetrics non0;
    private final double mae;
    private final double corr;
    private final double acc7;
    private final double acc5;
    private final int count;

    private MosiMetrics(ClassificationMetrics has0, ClassificationMetrics non0, double mae, double corr, double acc7,
                        double acc5, int count) {
        this.has0 = has0;
        this.non0 = non0;
        this.mae = mae;
        this.corr = corr;
        this.acc7 = acc7;
        this.acc5 = acc5;
        this.count = count;
    }

    /**
     * @param predictions predicted sentiment per sample [N]
     * @param labels      true sentiment per sample [N], in [-3, 3]
     */
    public static MosiMetrics compute(double[] predictions, double[] labels) {
        int n = labels.length;
        if (predictions.length != n) {
            throw new IllegalArgumentException("MosiMetrics: expected as many predictions as labels, found "
                    + predictions.length + " predictions and " + n + " labels");
        }
        if (n == 0) {
            throw new IllegalArgumentException("MosiMetrics: expected at least one sample, found none");
        }
        int[] hp = new int[n];
        int[] ht = new int[n];
        int nz = 0;
        for (int i = 0; i < n; i++) {
            hp[i] = predictions[i] >= 0 ? 1 : 0;
            ht[i] = labels[i] >= 0 ? 1 : 0;
            if (labels[i] != 0) {
                nz++;
            }
        }
        int[] np = new int[nz];
        int[] nt = new int[nz];
        int k = 0;
        double absSum = 0;
        int exact7 = 0;
        int exact5 = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] != 0) {
                np[k] = predictions[i] > 0 ? 1 : 0;
                nt[k] = labels[i] > 0 ? 1 : 0;
                k++;
            }
            absSum += Math.abs(predictions[i] - labels[i]);
            if (Math.rint(clip(predictions[i], 3)) == Math.rint(clip(labels[i], 3))) {
                exact7++;
            }
            if (Math.rint(clip(predictions[i], 2)) == Math.rint(clip(labels[i], 2))) {
                exact5++;
            }
        }
        return new MosiMetrics(ClassificationMetrics.compute(hp, ht, 2), ClassificationMetrics.compute(np, nt, 2),
                absSum / n, pearson(predictions, labels), exact7 / (double) n, exact5 / (double) n, n);
    }

    private static double clip(double v, double bound) {
        return Math.max(-bound, Math.min(bound, v));
    }

    /** @return Pearson's r of x and y; NaN when N &lt; 2 or a side has zero variance */
    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    /** @return ACC-2, negative vs non-negative, all samples */
    public double acc2Has0() {
        return has0.accuracy();
    }

    /** @return ACC-2, negative vs positive, zero labels left out (NaN if every label is 0) */
    public double acc2Non0() {
        return non0.accuracy();
    }

    /** @return weighted F1, negative vs non-negative */
    public double f1Has0() {
        return has0.weightedF1();
    }

    /** @return weighted F1, negative vs positive, zero labels left out */
    public double f1Non0() {
        return non0.weightedF1();
    }

    /** @return mean absolute error */
    public double mae() {
        return mae;
    }

    /** @return Pearson correlation of predictions and labels */
    public double corr() {
        return corr;
    }

    /** @return 7-class accuracy after clipping to [-3, 3] and rounding */
    public double acc7() {
        return acc7;
    }

    /** @return 5-class accuracy after clipping to [-2, 2] and rounding (MMSA's {@code Mult_acc_5}) */
    public double acc5() {
        return acc5;
    }

    /** @return N */
    public int count() {
        return count;
    }

    /** @return the number of samples with a non-zero label (the Non0 population) */
    public int nonZeroCount() {
        return non0.count();
    }

    /** The paper's Table 2 layout: ACC-2 and F1 as Has0/Non0 in percent, MAE, Corr, ACC-7, then ACC-5 in percent. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "ACC-2 %.2f/%.2f | F1 %.2f/%.2f | MAE %.3f | Corr %.3f | ACC-7 %.2f | ACC-5 %.2f",
                100 * acc2Has0(), 100 * acc2Non0(), 100 * f1Has0(), 100 * f1Non0(), mae, corr, 100 * acc7,
                100 * acc5);
    }
}

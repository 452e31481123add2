package org.dl4jpgm.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Every expected value below is worked out by hand in the comments. */
class MetricsTest {

    private static final double EPS = 1e-12;

    @Test
    void mosiMetricsByHandWithZeroLabelsZeroPredictionAndRoundingTies() {
        double[] labels = {-1.5, 0, 2, 0.4, -0.2, 2.5};
        double[] preds = {-0.5, 0.3, 2.6, -0.1, 0.0, 3.7};
        MosiMetrics m = MosiMetrics.compute(preds, labels);
        // Has0: truth>=0 = 0 1 1 1 0 1 ; pred>=0 = 0 1 1 0 1 1 (pred 0.0 counts as non-negative) -> 4/6
        assertEquals(4 / 6.0, m.acc2Has0(), EPS);
        // class 1: TP 3 FP 1 FN 1 -> F1 0.75 (support 4); class 0: TP 1 FP 1 FN 1 -> 0.5 (support 2)
        assertEquals((4 * 0.75 + 2 * 0.5) / 6, m.f1Has0(), EPS);
        // Non0 drops the label 0 (index 1): truth>0 = 0 1 1 0 1 ; pred>0 = 0 1 0 0 1 (pred 0.0 is not positive)
        assertEquals(5, m.nonZeroCount());
        assertEquals(4 / 5.0, m.acc2Non0(), EPS);
        // class 1: TP 2 FP 0 FN 1 -> P 1 R 2/3 F1 0.8 ; class 0: TP 2 FP 1 FN 0 -> P 2/3 R 1 F1 0.8
        assertEquals(0.8, m.f1Non0(), EPS);
        // |errors| = 1, .3, .6, .5, .2, 1.2
        assertEquals(3.8 / 6, m.mae(), 1e-12);
        // means 1.0 and 3.2/6; Sxy = 11.96, Sxx = 14.8, Syy = 10.99333...
        assertEquals(11.96 / Math.sqrt(14.8 * (10.99 + 1 / 300.0)), m.corr(), 1e-9);
        // ACC-7, round half to even: labels -> -2 0 2 0 -0 2 ; preds -> -0 0 3 -0 0 3 (3.7 clipped) -> 3 equal
        // (half-up rounding would give -1 for -1.5 and 3 for 2.5, and 4/6)
        assertEquals(0.5, m.acc7(), EPS);
        // ACC-5 clips to [-2, 2]: labels -> -2 0 2 0 -0 2 (2.5 clipped) ; preds -> -0 0 2 -0 0 2 -> 5 equal
        assertEquals(5 / 6.0, m.acc5(), EPS);
        assertTrue(m.toString().startsWith("ACC-2 66.67/80.00 | F1 66.67/80.00 | MAE 0.633"), m.toString());
        assertTrue(m.toString().endsWith("| ACC-7 50.00 | ACC-5 83.33"), m.toString());
    }

    /**
     * ACC-7 and ACC-5 against MMSA's {@code __eval_mosei_regression} written out independently: {@code np.clip} to
     * the bound, then {@code np.round} (half to even, here through BigDecimal) of both sides compared, on random
     * inputs with many exact ties (values on the half-integer grid).
     */
    @Test
    void multiclassAccuraciesMatchMmsasClipAndRoundOnRandomInputsWithTies() {
        java.util.Random rnd = new java.util.Random(11);
        for (int t = 0; t < 500; t++) {
            int n = 1 + rnd.nextInt(40);
            double[] preds = new double[n];
            double[] labels = new double[n];
            for (int i = 0; i < n; i++) {
                preds[i] = rnd.nextBoolean() ? rnd.nextInt(17) / 2.0 - 4 : rnd.nextGaussian() * 2.5;
                labels[i] = rnd.nextInt(31) / 5.0 - 3;
            }
            MosiMetrics m = MosiMetrics.compute(preds, labels);
            assertEquals(mmsaMulticlassAcc(preds, labels, 3), m.acc7(), EPS);
            assertEquals(mmsaMulticlassAcc(preds, labels, 2), m.acc5(), EPS);
        }
    }

    /** {@code np.sum(np.round(np.clip(p, -b, b)) == np.round(np.clip(y, -b, b))) / len(y)}. */
    private static double mmsaMulticlassAcc(double[] preds, double[] labels, double bound) {
        int equal = 0;
        for (int i = 0; i < labels.length; i++) {
            if (npRound(Math.max(-bound, Math.min(bound, preds[i])))
                    .compareTo(npRound(Math.max(-bound, Math.min(bound, labels[i])))) == 0) {
                equal++;
            }
        }
        return equal / (double) labels.length;
    }

    private static java.math.BigDecimal npRound(double v) {
        return new java.math.BigDecimal(v).setScale(0, java.math.RoundingMode.HALF_EVEN);
    }

    @Test
    void mosiNon0IsNaNWhenEveryLabelIsZeroAndCorrIsNaNForConstants() {
        MosiMetrics m = MosiMetrics.compute(new double[]{0.5, -0.5}, new double[]{0, 0});
        assertEquals(0.5, m.acc2Has0(), EPS);
        assertTrue(Double.isNaN(m.acc2Non0()));
        assertTrue(Double.isNaN(m.f1Non0()));
        assertTrue(Double.isNaN(m.corr()));
        assertEquals(0.5, m.mae(), EPS);
        assertThrows(IllegalArgumentException.class, () -> MosiMetrics.compute(new double[1], new double[2]));
    }

    @Test
    void accuracyAndWeightedF1WithAnEmptyClassAndAnUnpredictedClass() {
        // 4 classes, class 3 never occurs (weight 0) but is predicted once
        ClassificationMetrics c = ClassificationMetrics.compute(new int[]{0, 1, 1, 1, 3, 2},
                new int[]{0, 0, 1, 1, 1, 2}, 4);
        assertEquals(4 / 6.0, c.accuracy(), EPS);
        // class 0: P 1 R 1/2 F1 2/3 (support 2); class 1: P 2/3 R 2/3 F1 2/3 (3); class 2: F1 1 (1)
        assertEquals((2 * 2 / 3.0 + 3 * 2 / 3.0 + 1) / 6, c.weightedF1(), EPS);
        // class 1 occurs but is never predicted: F1 0; class 0: P 1/2 R 1 F1 2/3
        ClassificationMetrics d = ClassificationMetrics.compute(new int[]{0, 0}, new int[]{0, 1}, 2);
        assertEquals(0.5, d.accuracy(), EPS);
        assertEquals(1 / 3.0, d.weightedF1(), EPS);
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.compute(new int[]{2}, new int[]{0}, 2));
        assertTrue(Double.isNaN(ClassificationMetrics.compute(new int[0], new int[0], 3).accuracy()));
    }

    @Test
    void mapAndPrecisionWithTiesAndAQueryWithoutRelevantItems() {
        double[][] sim = {
                {0.9, 0.5, 0.5, 0.1},   // ranks 0, 1, 2 (tie: lower index first), 3
                {0.2, 0.2, 0.2, 0.2},   // all tied: 0, 1, 2, 3
                {0.3, 0.1, 0.2, 0.0}};  // category 2: nothing relevant
        int[] q = {0, 1, 2};
        int[] g = {0, 1, 0, 1};
        // q0: relevant at ranks 1 and 3 -> (1 + 2/3) / 2 ; q1: ranks 2 and 4 -> (1/2 + 2/4) / 2 ; q2: 0
        assertEquals((5 / 6.0 + 0.5 + 0) / 3, RetrievalMetrics.meanAveragePrecision(sim, q, g, 0), EPS);
        // MAP@1: q0 1, q1 0, q2 0
        assertEquals(1 / 3.0, RetrievalMetrics.meanAveragePrecision(sim, q, g, 1), EPS);
        assertEquals((0.5 + 0.5 + 0) / 3, RetrievalMetrics.precisionAt(sim, q, g, 2), EPS);
        // k = 10 is cut to the 4 gallery items: 2/4, 2/4, 0
        assertEquals(1 / 3.0, RetrievalMetrics.precisionAt(sim, q, g, 10), EPS);
    }

    @Test
    void crossModalMapBothWaysByCategory() {
        double[][] img = {{1, 0}, {0, 1}, {1, 1}};
        double[][] txt = {{1, 0.1}, {0.1, 1}, {-1, -1}};
        int[] cat = {0, 1, 0};
        RetrievalMetrics r = RetrievalMetrics.compute(img, txt, cat);
        // i2t: img0 -> t0 t1 t2 : AP (1 + 2/3)/2 ; img1 -> t1 first: 1 ; img2 ties t0 = t1 (0.774), t2 last: 5/6
        assertEquals((5 / 6.0 + 1 + 5 / 6.0) / 3, r.mapImageToText(), EPS);
        // t2i: t0 -> img0 img2 img1: 1 ; t1 -> img1 first: 1 ; t2 ties img0 = img1 (-0.707), img2 last: 5/6
        assertEquals((1 + 1 + 5 / 6.0) / 3, r.mapTextToImage(), EPS);
        assertEquals((8 / 9.0 + 17 / 18.0) / 2, r.mapMean(), EPS);
        // P@10 cut to 3 items: 2/3, 1/3, 2/3 both ways
        assertEquals(5 / 9.0, r.precisionAt10ImageToText(), EPS);
        assertEquals(5 / 9.0, r.precisionAt10TextToImage(), EPS);
    }
}

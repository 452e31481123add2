package org.dl4jpgm.eval;

import org.nd4j.evaluation.classification.Evaluation;

/**
 * Accuracy and weighted F1 of a classification (MELD emotion / sentiment, Food-101, and MOSI's binary views).
 * Counting is done by DL4J's {@link Evaluation}; weighted F1 is {@code sum_c support_c * F1_c / N} over the classes
 * (sklearn's {@code f1_score(average="weighted")}): a class that never occurs has weight 0, a class that occurs but is
 * never predicted has F1 = 0 (Evaluation's and sklearn's convention for 0/0 precision).
 */
public final class ClassificationMetrics {

    private final double accuracy;
    private final double weightedF1;
    private final int count;

    private ClassificationMetrics(double accuracy, double weightedF1, int count) {
        this.accuracy = accuracy;
        this.weightedF1 = weightedF1;
        this.count = count;
    }

    /**
     * @param predicted  predicted class index per example [N]
     * @param actual     true class index per example [N]
     * @param numClasses number of classes C; every index must lie in [0, C)
     * @return accuracy and weighted F1; both NaN when N = 0
     */
    public static ClassificationMetrics compute(int[] predicted, int[] actual, int numClasses) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException("ClassificationMetrics: expected as many predictions as labels, found "
                    + predicted.length + " predictions and " + actual.length + " labels");
        }
        if (actual.length == 0) {
            return new ClassificationMetrics(Double.NaN, Double.NaN, 0);
        }
        Evaluation e = new Evaluation(numClasses);
        for (int i = 0; i < actual.length; i++) {
            check(predicted[i], numClasses, "prediction", i);
            check(actual[i], numClasses, "label", i);
            e.eval(predicted[i], actual[i]);
        }
        return new ClassificationMetrics(e.accuracy(), weightedF1(e, numClasses), actual.length);
    }

    private static void check(int c, int numClasses, String what, int i) {
        if (c < 0 || c >= numClasses) {
            throw new IllegalArgumentException("ClassificationMetrics: expected " + what + " " + i + " in [0, "
                    + numClasses + "), found " + c);
        }
    }

    /** @return sklearn's weighted F1 from a filled DL4J {@link Evaluation} */
    public static double weightedF1(Evaluation e, int numClasses) {
        double sum = 0;
        long total = 0;
        for (int c = 0; c < numClasses; c++) {
            int support = e.classCount(c);
            if (support > 0) {
                sum += support * e.f1(c);
                total += support;
            }
        }
        return total == 0 ? Double.NaN : sum / total;
    }

    /** @return the fraction of correct predictions */
    public double accuracy() {
        return accuracy;
    }

    /** @return F1 per class weighted by the class's support */
    public double weightedF1() {
        return weightedF1;
    }

    /** @return N, the number of examples */
    public int count() {
        return count;
    }

    /** The paper's layout (Tables 3-4): ACC and weighted F1 in percent. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "ACC %.2f | W-F1 %.2f (N=%d)", 100 * accuracy, 100 * weightedF1,
                count);
    }
}

package org.dl4jpgm.examples.experiment;

import java.util.Locale;

/**
 * The test-split metrics of one run, by task: the columns of the paper's Tables 2 and 3.
 */
public sealed interface TaskMetrics {

    /** One line with both metrics, four decimals, e.g. {@code ACC 0.8125  F1 0.8010}. */
    String format();

    /** The metrics by their names in the results files: {@code ACC}, {@code Weighted F1} or {@code MAE}, {@code Corr}. */
    java.util.Map<String, Double> named();

    /**
     * The number runs are selected and compared by, higher is better: ACC for classification, -MAE for regression
     * (the first column of the paper's tables).
     */
    double selectionScore();

    /**
     * @param accuracy   ACC in [0, 1]
     * @param weightedF1 F1 weighted by class support, in [0, 1]
     */
    record Classification(double accuracy, double weightedF1) implements TaskMetrics {
        @Override
        public double selectionScore() {
            return accuracy;
        }

        @Override
        public String format() {
            return String.format(Locale.ROOT, "ACC %.4f  F1 %.4f", accuracy, weightedF1);
        }

        @Override
        public java.util.Map<String, Double> named() {
            java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
            m.put("ACC", accuracy);
            m.put("Weighted F1", weightedF1);
            return m;
        }
    }

    /**
     * @param mae         mean absolute error
     * @param correlation Pearson correlation of predictions and targets
     */
    record Regression(double mae, double correlation) implements TaskMetrics {
        @Override
        public double selectionScore() {
            return -mae;
        }

        @Override
        public String format() {
            return String.format(Locale.ROOT, "MAE %.4f  Corr %.4f", mae, correlation);
        }

        @Override
        public java.util.Map<String, Double> named() {
            java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
            m.put("MAE", mae);
            m.put("Corr", correlation);
            return m;
        }
    }
}

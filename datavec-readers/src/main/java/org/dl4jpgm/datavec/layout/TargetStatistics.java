package org.dl4jpgm.datavec.layout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chance levels of a classification target, measured on data: the accuracy of always predicting the
 * most frequent class of a reference split (usually train) on an evaluation split, and the uniform
 * rate 1/K. A model must beat the larger of the two to have learned anything.
 */
public final class TargetStatistics {

    private TargetStatistics() {
    }

    /** The most frequent value in {@code labels} (ties: the first in encounter order). */
    public static String majorityClass(List<String> labels) {
        Map<String, Integer> counts = new HashMap<>();
        String best = null;
        for (String l : labels) {
            int c = counts.merge(l, 1, Integer::sum);
            if (best == null || c > counts.get(best)) {
                best = l;
            }
        }
        return best;
    }

    /** Accuracy on {@code eval} of always predicting the majority class of {@code reference}. */
    public static double majorityAccuracy(List<String> reference, List<String> eval) {
        String m = majorityClass(reference);
        return eval.stream().filter(m::equals).count() / (double) eval.size();
    }

    /** Uniform guessing rate 1/K. */
    public static double uniformAccuracy(TargetSpec target) {
        if (target.getTask() != TaskType.CLASSIFICATION) {
            throw new IllegalArgumentException("TargetStatistics: target '" + target.getName() + "' is regression; chance accuracy is for classification");
        }
        return 1.0 / target.getClasses().size();
    }
}

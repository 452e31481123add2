package org.dl4jpgm.train;

/**
 * One epoch of {@link TwoStageTrainer}: the stage (1 = PgM pre-training, 2 = joint), the epoch within it, and the
 * monitored losses after the epoch: PgM's objectives UFC, PFC, UPR (each the batch mean of the per-example value
 * summed over iterations; NaN for a graph without PgM) and the task loss L_T (the graph's score with α = 0, β = 1).
 * Without a monitoring iterator all four losses are NaN.
 */
public record EpochRecord(int stage, int epoch, double ufc, double pfc, double upr, double taskLoss, double seconds) {

    /**
     * One line: stage, epoch, PgM's objectives (left out for a graph without PgM, whose values are NaN), task loss and
     * seconds.
     */
    public String format() {
        String objectives = Double.isNaN(ufc) && Double.isNaN(pfc) && Double.isNaN(upr) ? ""
                : String.format(java.util.Locale.ROOT, "  UFC %.4f  PFC %.4f  UPR %.4f", ufc, pfc, upr);
        return String.format(java.util.Locale.ROOT, "stage %d epoch %3d%s  task %.4f  (%.1f s)",
                stage, epoch, objectives, taskLoss, seconds);
    }
}

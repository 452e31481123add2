package org.dl4jpgm.fusion;

/**
 * One epoch of {@link TwoStageTrainer}: the stage (1 = PgM pre-training, 2 = joint), the epoch within it, and the
 * monitored losses after the epoch: PgM's objectives UFC, PFC, UPR (each the batch mean of the per-example value
 * summed over iterations; NaN for a graph without PgM) and the task loss L_T (the graph's score with α = 0, β = 1).
 */
public record EpochRecord(int stage, int epoch, double ufc, double pfc, double upr, double taskLoss, double seconds) {

    public String format() {
        return String.format(java.util.Locale.ROOT,
                "stage %d epoch %3d  UFC %.4f  PFC %.4f  UPR %.4f  task %.4f  (%.1f s)",
                stage, epoch, ufc, pfc, upr, taskLoss, seconds);
    }
}

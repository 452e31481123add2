package org.dl4jpgm.train;

/**
 * Thrown by {@link TwoStageTrainer} when a batch gives a non-finite score or gradient: training stops before that
 * batch's update is applied, and the last checkpoint written (the last good epoch) is kept. The message names the
 * stage, the epoch, the batch and, per input of the batch, its NaN and Inf counts, all-zero rows and all-zero mask rows.
 */
public final class TrainingDivergedException extends IllegalStateException {

    private final int stage;
    private final int epoch;
    private final int batch;

    /**
     * @param stage   1 (PgM pre-training) or 2 (joint)
     * @param epoch   the epoch within the stage, from 1
     * @param batch   the batch within the epoch, from 1
     * @param message the full message
     */
    public TrainingDivergedException(int stage, int epoch, int batch, String message) {
        super(message);
        this.stage = stage;
        this.epoch = epoch;
        this.batch = batch;
    }

    /** The stage: 1 (PgM pre-training) or 2 (joint). */
    public int stage() {
        return stage;
    }

    /** The epoch within the stage, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, from 1. */
    public int batch() {
        return batch;
    }
}

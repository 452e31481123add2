package org.dl4jpgm.train;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A cosine decay of a learning rate over stage 2 of {@link TwoStageTrainer}, as a DL4J schedule: stage 1 keeps the
 * rate it had, stage 2 anneals it from its value to {@code F ×} its value (not in the paper, whose rates are constant).
 *
 * <p>At stage-2 iteration {@code j} of {@code T} (graph iteration {@code S + j}, S the stage-1 iterations, as in
 * {@link StageTwoWarmup}: the graph's counter is not reset between the stages) the rate is the base schedule's value
 * there times
 * <pre>  f(j) = F + (1 - F) × (1 + cos(π j / T)) / 2</pre>
 * (PyTorch's {@code CosineAnnealingLR} with η_min = F η_max, stepped per iteration): 1 at the first stage-2 batch,
 * F + (1 - F)(1 + cos(π (T - 1) / T)) / 2 at the last. Iterations after stage 2 keep the last value. The base is the
 * updater's own rate or schedule (e.g. {@link StageTwoWarmup#linear}: the two multiply), so a decayed warm-up still
 * ramps first.
 *
 * <p>The result is a {@link MapSchedule} keyed on iterations (DL4J's {@code CosineSchedule} would count from iteration
 * 0, so stage 1 would consume part of it, and it has no notion of a floor): one key where the base changes in stage 1,
 * one per stage-2 iteration. It is part of the graph's configuration, so checkpoints and saved models carry it and a
 * resumed run continues the decay. F = 1 is no decay: callers keep the updater as it is, and training is the same, bit
 * for bit, as without the option.
 */
public final class StageTwoDecay {

    private StageTwoDecay() {
    }

    /**
     * The decay factor f(j) of stage-2 iteration {@code j} of {@code T}.
     *
     * @param j             0 &lt;= j; j &gt;= T gives f(T - 1)
     * @param stage2        T &gt;= 1
     * @param finalFraction F in [0, 1]
     */
    public static double factor(int j, int stage2, double finalFraction) {
        int k = Math.min(j, stage2 - 1);
        return finalFraction + (1 - finalFraction) * (1 + Math.cos(Math.PI * k / stage2)) / 2;
    }

    /**
     * {@code base} with its stage-2 values multiplied by {@link #factor}.
     *
     * @param base             the rate without decay (e.g. a {@code FixedSchedule} or a warm-up)
     * @param stage1Iterations S &gt;= 0, the graph's iteration count when stage 2 begins
     * @param stage2Iterations T &gt;= 1, stage 2's iterations (epochs × batches per epoch,
     *                         {@link StageTwoWarmup#iterations} of the stage-2 epochs)
     * @param finalFraction    F in [0, 1]
     * @throws IllegalArgumentException for S &lt; 0, T &lt; 1 or F outside [0, 1]
     */
    public static ISchedule cosine(ISchedule base, int stage1Iterations, int stage2Iterations, double finalFraction) {
        check(stage1Iterations, stage2Iterations, finalFraction);
        MapSchedule.Builder b = new MapSchedule.Builder(ScheduleType.ITERATION).add(0, base.valueAt(0, 0));
        for (int i = 1; i < stage1Iterations; i++) {
            double v = base.valueAt(i, 0);
            if (v != base.valueAt(i - 1, 0)) {
                b.add(i, v);
            }
        }
        for (int j = 0; j < stage2Iterations; j++) {
            int i = stage1Iterations + j;
            b.add(i, base.valueAt(i, 0) * factor(j, stage2Iterations, finalFraction));
        }
        return b.build();
    }

    /**
     * A copy of {@code updater} (its other settings, e.g. Adam's betas, kept) whose learning rate follows
     * {@link #cosine} of its own rate or schedule.
     *
     * @throws IllegalArgumentException for an updater without a learning rate (e.g. {@code NoOp}), or the arguments
     *                                  {@link #cosine} refuses
     */
    public static IUpdater decayed(IUpdater updater, int stage1Iterations, int stage2Iterations,
                                   double finalFraction) {
        if (!updater.hasLearningRate()) {
            throw new IllegalArgumentException("StageTwoDecay: " + updater.getClass().getSimpleName()
                    + " has no learning rate to decay");
        }
        IUpdater copy = updater.clone();
        ISchedule schedule = cosine(new UpdaterRate(updater), stage1Iterations, stage2Iterations, finalFraction);
        copy.setLrAndSchedule(schedule.valueAt(0, 0), schedule);
        return copy;
    }

    private static void check(int stage1Iterations, int stage2Iterations, double finalFraction) {
        if (stage1Iterations < 0 || stage2Iterations < 1 || !(finalFraction >= 0 && finalFraction <= 1)) {
            throw new IllegalArgumentException("StageTwoDecay: expected stage-1 iterations >= 0, stage-2 iterations "
                    + ">= 1 and a final fraction in [0, 1]; found " + stage1Iterations + ", " + stage2Iterations
                    + ", " + finalFraction);
        }
    }

    /** An updater's own rate as a schedule, read only while the decayed schedule is built. */
    private record UpdaterRate(IUpdater updater) implements ISchedule {
        @Override
        public double valueAt(int iteration, int epoch) {
            return updater.getLearningRate(iteration, epoch);
        }

        @Override
        public ISchedule clone() {
            return this;
        }
    }
}

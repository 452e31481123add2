package org.dl4jpgm.train;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A linear learning-rate warm-up that begins with stage 2 of {@link TwoStageTrainer}, as a DL4J schedule for the
 * updater of the parts that stage 1 leaves untrained (e.g. PgM's head: {@code FusionSpec.headUpdater}).
 *
 * <p><b>The iteration counter.</b> DL4J's updaters read a schedule at the graph's iteration count (the number of
 * parameter updates since the graph was initialised, kept in its configuration and saved with it), and
 * {@link TwoStageTrainer} does not reset it between the stages: stage 2's first batch is iteration
 * {@code S = N1 × batches per epoch}, not 0. DL4J's {@code RampSchedule} ramps over iterations 0 .. K-1 of that
 * counter, so stage 1 would consume its ramp (and it has no JSON constructor, so a graph holding one cannot be read
 * back by {@code ModelSerializer}, which checkpoints and saved models need). {@link #linear} is a {@link MapSchedule}
 * keyed on iterations instead, with the ramp shifted by {@code S}: at iteration {@code S + i} the rate is
 * {@code rate × (i + 1) / K} for {@code i < K} (RampSchedule's formula, counted from stage 2's first batch), and
 * {@code rate} from {@code S + K - 1} on. Before {@code S} it holds the first step's rate {@code rate / K}; under stage
 * 1's weights (β = 0) the task loss contributes no gradient, so the parts after PgM's features are not changed by
 * stage 1 whatever their rate (Adam's moments stay 0).
 *
 * <p>The schedule is part of the graph's configuration, so a checkpoint or a saved model carries it, and a resumed run
 * continues the ramp from the saved iteration count. A warm-up of 0 iterations is no schedule at all: callers keep the
 * plain updater, and training is the same, bit for bit, as without the option.
 */
public final class StageTwoWarmup {

    private StageTwoWarmup() {
    }

    /**
     * A linear ramp from {@code rate / K} to {@code rate} over the first {@code K} iterations of stage 2.
     *
     * @param rate             the rate after the warm-up (finite, &gt; 0)
     * @param stage1Iterations S, the graph's iteration count when stage 2 begins (N1 × batches per epoch; 0 for a
     *                         graph trained in stage 2 only)
     * @param warmupIterations K &gt;= 1, the stage-2 iterations of the ramp
     * @throws IllegalArgumentException for a rate that is not finite and positive, S &lt; 0 or K &lt; 1
     */
    public static ISchedule linear(double rate, int stage1Iterations, int warmupIterations) {
        if (!(rate > 0) || Double.isInfinite(rate) || stage1Iterations < 0 || warmupIterations < 1) {
            throw new IllegalArgumentException("StageTwoWarmup: expected a finite rate > 0, stage-1 iterations >= 0 "
                    + "and warm-up iterations >= 1; found rate = " + rate + ", stage1Iterations = " + stage1Iterations
                    + ", warmupIterations = " + warmupIterations);
        }
        MapSchedule.Builder b = new MapSchedule.Builder(ScheduleType.ITERATION).add(0, rate / warmupIterations);
        for (int i = 0; i < warmupIterations; i++) {
            b.add(stage1Iterations + i, rate * (i + 1) / warmupIterations);
        }
        return b.build();
    }

    /**
     * Adam (DL4J's default betas and ε) whose learning rate follows {@link #linear}.
     *
     * @see #linear(double, int, int)
     */
    public static Adam adam(double rate, int stage1Iterations, int warmupIterations) {
        return new Adam(linear(rate, stage1Iterations, warmupIterations));
    }

    /**
     * The iterations of {@code epochs} epochs of {@code examples} examples in batches of {@code batchSize} (the last
     * batch of an epoch may be smaller and counts as one): with the stage-1 epochs, S for {@link #linear}; with the
     * stage-2 epochs, the length of a stage-2 schedule ({@link StageTwoDecay}).
     */
    public static int iterations(int epochs, long examples, int batchSize) {
        if (epochs < 0 || examples < 0 || batchSize < 1) {
            throw new IllegalArgumentException("StageTwoWarmup: expected epochs >= 0, examples >= 0 and a "
                    + "batch size >= 1; found " + epochs + ", " + examples + ", " + batchSize);
        }
        return Math.toIntExact(epochs * ((examples + batchSize - 1) / batchSize));
    }
}

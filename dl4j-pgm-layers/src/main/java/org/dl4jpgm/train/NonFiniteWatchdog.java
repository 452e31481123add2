package org.dl4jpgm.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;

/**
 * The trainer's check of every batch: after the gradient is computed and before the update is applied
 * ({@code onGradientCalculation}), a non-finite score or a non-finite value in the gradient view throws a
 * {@link TrainingDivergedException} that names the stage, epoch and batch and describes the batch's inputs.
 */
final class NonFiniteWatchdog extends BaseTrainingListener {

    private int stage;
    private int epoch;
    private int batch;

    /** Called before each epoch: the stage and the epoch within it (from 1); the batch count starts again. */
    void start(int stage, int epoch) {
        this.stage = stage;
        this.epoch = epoch;
        this.batch = 0;
    }

    @Override
    public void onGradientCalculation(Model model) {
        batch++;
        double score = model.score();
        INDArray gradient = model instanceof ComputationGraph g ? g.getGradientsViewArray() : null;
        long[] bad = gradient == null ? new long[2] : nonFinite(gradient);
        if (Double.isFinite(score) && bad[0] == 0 && bad[1] == 0) {
            return;
        }
        StringBuilder m = new StringBuilder(String.format(Locale.ROOT,
                "TwoStageTrainer: non-finite training at stage %d, epoch %d, batch %d (iteration %d): score %s, "
                        + "gradient with %d NaN and %d Inf of %d values; the last checkpoint written is kept. Inputs of "
                        + "the batch:", stage, epoch, batch,
                model instanceof ComputationGraph g ? g.getConfiguration().getIterationCount() : -1, score, bad[0],
                bad[1], gradient == null ? 0 : gradient.length()));
        if (model instanceof ComputationGraph g) {
            m.append(describeInputs(g));
        }
        throw new TrainingDivergedException(stage, epoch, batch, m.toString());
    }

    private static String describeInputs(ComputationGraph g) {
        StringBuilder m = new StringBuilder();
        List<String> names = g.getConfiguration().getNetworkInputs();
        INDArray[] inputs = g.getInputs();
        INDArray[] masks = g.getInputMaskArrays();
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (int i = 0; inputs != null && i < inputs.length; i++) {
                INDArray x = inputs[i];
                String name = i < names.size() ? names.get(i) : "input " + i;
                if (x == null) {
                    m.append(String.format(Locale.ROOT, "%n  %s: none", name));
                    continue;
                }
                long[] bad = nonFinite(x);
                long rows = x.size(0);
                INDArray flat = x.reshape('c', rows, x.length() / Math.max(rows, 1));
                long zeroRows = rows - flat.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).max(1)
                        .sumNumber().longValue();
                m.append(String.format(Locale.ROOT, "%n  %s %s: %d NaN, %d Inf, %d of %d rows all zero", name,
                        java.util.Arrays.toString(x.shape()), bad[0], bad[1], zeroRows, rows));
                INDArray mask = masks != null && i < masks.length ? masks[i] : null;
                if (mask != null) {
                    INDArray mf = mask.reshape('c', mask.size(0), mask.length() / Math.max(mask.size(0), 1));
                    long zeroMaskRows = mask.size(0) - mf.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT32)
                            .max(1).sumNumber().longValue();
                    m.append(String.format(Locale.ROOT, "; mask: %d of %d rows all zero", zeroMaskRows, mask.size(0)));
                }
                if (bad[0] > 0 || bad[1] > 0 || zeroRows > 0) {
                    m.append("  <- non-finite or degenerate");
                }
            }
        }
        return m.toString();
    }

    /** Counts of NaN and of ±Inf in {@code a}. */
    static long[] nonFinite(INDArray a) {
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            long nan = a.isNaN().castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
            long inf = a.isInfinite().castTo(org.nd4j.linalg.api.buffer.DataType.INT32).sumNumber().longValue();
            return new long[]{nan, inf};
        }
    }
}

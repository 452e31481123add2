package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.NoOpUpdater;

import java.util.Random;
import java.util.function.Supplier;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UpdaterPass} in {@link FlatGradientUpdater}: a PgM graph (Adam at two rates, Nesterovs, batch normalisation's
 * running estimates under a no-op updater) trains to the same parameters, updater state and score as with DL4J's own
 * updater, with and without the minibatch division, the optimizer's step taken in the pass; the pass steps aside
 * (DL4J's update and step run, the same bits) for weight decay and gradient normalisation; Adam with the division
 * joined equals libnd4j's division then {@code adam_updater}.
 */
class UpdaterPassTest {

    /** Trains a stock graph and one with the fast updaters side by side; returns the fast graph's updater. */
    private static FlatGradientUpdater trainAlike(Supplier<ComputationGraph> graph, int steps) {
        ComputationGraph stock = graph.get();
        ComputationGraph fast = graph.get();
        assertTrue(GraphUpdaters.install(fast) > 0, "Adam blocks in Java");
        assertTrue(FusedParameterStep.install(fast, 0), "the step in the pass, whatever the graph's size");
        UpdaterTestGraph.fitAlike(stock, fast, 0, steps, () -> { });
        assertTrue(stock.params().sub(graph.get().params()).amaxNumber().doubleValue() > 1e-4,
                "training moved the parameters");
        FlatGradientUpdater u = assertInstanceOf(FlatGradientUpdater.class, fast.getUpdater());
        FusedParameterStep step = assertInstanceOf(FusedParameterStep.class,
                fast.getOptimizer().getGradientsAccumulator());
        assertEquals(u.runsPass() ? steps : 0, step.stepsTaken(), "the steps taken in the pass");
        return u;
    }

    private static ComputationGraph plain() {
        return UpdaterTestGraph.graph(new NeuralNetConfiguration.Builder());
    }

    @Test
    void trainsBitForBitAsDl4jsUpdater() {
        FlatGradientUpdater u = trainAlike(UpdaterPassTest::plain, 6);
        assertTrue(u.runsPass(), "no regularisation, no gradient normalisation: the pass runs");
        boolean noOp = false;
        for (UpdaterBlock b : u.getUpdaterBlocks()) {
            noOp |= b.getGradientUpdater() instanceof NoOpUpdater;
        }
        assertTrue(noOp, "the batch normalisation's running estimates: a block DL4J neither divides nor updates");
    }

    @Test
    void withoutMinibatchDivisionToo() {
        FlatGradientUpdater u = trainAlike(() -> UpdaterTestGraph.graph(new NeuralNetConfiguration.Builder()
                .miniBatch(false)), 4);
        assertTrue(u.runsPass());
    }

    @Test
    void stepsAsideForWeightDecay() {
        FlatGradientUpdater u = trainAlike(UpdaterTestGraph::graph, 4);
        assertFalse(u.runsPass(), "weight decay acts between the division and the updater: DL4J's update runs");
    }

    @Test
    void stepsAsideForGradientNormalisation() {
        FlatGradientUpdater u = trainAlike(() -> UpdaterTestGraph.graph(new NeuralNetConfiguration.Builder()
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(1e-3)), 4);
        assertFalse(u.runsPass(), "gradient clipping acts between the division and the updater");
    }

    @Test
    void adamWithTheDivisionEqualsLibnd4jsDivisionThenAdam() {
        Random r = new Random(5);
        int n = 2 * JavaAdamUpdater.BLOCK + 9;
        INDArray m1 = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v1 = Nd4j.zeros(DataType.FLOAT, n);
        INDArray m2 = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v2 = Nd4j.zeros(DataType.FLOAT, n);
        int[] batches = {1, 3, 7, 12, 128, 1000};
        for (int it = 0; it < 12; it++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) (r.nextGaussian() * Math.pow(10, -(it % 5)));
            }
            int batch = batches[it % batches.length];
            INDArray g1 = Nd4j.createFromArray(g).divi(batch);
            INDArray g2 = Nd4j.createFromArray(g);
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(g1, v1, m1, 3e-3, 0.9, 0.999, 1e-8, it));
            JavaAdamUpdater.update(g2, m2, v2, 3e-3, 0.9, 0.999, 1e-8, it, batch);
            assertBitIdentical(g1, g2, "update at iteration " + it + ", minibatch " + batch);
            assertBitIdentical(m1, m2, "first moment at iteration " + it);
            assertBitIdentical(v1, v2, "second moment at iteration " + it);
        }
    }
}

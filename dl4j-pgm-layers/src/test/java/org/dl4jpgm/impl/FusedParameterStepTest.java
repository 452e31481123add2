package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.stepfunctions.NegativeDefaultStepFunction;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.IndexedTail;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.function.Supplier;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FusedParameterStep}: {@link GraphUpdaters} installs it on graphs of {@link FusedParameterStep#MIN_PARAMETERS}
 * parameters or more; installed on the small PgM graph of these tests, the updater's pass takes every step
 * (Adam blocks in Adam's pass, the Nesterovs and no-op blocks after their updaters) and the graph trains to the same
 * parameters, updater state, updates and score as with DL4J's own update and step; the property hands the step back
 * to DL4J from one step to the next; an update called outside the optimizer steps nothing; a graph with an
 * accumulator of its own or another step function keeps DL4J's step; a clone does not carry it.
 */
class FusedParameterStepTest {

    private static ComputationGraph plain() {
        return UpdaterTestGraph.graph(new NeuralNetConfiguration.Builder());
    }

    /** The graph's updater on {@link GraphUpdaters}' fast paths, and the step fused whatever its size. */
    private static void install(ComputationGraph g) {
        assertTrue(GraphUpdaters.install(g) > 0, "Adam blocks in Java");
        FusedParameterStep.install(g, 0);
    }

    @Test
    void theUpdaterTakesEveryStepBitForBitAsDl4j() {
        ComputationGraph stock = plain();
        ComputationGraph fast = plain();
        install(fast);
        assertNull(stock.getOptimizer().getGradientsAccumulator(), "DL4J's graph: no accumulator");
        FusedParameterStep step = assertInstanceOf(FusedParameterStep.class,
                fast.getOptimizer().getGradientsAccumulator());
        assertTrue(FusedParameterStep.install(fast, 0), "a second install keeps it");
        assertSame(step, fast.getOptimizer().getGradientsAccumulator());
        UpdaterTestGraph.fitAlike(stock, fast, 0, 6, () -> { });
        assertEquals(6, step.stepsTaken(), "every step taken in the updater's pass");
        assertTrue(stock.params().sub(plain().params()).amaxNumber().doubleValue() > 1e-4, "training moved them");
        assertNull(fast.clone().getOptimizer().getGradientsAccumulator(), "a clone takes DL4J's step");
    }

    @Test
    void thePropertyHandsTheStepBackToDl4jFromOneStepToTheNext() {
        ComputationGraph stock = plain();
        ComputationGraph fast = plain();
        install(fast);
        FusedParameterStep step = (FusedParameterStep) fast.getOptimizer().getGradientsAccumulator();
        int[] k = {0};
        try {
            UpdaterTestGraph.fitAlike(stock, fast, 0, 6, () -> System.setProperty(FusedParameterStep.PROPERTY,
                    k[0]++ % 2 == 0 ? "false" : "true"));
        } finally {
            System.clearProperty(FusedParameterStep.PROPERTY);
        }
        assertEquals(3, step.stepsTaken(), "the steps with the property true");
    }

    @Test
    void anUpdateOutsideTheOptimizerStepsNothing() {
        ComputationGraph stock = plain();
        ComputationGraph fast = plain();
        install(fast);
        UpdaterTestGraph.fitAlike(stock, fast, 0, 2, () -> { });
        FusedParameterStep step = (FusedParameterStep) fast.getOptimizer().getGradientsAccumulator();
        MultiDataSet d = UpdaterTestGraph.data(7);
        for (ComputationGraph g : new ComputationGraph[]{stock, fast}) {
            g.setInputs(d.getFeatures());
            g.setLabels(d.getLabels());
            g.computeGradientAndScore();
        }
        INDArray before = fast.params().dup();
        for (ComputationGraph g : new ComputationGraph[]{stock, fast}) {
            Gradient gr = g.gradient();
            g.getUpdater().update(gr, g.getIterationCount(), g.getEpochCount(), 12, LayerWorkspaceMgr.noWorkspaces());
        }
        assertBitIdentical(before, fast.params(), "the parameters, after an update outside fit");
        assertBitIdentical(stock.getFlattenedGradients(), fast.getFlattenedGradients(), "the updates");
        assertEquals(2, step.stepsTaken());
    }

    @Test
    void aGraphWithAnAccumulatorOfItsOwnKeepsIt() {
        ComputationGraph stock = plain();
        ComputationGraph fast = plain();
        SteppingAccumulator own = new SteppingAccumulator();
        fast.setGradientsAccumulator(own);
        install(fast);
        assertSame(own, fast.getOptimizer().getGradientsAccumulator(), "the user's accumulator stays");
        UpdaterTestGraph.fitAlike(stock, fast, 0, 3, () -> { });
        assertEquals(3, own.steps, "DL4J handed each step to it");
    }

    @Test
    void anotherStepFunctionKeepsDl4jsStep() {
        Supplier<ComputationGraph> g = () -> UpdaterTestGraph.graph(new NeuralNetConfiguration.Builder()
                .stepFunction(new NegativeDefaultStepFunction()));
        ComputationGraph stock = g.get();
        ComputationGraph fast = g.get();
        GraphUpdaters.install(fast);
        assertFalse(FusedParameterStep.install(fast, 0), "a step function other than DL4J's default for SGD");
        assertNull(fast.getOptimizer().getGradientsAccumulator());
        UpdaterTestGraph.fitAlike(stock, fast, 0, 3, () -> { });
    }

    @Test
    void sharesNoGradients() {
        ComputationGraph g = plain();
        install(g);
        GradientsAccumulator a = g.getOptimizer().getGradientsAccumulator();
        assertFalse(a.hasAnything());
        assertThrows(UnsupportedOperationException.class, () -> a.receiveUpdate(g.params()));
    }

    @Test
    void graphUpdatersFuseTheStepFromMinParametersOn() {
        ComputationGraph small = plain();
        long n = small.params().length();
        assertTrue(n < FusedParameterStep.MIN_PARAMETERS, "the tests' graph is small: " + n);
        GraphUpdaters.install(small);
        assertNull(small.getOptimizer().getGradientsAccumulator(), "below MIN_PARAMETERS: DL4J's step");
        assertFalse(FusedParameterStep.install(small, n + 1), "one parameter short");
        assertTrue(FusedParameterStep.install(small, n), "exactly the parameters asked for");
        assertThrows(IllegalArgumentException.class, () -> FusedParameterStep.install(plain(), -1));
    }

    /** A user's accumulator: takes DL4J's step as the optimizer would, counting them. */
    private static final class SteppingAccumulator implements GradientsAccumulator {
        private int steps;

        @Override
        public void applyUpdate(StepFunction function, INDArray params, INDArray updates, boolean isFinalStep) {
            function.step(params, updates);
            steps++;
        }

        @Override
        public void applyUpdate(StepFunction function, INDArray params, INDArray updates, double alpha) {
            function.step(params, updates, alpha);
        }

        @Override
        public void setExternalSource(IndexedTail source) {
        }

        @Override
        public IndexedTail getExternalSource() {
            return null;
        }

        @Override
        public void storeUpdate(INDArray array, int iterationNumber, int epochNumber) {
        }

        @Override
        public void receiveUpdate(INDArray array) {
        }

        @Override
        public void markExternalUpdates(boolean updatesAvailable) {
        }

        @Override
        public void reset() {
        }

        @Override
        public void touch() {
        }

        @Override
        public boolean hasAnything() {
            return false;
        }
    }
}

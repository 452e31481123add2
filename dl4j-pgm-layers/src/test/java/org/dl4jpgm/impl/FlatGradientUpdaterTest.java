package org.dl4jpgm.impl;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FlatGradientUpdater}: DL4J M2.1 loses the flattened gradient's identity (measured); with the updater in place
 * training is bit-identical to DL4J's own updater (parameters and updater state of a PgM graph with batch
 * normalisation, weight decay and a Nesterovs block after several Adam steps), it takes DL4J's standard path for the
 * network's own gradient and the external one for any other memory, it keeps the state of the updater it replaces,
 * and a saved graph restores to the same parameters and state.
 */
class FlatGradientUpdaterTest {



    @Test
    void dl4jLosesTheFlattenedGradientsIdentity() {
        assertTrue(FlatGradientUpdater.gradientViewLost(), "DL4J 1.0.0-M2.1 reshapes the flattened gradient at each "
                + "call; if this fails DL4J no longer does, and install() leaves graphs as they are");
        ComputationGraph g = UpdaterTestGraph.graph();
        g.fit(UpdaterTestGraph.data(1));
        assertNotSame(g.getFlattenedGradients(), g.gradient().gradient(), "what makes DL4J's updater take its external "
                + "path");
    }

    @Test
    void trainsBitForBitAsDl4jsOwnUpdater() {
        ComputationGraph stock = UpdaterTestGraph.graph();
        ComputationGraph flat = UpdaterTestGraph.graph();
        assertTrue(FlatGradientUpdater.install(flat));
        assertTrue(FlatGradientUpdater.install(flat), "a second install keeps the updater");
        assertInstanceOf(FlatGradientUpdater.class, flat.getUpdater());
        assertBitIdentical(stock.params(), flat.params(), "parameters");
        for (int k = 0; k < 6; k++) {
            stock.fit(UpdaterTestGraph.data(k));
            flat.fit(UpdaterTestGraph.data(k));
        }
        assertBitIdentical(stock.params(), flat.params(), "parameters after 6 steps");
        assertBitIdentical(stock.getUpdater().getStateViewArray(), flat.getUpdater().getStateViewArray(),
                "the updater state");
        assertEquals(stock.score(), flat.score(), 0.0);
        assertTrue(stock.params().sub(UpdaterTestGraph.graph().params()).amaxNumber().doubleValue() > 1e-4,
                "training moved the parameters");
    }

    @Test
    void takesTheStandardPathOnlyForTheNetworksOwnMemory() {
        ComputationGraph g = UpdaterTestGraph.graph();
        FlatGradientUpdater.install(g);
        g.fit(UpdaterTestGraph.data(2));
        FlatGradientUpdater u = (FlatGradientUpdater) g.getUpdater();
        Gradient own = g.gradient();
        assertNotSame(g.getFlattenedGradients(), own.gradient());
        Gradient handed = u.asNetworkArray(own);
        assertSame(g.getFlattenedGradients(), handed.gradient(), "the network's array itself");
        assertEquals(own.gradientForVariable().keySet(), handed.gradientForVariable().keySet());
        for (String k : own.gradientForVariable().keySet()) {
            assertSame(own.gradientForVariable().get(k), handed.gradientForVariable().get(k), k);
            assertEquals(own.flatteningOrderForVariable(k), handed.flatteningOrderForVariable(k), k);
        }
        Gradient copy = new DefaultGradient(g.getFlattenedGradients().dup());
        assertSame(copy, u.asNetworkArray(copy), "another network's gradient (other memory) stays external");
        INDArray shifted = g.getFlattenedGradients().reshape(g.getFlattenedGradients().length())
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, g.getFlattenedGradients().length()));
        Gradient offset = new DefaultGradient(shifted);
        assertSame(offset, u.asNetworkArray(offset), "a view that starts elsewhere stays external");
    }

    @Test
    void keepsTheStateOfTheUpdaterItReplaces() {
        ComputationGraph stock = UpdaterTestGraph.graph();
        ComputationGraph late = UpdaterTestGraph.graph();
        for (int k = 0; k < 3; k++) {
            stock.fit(UpdaterTestGraph.data(k));
            late.fit(UpdaterTestGraph.data(k));
        }
        assertFalse(late.getUpdater() instanceof FlatGradientUpdater);
        FlatGradientUpdater.install(late);
        for (int k = 3; k < 6; k++) {
            stock.fit(UpdaterTestGraph.data(k));
            late.fit(UpdaterTestGraph.data(k));
        }
        assertBitIdentical(stock.params(), late.params(), "parameters");
        assertBitIdentical(stock.getUpdater().getStateViewArray(), late.getUpdater().getStateViewArray(),
                "updater state");
    }

    @Test
    void savedGraphRestoresParametersAndState(@TempDir File dir) throws Exception {
        ComputationGraph g = UpdaterTestGraph.graph();
        FlatGradientUpdater.install(g);
        for (int k = 0; k < 3; k++) {
            g.fit(UpdaterTestGraph.data(k));
        }
        File f = new File(dir, "g.zip");
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph r = ModelSerializer.restoreComputationGraph(f, true);
        assertBitIdentical(g.params(), r.params(), "parameters");
        assertBitIdentical(g.getUpdater().getStateViewArray(), r.getUpdater().getStateViewArray(), "updater state");
        FlatGradientUpdater.install(r);
        g.fit(UpdaterTestGraph.data(9));
        r.fit(UpdaterTestGraph.data(9));
        assertBitIdentical(g.params(), r.params(), "one more step from the restored graph");
    }
}

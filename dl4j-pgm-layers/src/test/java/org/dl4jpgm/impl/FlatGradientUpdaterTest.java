package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PgmFusion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.Random;

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
 * normalisation, L2 and weight decay after several Adam steps), it takes DL4J's standard path for the network's own
 * gradient and the external one for any other memory, it keeps the state of the updater it replaces, and a saved graph
 * restores to the same parameters and state.
 */
class FlatGradientUpdaterTest {

    private static ComputationGraph graph() {
        Adam adam = new Adam(0.01);
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(adam).l2(1e-3).weightDecay(1e-3).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs("a", "b").setInputTypes(InputType.feedForward(5), InputType.feedForward(4));
        PgmOptions opts = PgmOptions.builder().width(4).iterations(1).learnerMode(LearnerMode.SEQUENCE)
                .learnerHeads(2).tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).build();
        Fused f = PgmFusion.add(b, FusionSpec.builder().pgm(opts).headHeads(2).headFfnSize(8).modelUpdater(adam)
                .learnerUpdater(new Adam(0.003)).decoderUpdater(adam).headInputNormalized(true).build(), "a", "b");
        b.addLayer("norm", new BatchNormalization.Builder().build(), f.output())
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "norm").setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    private static MultiDataSet data(int seed) {
        Random r = new Random(seed);
        INDArray a = Nd4j.create(DataType.FLOAT, 12, 5);
        INDArray bb = Nd4j.create(DataType.FLOAT, 12, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 12, 3);
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 5; j++) {
                a.putScalar(i, j, r.nextGaussian());
            }
            for (int j = 0; j < 4; j++) {
                bb.putScalar(i, j, r.nextGaussian());
            }
            y.putScalar(i, r.nextInt(3), 1.0);
        }
        return new MultiDataSet(new INDArray[]{a, bb}, new INDArray[]{y});
    }

    @Test
    void dl4jLosesTheFlattenedGradientsIdentity() {
        assertTrue(FlatGradientUpdater.gradientViewLost(), "DL4J 1.0.0-M2.1 reshapes the flattened gradient at each "
                + "call; if this fails DL4J no longer does, and install() leaves graphs as they are");
        ComputationGraph g = graph();
        g.fit(data(1));
        assertNotSame(g.getFlattenedGradients(), g.gradient().gradient(), "what makes DL4J's updater take its external "
                + "path");
    }

    @Test
    void trainsBitForBitAsDl4jsOwnUpdater() {
        ComputationGraph stock = graph();
        ComputationGraph flat = graph();
        assertTrue(FlatGradientUpdater.install(flat));
        assertTrue(FlatGradientUpdater.install(flat), "a second install keeps the updater");
        assertInstanceOf(FlatGradientUpdater.class, flat.getUpdater());
        assertBitIdentical(stock.params(), flat.params(), "parameters");
        for (int k = 0; k < 6; k++) {
            stock.fit(data(k));
            flat.fit(data(k));
        }
        assertBitIdentical(stock.params(), flat.params(), "parameters after 6 steps");
        assertBitIdentical(stock.getUpdater().getStateViewArray(), flat.getUpdater().getStateViewArray(), "Adam's moments");
        assertEquals(stock.score(), flat.score(), 0.0);
        assertTrue(stock.params().sub(graph().params()).amaxNumber().doubleValue() > 1e-4, "training moved the "
                + "parameters");
    }

    @Test
    void takesTheStandardPathOnlyForTheNetworksOwnMemory() {
        ComputationGraph g = graph();
        FlatGradientUpdater.install(g);
        g.fit(data(2));
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
        ComputationGraph stock = graph();
        ComputationGraph late = graph();
        for (int k = 0; k < 3; k++) {
            stock.fit(data(k));
            late.fit(data(k));
        }
        assertFalse(late.getUpdater() instanceof FlatGradientUpdater);
        FlatGradientUpdater.install(late);
        for (int k = 3; k < 6; k++) {
            stock.fit(data(k));
            late.fit(data(k));
        }
        assertBitIdentical(stock.params(), late.params(), "parameters");
        assertBitIdentical(stock.getUpdater().getStateViewArray(), late.getUpdater().getStateViewArray(), "updater state");
    }

    @Test
    void savedGraphRestoresParametersAndState(@TempDir File dir) throws Exception {
        ComputationGraph g = graph();
        FlatGradientUpdater.install(g);
        for (int k = 0; k < 3; k++) {
            g.fit(data(k));
        }
        File f = new File(dir, "g.zip");
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph r = ModelSerializer.restoreComputationGraph(f, true);
        assertBitIdentical(g.params(), r.params(), "parameters");
        assertBitIdentical(g.getUpdater().getStateViewArray(), r.getUpdater().getStateViewArray(), "updater state");
        FlatGradientUpdater.install(r);
        g.fit(data(9));
        r.fit(data(9));
        assertBitIdentical(g.params(), r.params(), "one more step from the restored graph");
    }
}

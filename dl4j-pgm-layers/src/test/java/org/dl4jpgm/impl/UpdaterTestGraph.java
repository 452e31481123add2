package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PgmFusion;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The small PgM graph the updater tests train: two vector modalities, PgM with Adam at two rates and Nesterovs for
 * the decoder (so that the updater has Adam blocks and another kind), weight decay (by default), batch normalisation
 * after the head, a softmax output; and minibatches of 12 drawn from {@code java.util.Random}.
 */
final class UpdaterTestGraph {

    private UpdaterTestGraph() {
    }

    static ComputationGraph graph() {
        return graph(new NeuralNetConfiguration.Builder().weightDecay(1e-3));
    }

    /** The graph on the given global settings (seed, data type, updater and weight init are set here). */
    static ComputationGraph graph(NeuralNetConfiguration.Builder global) {
        Adam adam = new Adam(0.01);
        ComputationGraphConfiguration.GraphBuilder b = global.seed(3)
                .dataType(DataType.FLOAT).updater(adam).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs("a", "b").setInputTypes(InputType.feedForward(5), InputType.feedForward(4));
        PgmOptions opts = PgmOptions.builder().width(4).iterations(1).learnerMode(LearnerMode.SEQUENCE)
                .learnerHeads(2).tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).build();
        Fused f = PgmFusion.add(b, FusionSpec.builder().pgm(opts).headHeads(2).headFfnSize(8).modelUpdater(adam)
                .learnerUpdater(new Adam(0.003)).decoderUpdater(new Nesterovs(0.01, 0.9))
                .headInputNormalized(true).build(), "a", "b");
        b.addLayer("norm", new BatchNormalization.Builder().build(), f.output())
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "norm").setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /**
     * Fits both graphs on minibatches {@code from, ..., from + steps - 1} ({@link #data}), {@code beforeEach} run
     * before each, and asserts the same parameters after every step, then the same updater state, last updates (the
     * flattened gradient array after the updater) and score, bit for bit.
     */
    static void fitAlike(ComputationGraph stock, ComputationGraph fast, int from, int steps, Runnable beforeEach) {
        for (int k = from; k < from + steps; k++) {
            beforeEach.run();
            stock.fit(data(k));
            fast.fit(data(k));
            assertBitIdentical(stock.params(), fast.params(), "parameters after step " + (k + 1));
        }
        assertBitIdentical(stock.getUpdater().getStateViewArray(), fast.getUpdater().getStateViewArray(),
                "the updater state");
        assertBitIdentical(stock.getFlattenedGradients(), fast.getFlattenedGradients(), "the last updates");
        assertEquals(stock.score(), fast.score(), 0.0);
    }

    static MultiDataSet data(int seed) {
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
}

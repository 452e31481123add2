package org.dl4jpgm.spark;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.impl.FlatGradientUpdater;
import org.dl4jpgm.impl.JavaAdamUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link GraphUpdatersHook}: on a worker's graph it installs {@link FlatGradientUpdater} with {@link JavaAdamUpdater}
 * in its blocks before the minibatch, keeping the updater state the graph holds, and training then goes on as with DL4J's updater; the hook survives Java
 * serialization (dl4j-spark ships it to the executors).
 */
class GraphUpdatersHookTest {

    private static ComputationGraph graph() {
        ComputationGraphConfiguration c = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).graphBuilder().addInputs("x")
                .addLayer("d", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build(), "x")
                .addLayer("o", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
                        .activation(Activation.IDENTITY).build(), "d").setOutputs("o").build();
        ComputationGraph g = new ComputationGraph(c);
        g.init();
        return g;
    }

    /** A minibatch from {@code java.util.Random} (ND4J's {@code rand} does not follow {@code Nd4j.getRandom()}'s seed). */
    private static MultiDataSet data(long seed) {
        java.util.Random r = new java.util.Random(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, 6, 4);
        INDArray y = Nd4j.create(DataType.FLOAT, 6, 2);
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                x.putScalar(i, j, r.nextGaussian());
            }
            for (int j = 0; j < 2; j++) {
                y.putScalar(i, j, r.nextGaussian());
            }
        }
        return new MultiDataSet(new INDArray[]{x}, new INDArray[]{y});
    }

    @Test
    void installsOnTheWorkersGraphKeepingItsUpdaterState() throws Exception {
        ComputationGraph worker = graph();
        ComputationGraph stock = graph();
        for (int k = 0; k < 2; k++) {
            worker.fit(data(k));
            stock.fit(data(k));
        }
        INDArray state = worker.getUpdater().getStateViewArray().dup();
        GraphUpdatersHook hook = roundTrip(new GraphUpdatersHook());
        hook.preUpdate(data(2), worker);
        assertInstanceOf(FlatGradientUpdater.class, worker.getUpdater());
        assertEquals(state, worker.getUpdater().getStateViewArray(), "the state the worker received");
        FlatGradientUpdater installed = (FlatGradientUpdater) worker.getUpdater();
        installed.getUpdaterBlocks().forEach(b -> assertInstanceOf(JavaAdamUpdater.class, b.getGradientUpdater()));
        hook.preUpdate(data(3), worker);
        assertSame(installed, worker.getUpdater(), "installed once");
        for (int k = 2; k < 4; k++) {
            worker.fit(data(k));
            stock.fit(data(k));
        }
        assertEquals(stock.params(), worker.params());
        assertEquals(stock.getUpdater().getStateViewArray(), worker.getUpdater().getStateViewArray());
    }

    private static GraphUpdatersHook roundTrip(GraphUpdatersHook hook) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(hook);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (GraphUpdatersHook) in.readObject();
        }
    }
}

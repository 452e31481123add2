package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.conf.BoundBatchNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.Map;
import java.util.function.Consumer;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BoundBatchNormalizationRuntime} against DL4J's own {@code BatchNormalization} runtime, bit for bit: in a graph
 * whose dense layer before it receives its error (so the error it passes back counts), forward passes in training and
 * inference, gradients, and the parameters and running estimates after training steps, for float and double, both
 * parameterisations of the running variance, and a batch size that changes.
 */
class BoundBatchNormalizationTest {

    private static final int FEATURES_IN = 6;
    private static final int FEATURES = 10;
    private static final int CLASSES = 3;

    /** The graph in -> dense -> norm -> out, with DL4J's layer ({@code bound} false) or the bound one. */
    private static ComputationGraph graph(DataType type, boolean bound, Consumer<BatchNormalization> settings) {
        BatchNormalization norm = bound ? new BoundBatchNormalization()
                : new BatchNormalization.Builder().build();
        settings.accept(norm);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new Adam(0.05)).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(FEATURES_IN).nOut(FEATURES)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("norm", norm, "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(FEATURES)
                        .nOut(CLASSES).activation(Activation.SOFTMAX).build(), "norm")
                .setOutputs("out").setInputTypes(InputType.feedForward(FEATURES_IN)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static MultiDataSet batch(DataType type, int b, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(type, b, FEATURES_IN).muli(3).subi(1);
        INDArray y = Nd4j.zeros(type, b, CLASSES);
        for (int i = 0; i < b; i++) {
            y.putScalar(i, (i * 7 + seed) % CLASSES, 1.0);
        }
        return new MultiDataSet(x, y);
    }

    private static long boundPasses(ComputationGraph g) {
        return ((BoundBatchNormalizationRuntime) g.getLayer("norm")).boundPasses();
    }

    /** Trains both graphs side by side and compares everything a step computes. */
    private static void assertSameTraining(DataType type, Consumer<BatchNormalization> settings, boolean expectBound) {
        ComputationGraph dl4j = graph(type, false, settings);
        ComputationGraph bound = graph(type, true, settings);
        assertBitIdentical(dl4j.params(), bound.params(), "initial parameters");
        int[] sizes = {32, 32, 17, 32, 5};
        for (int step = 0; step < sizes.length; step++) {
            MultiDataSet d = batch(type, sizes[step], 100 + step);
            String at = type + " step " + step + " (B " + sizes[step] + "): ";
            Map<String, INDArray> a = dl4j.feedForward(d.getFeatures(), true);
            Map<String, INDArray> b = bound.feedForward(d.getFeatures(), true);
            assertBitIdentical(a.get("norm"), b.get("norm"), at + "training forward");
            assertBitIdentical(dl4j.outputSingle(d.getFeatures()), bound.outputSingle(d.getFeatures()),
                    at + "inference output");

            dl4j.setInputs(d.getFeatures());
            dl4j.setLabels(d.getLabels());
            bound.setInputs(d.getFeatures());
            bound.setLabels(d.getLabels());
            dl4j.computeGradientAndScore();
            bound.computeGradientAndScore();
            assertEquals(dl4j.score(), bound.score(), 0.0, at + "score");
            assertBitIdentical(dl4j.getGradientsViewArray(), bound.getGradientsViewArray(), at + "gradients");

            dl4j.fit(d);
            bound.fit(d);
            assertBitIdentical(dl4j.params(), bound.params(), at + "parameters after the step");
        }
        if (expectBound) {
            assertTrue(boundPasses(bound) > 0, "the bound passes ran");
        } else {
            assertEquals(0, boundPasses(bound), "DL4J's own passes ran");
        }
    }

    @Test
    void trainsAsDl4jsLayerInFloat() {
        assertSameTraining(DataType.FLOAT, n -> { }, true);
    }

    @Test
    void trainsAsDl4jsLayerInDouble() {
        assertSameTraining(DataType.DOUBLE, n -> { }, true);
    }

    @Test
    void trainsAsDl4jsLayerWithTheVarianceKeptAsVariance() {
        assertSameTraining(DataType.FLOAT, n -> n.setUseLogStd(false), true);
        assertSameTraining(DataType.DOUBLE, n -> n.setUseLogStd(false), true);
    }

    @Test
    void otherSettingsRunDl4jsOwnPasses() {
        assertSameTraining(DataType.FLOAT, n -> {
            n.setLockGammaBeta(true);
            n.setGamma(1.5);
            n.setBeta(0.25);
        }, false);
    }

    @Test
    void opPlansSwitchedOffRunDl4jsOwnPasses() {
        System.setProperty("org.dl4jpgm.opPlans", "false");
        try {
            assertSameTraining(DataType.FLOAT, n -> { }, false);
        } finally {
            System.clearProperty("org.dl4jpgm.opPlans");
        }
    }

    /** The layer alone: an inference forward pass, then a backward pass (DL4J's forward runs again for it). */
    @Test
    void backwardAfterAnInferenceForwardIsDl4jsOwn() {
        for (boolean training : new boolean[]{true, false}) {
            ComputationGraph dl4j = graph(DataType.DOUBLE, false, n -> { });
            ComputationGraph bound = graph(DataType.DOUBLE, true, n -> { });
            dl4j.fit(batch(DataType.DOUBLE, 16, 1));
            bound.fit(batch(DataType.DOUBLE, 16, 1));
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.rand(DataType.DOUBLE, 16, FEATURES).subi(0.5);
            INDArray eps = Nd4j.rand(DataType.DOUBLE, 16, FEATURES).subi(0.5);
            long before = boundPasses(bound);
            Pair<Gradient, INDArray> a = pass(dl4j, x, eps, training);
            Pair<Gradient, INDArray> b = pass(bound, x, eps, training);
            assertBitIdentical(a.getSecond(), b.getSecond(), "error passed back, training forward " + training);
            for (String key : a.getFirst().gradientForVariable().keySet()) {
                assertBitIdentical(a.getFirst().getGradientFor(key), b.getFirst().getGradientFor(key),
                        "gradient " + key + ", training forward " + training);
            }
            assertEquals(before + (training ? 2 : 1), boundPasses(bound), "bound passes, training forward " + training);
        }
    }

    private static Pair<Gradient, INDArray> pass(ComputationGraph g, INDArray x, INDArray eps, boolean training) {
        org.deeplearning4j.nn.api.Layer layer = g.getLayer("norm");
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x.dup(), mgr);
        layer.activate(training, mgr);
        Pair<Gradient, INDArray> p = layer.backpropGradient(eps.dup(), mgr);
        return new Pair<>(p.getFirst(), p.getSecond().dup());
    }

    @Test
    void jsonAndModelSerializerRoundTrips(@TempDir File dir) throws Exception {
        ComputationGraph g = graph(DataType.FLOAT, true, n -> { });
        g.fit(batch(DataType.FLOAT, 32, 5));
        ComputationGraphConfiguration conf = g.getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back, "JSON round trip");
        assertEquals(conf, ComputationGraphConfiguration.fromYaml(conf.toYaml()), "YAML round trip");
        BoundBatchNormalization norm = new BoundBatchNormalization();
        assertNotEquals(new BatchNormalization.Builder().build(), norm, "DL4J's own layer with the same settings");
        assertNotEquals(norm, new BatchNormalization.Builder().build(), "and the other way round");

        File file = new File(dir, "bound-norm.zip");
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertInstanceOf(BoundBatchNormalizationRuntime.class, restored.getLayer("norm"));
        assertBitIdentical(g.params(), restored.params(), "restored parameters");
        MultiDataSet d = batch(DataType.FLOAT, 32, 6);
        assertBitIdentical(g.outputSingle(d.getFeatures()), restored.outputSingle(d.getFeatures()), "restored output");
        g.fit(d);
        restored.fit(d);
        assertBitIdentical(g.params(), restored.params(), "a step after restoring (updater state restored)");
    }
}

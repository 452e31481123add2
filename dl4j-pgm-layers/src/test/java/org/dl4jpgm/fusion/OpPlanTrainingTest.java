package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.dl4jpgm.impl.OwnedArrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training PgM with its layers' graphs run as op plans ({@code impl/OpPlan}) gives, bit for bit, the parameters,
 * scores and outputs of SameDiff's session: masked sequences, a last minibatch of another size, both learner modes;
 * a gradient reuses the training forward pass only where it is the forward pass of its own input.
 */
class OpPlanTrainingTest {

    private static final String PROPERTY = "org.dl4jpgm.opPlans";

    @AfterEach
    void plansOnAgain() {
        System.clearProperty(PROPERTY);
    }

    private static ComputationGraph graph(LearnerMode mode) {
        return FusionFixtures.pgmClassifier(FusionFixtures.smallPgm(mode, 2, GateGradient.STRAIGHT_THROUGH), 11)
                .graph();
    }

    /** {@code epochs} epochs of {@code data}, the score after each; {@code data} reset after the last. */
    private static double[] fitEpochs(ComputationGraph g, MultiDataSetIterator data, int epochs) {
        double[] scores = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            data.reset();
            g.fit(data);
            scores[e] = g.score();
        }
        data.reset();
        return scores;
    }

    /** 3 epochs on 13 examples in minibatches of 5 (the last of 3), scores per epoch; the graph after. */
    private static Object[] train(LearnerMode mode, boolean plans) {
        System.setProperty(PROPERTY, Boolean.toString(plans));
        ComputationGraph g = graph(mode);
        MultiDataSetIterator data = FusionFixtures.data(13, 5, 3, DataType.FLOAT, true);
        double[] scores = fitEpochs(g, data, 3);
        MultiDataSet first = data.next();
        INDArray out = g.output(false, first.getFeatures(), first.getFeaturesMaskArrays())[0];
        int fused = 0;
        int accumulated = 0;
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l instanceof CorrectedSameDiffLayer c) {
                CorrectedSameDiffLayer.PlanUse use = c.planUse();
                System.out.println("op plans of " + l.conf().getLayer().getLayerName() + ": " + use);
                // with plans: one gradient plan per minibatch size (5 and 3), whose first part is the training
                // forward pass, and one forward plan for the output of 5 after training; without: none
                assertEquals(new CorrectedSameDiffLayer.PlanUse(plans ? 1 : 0, plans ? 2 : 0, false), use,
                        l.conf().getLayer().getLayerName());
                assertEquals(plans ? 9 : 0, c.forwardPassesReused(), "every one of the 9 steps computed its forward "
                        + "pass once: " + l.conf().getLayer().getLayerName());
                // each parameter's gradient is an op's own output, which the plan writes into DL4J's view
                assertEquals(plans ? c.paramTable().size() : 0, c.gradientsInPlace(), "gradients written into the "
                        + "views, not copied: " + l.conf().getLayer().getLayerName());
                fused += c.fusedGroups();
                accumulated += c.accumulatedSums();
            }
        }
        // the decoder's layer normalisation at least: its ops and its gradient's ran as loops (OpGroup)
        assertEquals(plans, fused >= 2, "groups of ops run as loops: " + fused);
        // N = 2: the learners' and the decoder's weights have two gradients each, summed by the second product
        assertEquals(plans, accumulated > 0, "sums of a weight's gradients computed by its products: " + accumulated);
        return new Object[]{g.params().dup(), scores, out};
    }

    @ParameterizedTest
    @EnumSource(LearnerMode.class)
    void plansTrainAsTheSessionDoesBitForBit(LearnerMode mode) {
        Supplier<Object[]> session = () -> train(mode, false);
        Object[] s = session.get();
        Object[] p = train(mode, true);
        assertArrayEquals((double[]) s[1], (double[]) p[1], "scores per epoch");
        // exactly, not INDArray.equals (which allows a tolerance)
        assertArrayEquals(((INDArray) s[0]).ravel().toDoubleVector(), ((INDArray) p[0]).ravel().toDoubleVector(), 0.0,
                "parameters after training");
        assertArrayEquals(((INDArray) s[2]).ravel().toDoubleVector(), ((INDArray) p[2]).ravel().toDoubleVector(), 0.0,
                "outputs after training");
    }

    /**
     * Vector modalities through dense encoders, PgM with the head's batch normalisation, dropout after the head: the
     * layers hand their own arrays to DL4J's training step ({@code impl/OwnedArrays}: the packing vertex's errors, the
     * normalisation's output and error, the plans' activations and errors), which the encoders and the dropout write
     * into in place; and to {@code output}'s next layers. Bit for bit the session's training and outputs, and the
     * activations that {@code feedForward} and {@code output} return are copies that the next pass leaves alone.
     */
    @org.junit.jupiter.api.Test
    void lentArraysTrainAsTheSessionDoesBitForBit() {
        Object[] s = trainVectors(false);
        Object[] p = trainVectors(true);
        assertArrayEquals((double[]) s[1], (double[]) p[1], "scores per epoch");
        assertArrayEquals(((INDArray) s[0]).ravel().toDoubleVector(), ((INDArray) p[0]).ravel().toDoubleVector(), 0.0,
                "parameters after training");
        assertBitIdentical((INDArray) s[2], (INDArray) p[2], "output of the first minibatch");
        assertBitIdentical((INDArray) s[3], (INDArray) p[3], "output of the second minibatch");
    }

    private static Object[] trainVectors(boolean plans) {
        System.setProperty(PROPERTY, Boolean.toString(plans));
        FusionSpec spec = FusionSpec.builder().pgm(FusionFixtures.smallPgm(LearnerMode.SEQUENCE, 2,
                GateGradient.STRAIGHT_THROUGH)).headHeads(2).headFfnSize(8).headInputNormalized(true).build();
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder b =
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                        .updater(FusionFixtures.adam()).weightInit(org.deeplearning4j.nn.weights.WeightInit.XAVIER)
                        .graphBuilder().addInputs("a", "b")
                        .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(5),
                                org.deeplearning4j.nn.conf.inputs.InputType.feedForward(3))
                        .addLayer("encA", dense(6), "a")
                        .addLayer("encB", dense(4), "b");
        Fused f = PgmFusion.add(b, spec, "encA", "encB");
        b.addLayer("drop", new org.deeplearning4j.nn.conf.layers.DropoutLayer.Builder(0.7).build(), f.output())
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "drop")
                .setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        Nd4j.getRandom().setSeed(123);
        MultiDataSetIterator data = FusionFixtures.dataFF(13, 5, 3, DataType.FLOAT);
        double[] scores = fitEpochs(g, data, 3);
        MultiDataSet first = data.next();
        Map<String, INDArray> one = g.feedForward(first.getFeatures(), true);
        Map<String, INDArray> kept = new java.util.HashMap<>();
        one.forEach((k, v) -> kept.put(k, v.dup()));
        data.reset();
        data.next();
        g.feedForward(data.next().getFeatures(), true);
        for (String v : List.of(f.pgmVertex(), f.output(), spec.getPrefix() + PgmFusion.NORM)) {
            assertTrue(one.containsKey(v), v);
            assertBitIdentical(kept.get(v), one.get(v), "feedForward's " + v + " after the next pass");
        }
        // inference: output lends the intermediate activations (the plans' and the normalisation's own arrays) to
        // the next layers of the call; what output and feedForward return are copies the next call leaves alone
        data.reset();
        MultiDataSet x1 = data.next();
        MultiDataSet x2 = data.next();
        INDArray out1 = g.output(false, x1.getFeatures(), null)[0];
        INDArray out1Kept = out1.dup();
        Map<String, INDArray> ff1 = g.feedForward(x1.getFeatures(), false);
        Map<String, INDArray> ff1Kept = new java.util.HashMap<>();
        ff1.forEach((k, v) -> ff1Kept.put(k, v.dup()));
        INDArray out2 = g.output(false, x2.getFeatures(), null)[0];
        g.feedForward(x2.getFeatures(), false);
        assertBitIdentical(out1Kept, out1, "output's result after the next call");
        for (String v : List.of(f.pgmVertex(), f.output(), spec.getPrefix() + PgmFusion.NORM)) {
            assertBitIdentical(ff1Kept.get(v), ff1.get(v), "inference feedForward's " + v + " after the next call");
        }
        if (plans) {
            assertTrue(inferenceActivationLent((CorrectedSameDiffLayer) g.getLayer(f.pgmVertex()),
                    ff1.get(spec.getPrefix() + PgmFusion.PACK)), "PgM's activation in output's workspace: its plan's");
        }
        return new Object[]{g.params().dup(), scores, out1, out2};
    }

    /**
     * Whether two inference passes of the layer in DL4J's per-layer activation workspace return one array (the plan's
     * own, lent) rather than a copy each.
     */
    private static boolean inferenceActivationLent(CorrectedSameDiffLayer layer, INDArray input) {
        LayerWorkspaceMgr perLayer = LayerWorkspaceMgr.builder()
                .with(ArrayType.ACTIVATIONS, OwnedArrays.INFERENCE_ACTIVATIONS + "0",
                        org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration.builder().build())
                .defaultNoWorkspace().build();
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = perLayer.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
            layer.setInput(input, perLayer);
            INDArray a = layer.activate(false, perLayer);
            INDArray b = layer.activate(false, perLayer);
            layer.clear();
            return a == b;
        }
    }

    private static org.deeplearning4j.nn.conf.layers.DenseLayer dense(int out) {
        return new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(out)
                .activation(org.nd4j.linalg.activations.Activation.TANH).dropOut(0.8).build();
    }

    @org.junit.jupiter.api.Test
    void aGraphWithListenersRunsInTheSession() {
        System.setProperty(PROPERTY, "true");
        ComputationGraph g = graph(LearnerMode.SEQUENCE);
        MultiDataSetIterator data = FusionFixtures.data(5, 5, 3, DataType.FLOAT, true);
        MultiDataSet batch = data.next();
        g.fit(batch);
        CorrectedSameDiffLayer pgm = (CorrectedSameDiffLayer) g.getLayer("fusionPgm");
        assertEquals(new CorrectedSameDiffLayer.PlanUse(0, 1, false), pgm.planUse());
        assertEquals(1, pgm.forwardPassesReused());
        int[] ops = {0};
        pgm.sameDiff().setListeners(new org.nd4j.autodiff.listeners.BaseListener() {
            @Override
            public boolean isActive(org.nd4j.autodiff.listeners.Operation operation) {
                return true;
            }

            @Override
            public void opExecution(org.nd4j.autodiff.samediff.SameDiff sd, org.nd4j.autodiff.listeners.At at,
                                    MultiDataSet b, org.nd4j.autodiff.samediff.internal.SameDiffOp op,
                                    org.nd4j.linalg.api.ops.OpContext oc, INDArray[] outputs) {
                ops[0]++;
            }
        });
        g.fit(batch);
        assertTrue(ops[0] > 100, "the listener saw the step's ops: " + ops[0]);
    }

    /** The gradient's parameter part (copied: the views are overwritten) and input part, of one backward pass. */
    private static List<INDArray> gradient(CorrectedSameDiffLayer layer, INDArray error, LayerWorkspaceMgr mgr) {
        Pair<Gradient, INDArray> p = layer.backpropGradient(error, mgr);
        List<INDArray> all = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : p.getFirst().gradientForVariable().entrySet()) {
            all.add(e.getValue().dup());
        }
        all.add(p.getSecond().dup());
        return all;
    }

    private static void assertSameGradient(List<INDArray> expected, List<INDArray> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertBitIdentical(expected.get(i), actual.get(i), what + ", part " + i);
        }
    }

    @org.junit.jupiter.api.Test
    void aGradientReusesTheTrainingForwardPassOfItsOwnInputOnly() {
        System.setProperty(PROPERTY, "true");
        ComputationGraph g = graph(LearnerMode.SEQUENCE);
        MultiDataSet batch = FusionFixtures.data(5, 5, 3, DataType.FLOAT, true).next();
        g.fit(batch);
        CorrectedSameDiffLayer pgm = (CorrectedSameDiffLayer) g.getLayer("fusionPgm");
        String before = g.getConfiguration().getVertexInputs().get("fusionPgm").get(0);
        INDArray x2 = g.feedForward(batch.getFeatures(), false).get(before).dup();
        INDArray x1 = x2.mul(0.5);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        INDArray error = Nd4j.randn(DataType.FLOAT, pgm.activate(x2, false, mgr).shape());

        pgm.setInput(x2, mgr);
        List<INDArray> expected = gradient(pgm, error, mgr);   // no training forward pass before it: its own
        long reused = pgm.forwardPassesReused();

        pgm.activate(x1, true, mgr);
        pgm.setInput(x2, mgr);
        assertSameGradient(expected, gradient(pgm, error, mgr), "after the forward pass of another input array");
        assertEquals(reused, pgm.forwardPassesReused());

        pgm.activate(x2, true, mgr);
        pgm.clear();
        pgm.setInput(x2, mgr);
        assertSameGradient(expected, gradient(pgm, error, mgr), "after a clear");
        assertEquals(reused, pgm.forwardPassesReused());

        pgm.activate(x2, true, mgr);
        assertSameGradient(expected, gradient(pgm, error, mgr), "after the forward pass of its own input");
        assertEquals(reused + 1, pgm.forwardPassesReused());

        assertSameGradient(expected, gradient(pgm, error, mgr), "a second gradient after one forward pass");
        assertEquals(reused + 1, pgm.forwardPassesReused(), "the forward part is used once");
    }

    /**
     * Single-key attention does not reach its query and key parameters (SameDiff makes no gradient variable for them):
     * both runtime paths write a zero gradient into their views, and train the other parameters.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void parametersTheOutputDoesNotReachGetAZeroGradient(boolean plans) {
        System.setProperty(PROPERTY, Boolean.toString(plans));
        Fused[] fused = new Fused[1];
        ComputationGraph g = FusionFixtures.ffGraph(FusionFixtures.pgmSpec(FusionFixtures.smallPgm(LearnerMode.SEQUENCE,
                2, GateGradient.STRAIGHT_THROUGH)), FusionFixtures.adam(), f -> fused[0] = f);   // one-step modalities
        MultiDataSet batch = FusionFixtures.dataFF(5, 5, 3, DataType.FLOAT).next();
        g.fit(batch);   // makes the gradient views and the gradient function
        String name = fused[0].pgmVertex();
        CorrectedSameDiffLayer pgm = (CorrectedSameDiffLayer) g.getLayer(name);
        List<String> unreached = new ArrayList<>();
        for (String p : pgm.paramTable().keySet()) {
            if (pgm.sameDiff().getVariable(p).getGradient() == null) {
                unreached.add(p);
            }
        }
        assertTrue(unreached.stream().anyMatch(p -> p.endsWith(org.dl4jpgm.blocks.MultiHeadAttentionBlock.WQ)),
                "the single-key attentions' W_q: " + unreached);
        g.getFlattenedGradients().assign(7.0);   // what the updater leaves in the views
        g.setInputs(batch.getFeatures());
        g.setLabels(batch.getLabels());
        g.computeGradientAndScore();
        Map<String, INDArray> grads = g.gradient().gradientForVariable();
        for (String p : unreached) {
            INDArray view = grads.get(name + "_" + p);
            assertTrue(view != null, "a gradient for " + p);
            assertEquals(0.0, view.amaxNumber().doubleValue(), 0.0, p + " (plans " + plans + ")");
        }
        assertTrue(grads.get(name + "_" + pgm.paramTable().keySet().stream()
                        .filter(p -> p.endsWith(org.dl4jpgm.blocks.MultiHeadAttentionBlock.WV)).findFirst().orElseThrow())
                .amaxNumber().doubleValue() > 0, "W_v is reached");
    }
}

package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.impl.CorrectedSameDiffGraphVertex;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vertex runtime ({@link CorrectedSameDiffGraphVertex}) with its graph run as op plans trains as SameDiff's session
 * does, bit for bit: the three components chained (partitioner and learner layers, the decoder vertex), masked
 * sequences in both layouts, a last minibatch of another size.
 */
class VertexOpPlanTrainingTest {

    private static final String PROPERTY = "org.dl4jpgm.opPlans";
    private static final long WIDTH = 8;
    private static final long SEQ = 4;

    @AfterEach
    void plansOnAgain() {
        System.clearProperty(PROPERTY);
    }

    private static MultiDataSet batch(long mb, RNNFormat format, long seed) {
        INDArray x = TestGraphs.input(mb, WIDTH, SEQ, format, seed);
        INDArray y = TestGraphs.input(mb, 2, SEQ, format, seed + 1);
        INDArray mask = TestGraphs.mask(mb, SEQ);
        return new MultiDataSet(new INDArray[]{x}, new INDArray[]{y}, new INDArray[]{mask}, new INDArray[]{mask});
    }

    /** 3 steps on minibatches of 5, 5 and 3; the scores, the parameters and an output after. */
    private static Object[] train(RNNFormat format, boolean plans) {
        System.setProperty(PROPERTY, Boolean.toString(plans));
        ComputationGraph g = new ComputationGraph(TestGraphs.chainConf(WIDTH, SEQ, format, LearnerMode.SEQUENCE,
                GateGradient.STRAIGHT_THROUGH, new Adam(1e-2)));
        g.init();
        double[] scores = new double[3];
        long[] sizes = {5, 5, 3};
        for (int i = 0; i < 3; i++) {
            g.fit(batch(sizes[i], format, 100 + i));
            scores[i] = g.score();
        }
        MultiDataSet b = batch(5, format, 7);
        INDArray out = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0];
        CorrectedSameDiffGraphVertex dec = (CorrectedSameDiffGraphVertex) g.getVertex("dec");
        // with plans: one gradient plan per minibatch size (5 and 3), whose first part is the training forward
        // pass, and one forward plan for the output after training; without: none
        assertEquals(new CorrectedSameDiffLayer.PlanUse(plans ? 1 : 0, plans ? 2 : 0, false), dec.planUse());
        assertEquals(plans ? 3 : 0, dec.forwardPassesReused(), "each of the 3 steps computed its forward pass once");
        return new Object[]{g.params().dup(), scores, out};
    }

    @Test
    void plansTrainAsTheSessionDoesBitForBit() {
        // the chain's SubsetVertex splits axis 1, the channels of NCW only; both layouts: the next test
        RNNFormat format = RNNFormat.NCW;
        Object[] s = train(format, false);
        Object[] p = train(format, true);
        assertArrayEquals((double[]) s[1], (double[]) p[1], 0.0, "scores per step");
        assertArrayEquals(((INDArray) s[0]).ravel().toDoubleVector(), ((INDArray) p[0]).ravel().toDoubleVector(), 0.0,
                "parameters after training");
        assertArrayEquals(((INDArray) s[2]).ravel().toDoubleVector(), ((INDArray) p[2]).ravel().toDoubleVector(), 0.0,
                "outputs after training");
    }

    /** The decoder vertex alone: its gradient for both inputs, masked, in both layouts. */
    private static Object[] gradient(RNNFormat format, boolean plans, long mb) {
        System.setProperty(PROPERTY, Boolean.toString(plans));
        ComputationGraph g = TestGraphs.decoder(WIDTH, SEQ, format);
        INDArray mask = TestGraphs.mask(mb, SEQ);
        g.setInputs(TestGraphs.input(mb, WIDTH, SEQ, format, 3), TestGraphs.input(mb, WIDTH, SEQ, format, 4));
        g.setLabels(TestGraphs.input(mb, 2, SEQ, format, 5));
        g.setLayerMaskArrays(new INDArray[]{mask, mask}, new INDArray[]{mask});
        g.computeGradientAndScore();
        double score = g.score();
        INDArray grad = g.gradient().gradient().dup();
        INDArray out = g.outputSingle(false, TestGraphs.input(mb, WIDTH, SEQ, format, 3),
                TestGraphs.input(mb, WIDTH, SEQ, format, 4));
        CorrectedSameDiffGraphVertex dec = (CorrectedSameDiffGraphVertex) g.getVertex("dec");
        assertEquals(plans ? 1 : 0, dec.forwardPassesReused(), "the gradient used the training forward pass");
        return new Object[]{score, grad, out, dec.planUse()};
    }

    @ParameterizedTest
    @EnumSource(value = RNNFormat.class)
    void theDecodersGradientIsTheSessionsBitForBit(RNNFormat format) {
        for (long mb : new long[]{5, 1}) {
            Object[] s = gradient(format, false, mb);
            Object[] p = gradient(format, true, mb);
            assertEquals((double) s[0], (double) p[0], 0.0, "score");
            assertArrayEquals(((INDArray) s[1]).toDoubleVector(), ((INDArray) p[1]).toDoubleVector(), 0.0,
                    "the parameters' gradient");
            assertArrayEquals(((INDArray) s[2]).ravel().toDoubleVector(), ((INDArray) p[2]).ravel().toDoubleVector(),
                    0.0, "output without masks");
            assertEquals(new CorrectedSameDiffLayer.PlanUse(0, 0, false), s[3]);
            assertEquals(new CorrectedSameDiffLayer.PlanUse(1, 1, false), p[3],
                    "one plan per shape: the unmasked output gets all-ones masks of the same shape");
        }
    }

    @Test
    void aVertexWithListenersRunsInTheSession() {
        System.setProperty(PROPERTY, "true");
        ComputationGraph g = TestGraphs.chain(WIDTH, SEQ, RNNFormat.NCW, LearnerMode.SEQUENCE,
                GateGradient.STRAIGHT_THROUGH);
        MultiDataSet b = batch(5, RNNFormat.NCW, 1);
        g.fit(b);
        CorrectedSameDiffGraphVertex dec = (CorrectedSameDiffGraphVertex) g.getVertex("dec");
        assertEquals(new CorrectedSameDiffLayer.PlanUse(0, 1, false), dec.planUse());
        int[] ops = {0};
        dec.sameDiff().setListeners(new org.nd4j.autodiff.listeners.BaseListener() {
            @Override
            public boolean isActive(org.nd4j.autodiff.listeners.Operation operation) {
                return true;
            }

            @Override
            public void opExecution(org.nd4j.autodiff.samediff.SameDiff sd, org.nd4j.autodiff.listeners.At at,
                                    org.nd4j.linalg.dataset.api.MultiDataSet batch,
                                    org.nd4j.autodiff.samediff.internal.SameDiffOp op,
                                    org.nd4j.linalg.api.ops.OpContext oc, INDArray[] outputs) {
                ops[0]++;
            }
        });
        g.fit(b);
        assertTrue(ops[0] > 20, "the listener saw the vertex's ops: " + ops[0]);
    }

    /**
     * The decoder on feed-forward inputs (one step: its attention has a single key, which does not reach W_q, b_q, W_k,
     * b_k): the session and the plans give the same gradient, zero for those four.
     */
    @Test
    void theSingleKeyDecodersUnreachedParametersGetZeroGradientsOnBothPaths() {
        INDArray[] grads = new INDArray[2];
        for (boolean plans : new boolean[]{false, true}) {
            System.setProperty(PROPERTY, Boolean.toString(plans));
            ComputationGraph g = TestGraphs.decoder(WIDTH, 0, RNNFormat.NCW);
            g.setInputs(TestGraphs.input(3, WIDTH, 0, RNNFormat.NCW, 3), TestGraphs.input(3, WIDTH, 0, RNNFormat.NCW, 4));
            g.setLabels(TestGraphs.input(3, 2, 0, RNNFormat.NCW, 5));
            g.computeGradientAndScore();
            g.getFlattenedGradients().assign(7.0);   // what an updater leaves in the views
            g.computeGradientAndScore();
            grads[plans ? 1 : 0] = g.gradient().gradient().dup();
            CorrectedSameDiffGraphVertex dec = (CorrectedSameDiffGraphVertex) g.getVertex("dec");
            int unreached = 0;
            for (Map.Entry<String, INDArray> e : g.gradient().gradientForVariable().entrySet()) {
                String p = e.getKey().substring(e.getKey().indexOf('_') + 1);
                if (e.getKey().startsWith("dec_") && dec.sameDiff().getVariable(p).getGradient() == null) {
                    unreached++;
                    assertEquals(0.0, e.getValue().amaxNumber().doubleValue(), 0.0, e.getKey() + ", plans " + plans);
                }
            }
            assertEquals(4, unreached, "W_q, b_q, W_k, b_k of the cross attention");
        }
        assertArrayEquals(grads[0].toDoubleVector(), grads[1].toDoubleVector(), 0.0, "session and plans");
    }
}

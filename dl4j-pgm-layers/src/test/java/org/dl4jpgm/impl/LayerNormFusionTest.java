package org.dl4jpgm.impl;

import org.dl4jpgm.blocks.SdOps;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link LayerNormFusion} in {@link OpPlan}: a layer normalisation's ops and its gradient's, run as one loop each from
 * the second run on, against SameDiff's session bit for bit (the first run runs the ops themselves).
 */
class LayerNormFusionTest {

    private static final String[] PARAMS = {"w", "gain", "bias"};

    /**
     * {@code loss = sum(y * target)} with {@code y = layerNorm(x * w)} (plus {@code x * w} where {@code residual}: the
     * normalised input's gradient then has a third term); x a placeholder of {@code shape} with a row offset, so that
     * the means are large against the spreads.
     */
    private static SameDiff graph(DataType type, long[] shape, boolean residual) {
        long e = shape[shape.length - 1];
        return GroupedPlans.graph(type, shape, (sd, h) -> {
            SDVariable gain = sd.var("gain", Nd4j.rand(type, 1, e).addi(0.5));
            SDVariable bias = sd.var("bias", Nd4j.randn(type, 1, e));
            SDVariable y = SdOps.layerNorm(h, gain, bias, shape.length - 1);
            return residual ? y.add(h) : y;
        });
    }

    private static Map<String, INDArray> input(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(type, shape).muli(seed).addi(3.0 * seed));
    }

    private static int[] assertPlansAreTheSessions(DataType type, long[] shape, boolean residual) {
        return GroupedPlans.assertPlansAreTheSessions(graph(type, shape, residual), seed -> input(type, shape, seed),
                type + " " + Arrays.toString(shape) + (residual ? " residual" : ""), PARAMS);
    }

    @Test
    void floatLayerNormsRunAsLoopsAndAreTheSessionsBitForBit() {
        assertSame(RowKernels.VECTOR, LayerNormFusion.RowLoops.of(), "the rows on the Vector API in the tests' JVM");
        assertFloatLayerNormsAreTheSessions();
    }

    @Test
    void theScalarLoopsAlongARowToo() {
        System.setProperty(OpPlan.VECTOR_API_PROPERTY, "false");
        try {
            assertSame(LayerNormFusion.RowLoops.SCALAR, LayerNormFusion.RowLoops.of());
            assertFloatLayerNormsAreTheSessions();
        } finally {
            System.clearProperty(OpPlan.VECTOR_API_PROPERTY);
        }
    }

    /** Rows of 32, 64, 24, 768, 3 and 17: whole vectors, a vector and a remainder, a remainder only. */
    private static void assertFloatLayerNormsAreTheSessions() {
        long[][] shapes = {{384, 1, 32}, {128, 1, 64}, {5, 24}, {3, 7, 768}, {40, 3}, {1, 17}};
        for (long[] shape : shapes) {
            for (boolean residual : new boolean[]{false, true}) {
                int[] fused = assertPlansAreTheSessions(DataType.FLOAT, shape, residual);
                String what = Arrays.toString(shape) + (residual ? " residual" : "");
                assertEquals(2, fused[0], what + ": the gradient plan's forward and gradient groups");
                assertEquals(1, fused[1], what + ": the output plan's forward group");
                assertEquals(3, fused[2], what + ": the gradient loop reads n, c and inv from the forward loop");
            }
        }
    }

    @Test
    void doubleLayerNormsKeepTheirOps() {
        int[] fused = assertPlansAreTheSessions(DataType.DOUBLE, new long[]{6, 1, 8}, false);
        assertEquals(0, fused[0], "double arrays: not covered");
        assertEquals(0, fused[1], "double arrays: not covered");
    }

    @Test
    void switchedOffWithTheOtherRewrites() {
        OpPlanTest.withoutRewrites(() -> {
            int[] fused = assertPlansAreTheSessions(DataType.FLOAT, new long[]{12, 1, 16}, true);
            assertEquals(0, fused[0] + fused[1], "switched off");
        });
    }

    @Test
    void aPlanThatReturnsAnIntermediateWritesIt() {
        // the centred input returned beside y: the forward loop writes it too
        SameDiff sd = graph(DataType.FLOAT, new long[]{9, 1, 16}, false);
        String centred = sd.getOps().values().stream().filter(op -> op.getOp().opName().equals("subtract"))
                .findFirst().orElseThrow().getOutputsOfOp().get(0);
        OpPlan plan = OpPlan.of(sd, List.of("y", centred));
        assertNotNull(plan);
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = input(DataType.FLOAT, new long[]{9, 1, 16}, seed);
            Map<String, INDArray> session = sd.output(ph, "y", centred);
            Map<String, INDArray> planned = plan.run(ph);
            assertBitIdentical(session.get("y"), planned.get("y"), "y, run " + seed);
            assertBitIdentical(session.get(centred), planned.get(centred), "the centred input, run " + seed);
        }
        assertEquals(1, plan.fusedGroups());
    }
}

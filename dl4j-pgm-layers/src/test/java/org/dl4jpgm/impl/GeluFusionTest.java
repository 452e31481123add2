package org.dl4jpgm.impl;

import org.dl4jpgm.blocks.SdOps;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link GeluFusion} in {@link OpPlan}: a GELU's gradient ops, run as one loop from the second run on,
 * against SameDiff's session bit for bit (the first run runs the ops themselves).
 */
class GeluFusionTest {

    private static final String[] PARAMS = {"w"};

    /**
     * {@code loss = sum(y * target)} with {@code y = gelu(x * w)} (times {@code x * w} where {@code shared}: the GELU's
     * input then has another consumer, and its gradient other terms); x a placeholder of {@code shape}.
     */
    private static SameDiff graph(DataType type, long[] shape, boolean shared) {
        return GroupedPlans.graph(type, shape, (sd, h) -> shared ? SdOps.gelu(h).mul(h) : SdOps.gelu(h));
    }

    private static Map<String, INDArray> input(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(type, shape).muli(1.5 * seed));
    }

    private static int[] assertPlansAreTheSessions(DataType type, long[] shape, boolean shared) {
        return GroupedPlans.assertPlansAreTheSessions(graph(type, shape, shared), seed -> input(type, shape, seed),
                type + " " + Arrays.toString(shape) + (shared ? " shared" : ""), PARAMS);
    }

    @Test
    void floatGelusRunAsLoopsAndAreTheSessionsBitForBit() {
        long[][] shapes = {{384, 64}, {128, 64}, {5, 7}, {3, 4, 768}, {1, 1}};
        for (long[] shape : shapes) {
            int[] fused = assertPlansAreTheSessions(DataType.FLOAT, shape, false);
            String what = Arrays.toString(shape);
            assertEquals(1, fused[0], what + ": the gradient group");
            assertEquals(0, fused[1], what + ": the forward ops stay ops");
            assertEquals(0, fused[2], what + ": no loop to read from");
        }
    }

    @Test
    void aGeluWhoseInputHasAnotherConsumerKeepsItsGradientOps() {
        int[] fused = assertPlansAreTheSessions(DataType.FLOAT, new long[]{16, 8}, true);
        assertEquals(0, fused[0], "the input's gradient has a third term");
    }

    @Test
    void doubleGelusKeepTheirOps() {
        int[] fused = assertPlansAreTheSessions(DataType.DOUBLE, new long[]{6, 8}, false);
        assertEquals(0, fused[0] + fused[1], "double arrays: not covered");
    }

    @Test
    void switchedOffAlone() {
        System.setProperty(OpPlan.FUSIONS_PROPERTY, "false");
        try {
            int[] fused = assertPlansAreTheSessions(DataType.FLOAT, new long[]{12, 16}, false);
            assertEquals(0, fused[0] + fused[1], "switched off");
        } finally {
            System.clearProperty(OpPlan.FUSIONS_PROPERTY);
        }
    }
}

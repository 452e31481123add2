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
        Nd4j.getRandom().setSeed(shape.length * 1000L + shape[shape.length - 1]);
        long e = shape[shape.length - 1];
        SameDiff sd = SameDiff.create();
        long[] free = shape.clone();
        free[0] = -1;
        SDVariable x = sd.placeHolder("x", type, free);
        SDVariable h = x.mul(sd.var("w", Nd4j.rand(type, 1, e).addi(0.5)));
        SDVariable y = SdOps.gelu(h);
        if (shared) {
            y = y.mul(h);
        }
        y = y.rename("y");
        y.mul(sd.constant("target", Nd4j.randn(type, shape))).sum().rename("loss").markAsLoss();
        return sd;
    }

    private static Map<String, INDArray> input(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(type, shape).muli(1.5 * seed));
    }

    /** Three runs of the gradient plan and of the output plan against the session; returns the fused groups. */
    private static int[] assertPlansAreTheSessions(DataType type, long[] shape, boolean shared) {
        SameDiff sd = graph(type, shape, shared);
        String what = type + " " + Arrays.toString(shape) + (shared ? " shared" : "");
        sd.calculateGradients(input(type, shape, 1), PARAMS);
        List<String> grads = Arrays.stream(PARAMS).map(p -> sd.getVariable(p).getGradient().name()).toList();
        OpPlan gradient = OpPlan.of(sd.getFunction("grad"), grads);
        OpPlan output = OpPlan.of(sd, List.of("y"));
        assertNotNull(gradient, what);
        assertNotNull(output, what);
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = input(type, shape, seed);
            Map<String, INDArray> session = sd.calculateGradients(ph, PARAMS);
            assertBitIdentical(session.get("w"), gradient.run(ph).get(grads.get(0)),
                    what + ", run " + seed + ": w's gradient");
            assertBitIdentical(sd.output(ph, "y").get("y"), output.run(ph).get("y"), what + ", run " + seed + ": y");
        }
        return new int[]{gradient.fusedGroups(), output.fusedGroups(), gradient.linkedInputs()};
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

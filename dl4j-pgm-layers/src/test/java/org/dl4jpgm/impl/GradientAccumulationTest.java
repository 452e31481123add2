package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link GradientAccumulation} in {@link OpPlan}: the gradients of a weight used in several products, summed by their
 * products ({@code beta} 1) from the second run on, against SameDiff's session bit for bit.
 */
class GradientAccumulationTest {

    /**
     * {@code h_{i+1} = tanh(h_i W)} for {@code uses} products with one weight {@code W [E, E]}, {@code h_0 = x [M, E]},
     * {@code loss = sum(h * target)}: W's gradient is a sum of {@code uses} products' gradients, {@code uses - 1}
     * {@code add}s.
     */
    private static SameDiff graph(DataType type, long rows, long e, int uses) {
        return graph(type, rows, e, uses, false);
    }

    /** As {@link #graph(DataType, long, long, int)}, or where {@code parallel} {@code h = sum_i tanh(x_i W)}. */
    private static SameDiff graph(DataType type, long rows, long e, int uses, boolean parallel) {
        Nd4j.getRandom().setSeed(rows * 31 + e);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", type, -1, e);
        SDVariable w = sd.var("w", Nd4j.randn(type, e, e).muli(1.0 / Math.sqrt(e)));
        SDVariable h = x;
        for (int i = 0; i < uses; i++) {
            SDVariable t = sd.math.tanh((parallel ? x.mul(i + 1.0) : h).mmul(w));
            h = parallel && i > 0 ? h.add(t) : t;
        }
        h.rename("y").mul(sd.constant("target", Nd4j.randn(type, rows, e))).sum().rename("loss").markAsLoss();
        return sd;
    }

    private static Map<String, INDArray> input(DataType type, long rows, long e, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(type, rows, e).muli(seed));
    }

    /**
     * Three runs of W's gradient plan against the session (into {@code target} where given, as DL4J's gradient
     * views are).
     *
     * @return the sums the plan's products computed
     */
    private static int assertPlanIsTheSession(DataType type, long rows, long e, int uses, INDArray target) {
        return assertPlanIsTheSession(graph(type, rows, e, uses), type, rows, e, uses, target);
    }

    private static int assertPlanIsTheSession(SameDiff sd, DataType type, long rows, long e, int uses,
                                              INDArray target) {
        sd.calculateGradients(input(type, rows, e, 1), "w");
        String grad = sd.getVariable("w").getGradient().name();
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(grad));
        if (target != null) {
            plan.writeOutputsInto(Map.of(grad, target));
        }
        String what = type + " [" + rows + ", " + e + "] x " + uses;
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = input(type, rows, e, seed);
            INDArray session = sd.calculateGradients(ph, "w").get("w");
            INDArray planned = plan.run(ph).get(grad);
            assertBitIdentical(session, planned, what + ", run " + seed);
            if (target != null) {
                assertSame(target, planned, what + ": written into the caller's array");
            }
        }
        return plan.accumulatedSums();
    }

    @Test
    void aWeightsGradientsAreSummedByItsProductsBitForBit() {
        assertEquals(2, assertPlanIsTheSession(DataType.FLOAT, 96, 64, 3, null), "three uses: two sums");
        assertEquals(1, assertPlanIsTheSession(DataType.FLOAT, 32, 48, 2, null), "two uses: one sum");
        assertEquals(0, assertPlanIsTheSession(DataType.FLOAT, 32, 48, 1, null), "one use: no sum");
    }

    @Test
    void parallelUsesToo() {
        assertEquals(3, assertPlanIsTheSession(graph(DataType.FLOAT, 64, 32, 4, true), DataType.FLOAT, 64, 32, 4,
                null), "four uses: three sums");
    }

    @Test
    void intoTheCallersArray() {
        INDArray target = Nd4j.create(DataType.FLOAT, 40, 40);
        assertEquals(2, assertPlanIsTheSession(DataType.FLOAT, 24, 40, 3, target));
    }

    @Test
    void manyRowsAreTheSessionsWhetherOrNotTheyAccumulate() {
        // an inner dimension (the rows) beyond OpenBLAS's block may be summed in parts: the plan checks the bits
        assertPlanIsTheSession(DataType.FLOAT, 1500, 16, 3, null);
    }

    @Test
    void doubleWeightsAddInPlace() {
        assertEquals(0, assertPlanIsTheSession(DataType.DOUBLE, 16, 8, 3, null), "no direct double products");
    }

    @Test
    void switchedOffAlone() {
        System.setProperty(OpPlan.ACCUMULATION_PROPERTY, "false");
        try {
            assertEquals(0, assertPlanIsTheSession(DataType.FLOAT, 96, 64, 3, null));
        } finally {
            System.clearProperty(OpPlan.ACCUMULATION_PROPERTY);
        }
    }
}

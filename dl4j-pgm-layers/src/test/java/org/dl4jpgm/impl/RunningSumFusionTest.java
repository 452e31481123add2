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
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RunningSumFusion} in {@link OpPlan}: the running sum along a matrix's rows as {@code SdOps.runningSumByScan}
 * builds it (transpose, {@code cumsum} along axis 0, transpose back) and its gradient, each run as one loop from the
 * second run on, against SameDiff's session bit for bit (the first run runs the ops themselves).
 */
class RunningSumFusionTest {

    private static final String[] PARAMS = {"w"};

    private static Map<String, INDArray> input(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(type, shape).muli(1.5 * seed));
    }

    private static int[] assertPlansAreTheSessions(DataType type, long[] shape, String what,
                                                   BiFunction<SameDiff, SDVariable, SDVariable> body) {
        return GroupedPlans.assertPlansAreTheSessions(GroupedPlans.graph(type, shape, body),
                seed -> input(type, shape, seed), type + " " + Arrays.toString(shape) + " " + what, PARAMS);
    }

    /** The scan over the last axis of x, a matrix {@code [N, T]} or a stack {@code [G, N, T]}. */
    private static BiFunction<SameDiff, SDVariable, SDVariable> scan(long[] shape) {
        long t = shape[shape.length - 1];
        int groups = shape.length == 3 ? (int) shape[0] : 1;
        return (sd, h) -> SdOps.runningSumByScan(h, t, groups);
    }

    @Test
    void floatRunningSumsRunAsLoopsAndAreTheSessionsBitForBit() {
        long[][] shapes = {{96, 768}, {13, 5}, {8, 1}, {1, 9}, {3, 32, 768}, {2, 3, 7}};
        for (long[] shape : shapes) {
            int[] fused = assertPlansAreTheSessions(DataType.FLOAT, shape, "scan", scan(shape));
            String what = Arrays.toString(shape);
            assertEquals(2, fused[0], what + ": the forward group and the gradient group");
            assertEquals(1, fused[1], what + ": the forward group of the output plan");
            assertEquals(0, fused[2], what + ": no loop to read from");
        }
    }

    @Test
    void cumsoftmaxAtThePapersWidthIsTheSessionBitForBit() {
        long[] shape = {3, 32, 768};
        int[] fused = assertPlansAreTheSessions(DataType.FLOAT, shape, "cumsoftmax",
                (sd, h) -> SdOps.cumsoftmax(h, 768, 3));
        assertEquals(2, fused[0], "the running sum's two groups");
        assertEquals(1, fused[1], "the output plan's");
    }

    @Test
    void transposedRowsReadByAnotherOpAreWritten() {
        long[] shape = {24, 40};
        int[] fused = assertPlansAreTheSessions(DataType.FLOAT, shape, "transposed rows read twice", (sd, h) -> {
            SDVariable t = h.permute(1, 0);
            SDVariable sums = sd.cumsum(t, false, false, 0).permute(1, 0);
            return sums.add(t.mul(0.5).permute(1, 0));
        });
        // the transposed rows' gradient has two terms, so the sum's gradient ops stay ops
        assertEquals(1, fused[0], "the forward group, writing the transposed rows for the product");
        assertEquals(1, fused[1], "the output plan's forward group, writing them too");
    }

    @Test
    void otherScansKeepTheirOps() {
        long[] shape = {12, 16};
        int[] exclusive = assertPlansAreTheSessions(DataType.FLOAT, shape, "exclusive",
                (sd, h) -> sd.cumsum(h.permute(1, 0), true, false, 0).permute(1, 0));
        assertEquals(0, exclusive[0] + exclusive[1], "an exclusive sum: not matched");
        int[] reverse = assertPlansAreTheSessions(DataType.FLOAT, shape, "reverse",
                (sd, h) -> sd.cumsum(h.permute(1, 0), false, true, 0).permute(1, 0));
        assertEquals(0, reverse[0] + reverse[1], "a reverse sum: not matched");
        int[] untransposed = assertPlansAreTheSessions(DataType.FLOAT, shape, "along axis 0",
                (sd, h) -> sd.cumsum(h, false, false, 0).mul(1.0));
        assertEquals(0, untransposed[0] + untransposed[1], "no transposes around it: not matched");
    }

    @Test
    void doubleRunningSumsKeepTheirOps() {
        long[] shape = {6, 8};
        int[] fused = assertPlansAreTheSessions(DataType.DOUBLE, shape, "scan", scan(shape));
        assertEquals(0, fused[0] + fused[1], "double arrays: not covered");
    }

    @Test
    void switchedOffAlone() {
        System.setProperty(OpPlan.FUSIONS_PROPERTY, "false");
        try {
            long[] shape = {12, 16};
            int[] fused = assertPlansAreTheSessions(DataType.FLOAT, shape, "scan", scan(shape));
            assertEquals(0, fused[0] + fused[1], "switched off");
        } finally {
            System.clearProperty(OpPlan.FUSIONS_PROPERTY);
        }
    }
}

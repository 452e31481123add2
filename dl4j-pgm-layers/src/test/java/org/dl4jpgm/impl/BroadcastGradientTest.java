package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.List;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link BroadcastGradient} against libnd4j's own {@code multiply_bp}, {@code divide_bp}, {@code add_bp} and
 * {@code subtract_bp} (bit for bit) and sums written out in Java.
 */
class BroadcastGradientTest {

    /** Pairs of input shapes where one input is broadcast against the other, as PgM's blocks have them. */
    private static final List<long[][]> SHAPES = List.of(
            new long[][]{{6, 1, 4}, {6, 1, 1}},     // a step mask
            new long[][]{{6, 4}, {1, 4}},           // a bias
            new long[][]{{6, 1, 4}, {1, 4}},        // a layer norm's gain, lower rank
            new long[][]{{1, 4}, {6, 4}},           // the broadcast input first
            new long[][]{{6, 4}, {}},               // a scalar array
            new long[][]{{3, 5, 4}, {3, 5, 1}},     // rank 3, the last axis
            new long[][]{{3, 1, 4}, {3, 5, 1}},     // both inputs broadcast
            new long[][]{{1, 1, 4}, {1, 4}},        // a lower rank only: nothing to sum (a batch of one)
            new long[][]{{1, 4}, {1, 1, 4}});       // the same, the lower rank first


    private static final List<String> OPS = List.of(BroadcastGradient.MULTIPLY, BroadcastGradient.DIVIDE,
            BroadcastGradient.ADD, BroadcastGradient.SUBTRACT);

    private static boolean isSum(String op) {
        return BroadcastGradient.ADD.equals(op) || BroadcastGradient.SUBTRACT.equals(op);
    }

    private static INDArray[] libnd4j(String op, INDArray x, INDArray y, INDArray eps) {
        INDArray gx = Nd4j.create(x.dataType(), x.shape());
        INDArray gy = Nd4j.create(y.dataType(), y.shape());
        Nd4j.exec(DynamicCustomOp.builder(op).addInputs(x, y, eps).addOutputs(gx, gy).build());
        return new INDArray[]{gx, gy};
    }

    /** A second input for {@code op}: for a division, at least 0.5 away from zero, of both signs. */
    private static INDArray second(String op, DataType type, long[] shape) {
        INDArray y = Nd4j.randn(type, shape);
        return BroadcastGradient.DIVIDE.equals(op) ? y.addi(Transforms.sign(y, true).muli(0.5)) : y;
    }

    private static long[] outShape(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long sa = i < r - a.length ? 1 : a[i - (r - a.length)];
            long sb = i < r - b.length ? 1 : b[i - (r - b.length)];
            out[i] = Math.max(sa, sb);
        }
        return out;
    }

    @Test
    void equalsLibnd4jsOwnGradientOpsBitForBit() {
        for (String op : OPS) {
            for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
                for (int shape = 0; shape < SHAPES.size(); shape++) {
                    long[][] s = SHAPES.get(shape);
                    Nd4j.getRandom().setSeed(7);
                    INDArray x = Nd4j.randn(type, s[0]);
                    INDArray y = second(op, type, s[1]);
                    INDArray eps = Nd4j.randn(type, outShape(s[0], s[1]));
                    BroadcastGradient g = BroadcastGradient.of(op, x, y, eps, 0);
                    String what = op + " " + type + " " + Arrays.deepToString(s);
                    if (BroadcastGradient.DIVIDE.equals(op) && y.length() == 1) {
                        assertNull(g, what + ": a divisor of one element is libnd4j's scalar case");
                        continue;
                    }
                    assertNotNull(g, what);
                    INDArray gx = Nd4j.create(type, s[0]);
                    INDArray gy = Nd4j.create(type, s[1]);
                    g.run(x, y, eps, gx, gy);
                    g.run(x, y, eps, gx, gy);   // a second run writes the same (its products are reused arrays)
                    INDArray[] expected = libnd4j(op, x, y, eps);
                    assertBitIdentical(expected[0], gx, what + ": x's gradient");
                    assertBitIdentical(expected[1], gy, what + ": y's gradient");
                }
            }
        }
    }

    @Test
    void boundOpsReadNewValuesAndFollowOtherArrays() {
        // the ops are bound to the arrays of the last run: values changed in place are read, other arrays rebind
        Nd4j.getRandom().setSeed(5);
        for (String op : OPS) {
            for (long[][] s : isSum(op) ? List.of(SHAPES.get(1), SHAPES.get(2), SHAPES.get(3))
                    : List.of(SHAPES.get(0), SHAPES.get(2), SHAPES.get(6))) {
                INDArray x = Nd4j.randn(DataType.FLOAT, s[0]);
                INDArray y = second(op, DataType.FLOAT, s[1]);
                INDArray eps = Nd4j.randn(DataType.FLOAT, outShape(s[0], s[1]));
                INDArray gx = Nd4j.create(DataType.FLOAT, s[0]);
                INDArray gy = Nd4j.create(DataType.FLOAT, s[1]);
                BroadcastGradient g = BroadcastGradient.of(op, x, y, eps, 0);
                g.run(x, y, eps, gx, gy);
                String what = op + " " + Arrays.deepToString(s);

                x.assign(Nd4j.randn(DataType.FLOAT, s[0]));
                eps.assign(Nd4j.randn(DataType.FLOAT, eps.shape()));
                g.run(x, y, eps, gx, gy);
                INDArray[] expected = libnd4j(op, x, y, eps);
                assertBitIdentical(expected[0], gx, what + ": x's gradient after new values in place");
                assertBitIdentical(expected[1], gy, what + ": y's gradient after new values in place");

                INDArray y2 = second(op, DataType.FLOAT, s[1]);
                INDArray eps2 = Nd4j.randn(DataType.FLOAT, eps.shape());
                INDArray gx2 = Nd4j.create(DataType.FLOAT, s[0]);
                INDArray gy2 = Nd4j.create(DataType.FLOAT, s[1]);
                INDArray gxBefore = gx.dup();
                g.run(x, y2, eps2, gx2, gy2);
                expected = libnd4j(op, x, y2, eps2);
                assertBitIdentical(expected[0], gx2, what + ": x's gradient into another array");
                assertBitIdentical(expected[1], gy2, what + ": y's gradient into another array");
                assertBitIdentical(gxBefore, gx, what + ": the earlier output array is not written again");
            }
        }
    }

    @Test
    void equalsTheQuotientSumsWrittenOut() {
        // divide: x [3, 1, 2] / y [3, 4, 1] -> [3, 4, 2]; dL/dx[i,0,k] = sum_j eps[i,j,k] / y[i,j,0],
        // dL/dy[i,j,0] = -sum_k eps[i,j,k] x[i,0,k] / y[i,j,0]^2
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 1, 2);
        INDArray y = second(BroadcastGradient.DIVIDE, DataType.DOUBLE, new long[]{3, 4, 1});
        INDArray eps = Nd4j.randn(DataType.DOUBLE, 3, 4, 2);
        INDArray gx = Nd4j.create(DataType.DOUBLE, 3, 1, 2);
        INDArray gy = Nd4j.create(DataType.DOUBLE, 3, 4, 1);
        BroadcastGradient.of(BroadcastGradient.DIVIDE, x, y, eps, 0).run(x, y, eps, gx, gy);
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 2; k++) {
                double sum = 0;
                for (int j = 0; j < 4; j++) {
                    sum += eps.getDouble(i, j, k) / y.getDouble(i, j, 0);
                }
                assertEquals(sum, gx.getDouble(i, 0, k), 1e-12);
            }
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                for (int k = 0; k < 2; k++) {
                    sum -= eps.getDouble(i, j, k) * x.getDouble(i, 0, k) / Math.pow(y.getDouble(i, j, 0), 2);
                }
                assertEquals(sum, gy.getDouble(i, j, 0), 1e-12);
            }
        }
    }

    @Test
    void equalsTheSumsWrittenOut() {
        // multiply: x [3, 1, 2] * y [3, 4, 1] -> [3, 4, 2]; dL/dx[i,0,k] = sum_j eps[i,j,k] y[i,j,0],
        // dL/dy[i,j,0] = sum_k eps[i,j,k] x[i,0,k]
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 1, 2);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 3, 4, 1);
        INDArray eps = Nd4j.randn(DataType.DOUBLE, 3, 4, 2);
        INDArray gx = Nd4j.create(DataType.DOUBLE, 3, 1, 2);
        INDArray gy = Nd4j.create(DataType.DOUBLE, 3, 4, 1);
        BroadcastGradient.of("multiply_bp", x, y, eps).run(x, y, eps, gx, gy);
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 2; k++) {
                double sum = 0;
                for (int j = 0; j < 4; j++) {
                    sum += eps.getDouble(i, j, k) * y.getDouble(i, j, 0);
                }
                assertEquals(sum, gx.getDouble(i, 0, k), 1e-12);
            }
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                for (int k = 0; k < 2; k++) {
                    sum += eps.getDouble(i, j, k) * x.getDouble(i, 0, k);
                }
                assertEquals(sum, gy.getDouble(i, j, 0), 1e-12);
            }
        }
    }

    @Test
    void divisionsAreRewrittenAtAnySizeButByOneElement() {
        INDArray small = Nd4j.rand(DataType.FLOAT, 384, 32);
        assertNotNull(BroadcastGradient.of(BroadcastGradient.DIVIDE, small, Nd4j.rand(DataType.FLOAT, 384, 1),
                small.dup()), "12,288 elements");
        assertNotNull(BroadcastGradient.of(BroadcastGradient.DIVIDE, small, Nd4j.rand(DataType.FLOAT, 1, 32),
                small.dup()), "a row");
        assertNull(BroadcastGradient.of(BroadcastGradient.DIVIDE, small, Nd4j.rand(DataType.FLOAT, 1, 1),
                small.dup()), "one element: libnd4j's scalar case");
    }

    @Test
    void leavesEqualShapesAndOtherOpsToLibnd4j() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 2);
        INDArray row = Nd4j.rand(DataType.FLOAT, 1, 2);
        assertNull(BroadcastGradient.of("multiply_bp", a, a.dup(), a.dup()), "equal shapes: libnd4j's op is as fast");
        assertNull(BroadcastGradient.of("add_bp", a, a.dup(), a.dup()), "equal shapes: copies");
        assertNull(BroadcastGradient.of("squaredsubtract_bp", a, row, a.dup()), "another op");
        INDArray column = Nd4j.rand(DataType.FLOAT, 3, 1);
        assertNotNull(BroadcastGradient.of("add_bp", a, column, a.dup()), "a sum over the last axis: a direct sum");
        assertNull(BroadcastGradient.of("add_bp", a, row, a.dup()), "a bias over 3 rows: libnd4j's add_bp is as fast");
        INDArray rows = Nd4j.rand(DataType.FLOAT, BroadcastGradient.SUM_MIN_ROWS, 2);
        assertNotNull(BroadcastGradient.of("add_bp", rows, row, rows.dup()),
                "a bias: a column sum of " + BroadcastGradient.SUM_MIN_ROWS + " terms");
        INDArray fewer = Nd4j.rand(DataType.FLOAT, BroadcastGradient.SUM_MIN_ROWS - 1, 2);
        assertNull(BroadcastGradient.of("add_bp", fewer, row, fewer.dup()), "one term fewer: libnd4j's add_bp");
        assertNotNull(BroadcastGradient.of("subtract_bp", row, rows, rows.dup()), "a row minus a matrix");
    }

    @Test
    void sumsGradientsOfZerosHaveLibnd4jsSignsOfZero() {
        // a sum from 0 of +0 terms is +0 and its negation -0; -0 terms sum to +0 as well
        for (String op : List.of(BroadcastGradient.ADD, BroadcastGradient.SUBTRACT)) {
            for (double zero : new double[]{0.0, -0.0}) {
                INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4);
                INDArray y = Nd4j.rand(DataType.FLOAT, 1, 4);
                INDArray eps = Nd4j.valueArrayOf(new long[]{5, 4}, zero, DataType.FLOAT);
                INDArray gx = Nd4j.create(DataType.FLOAT, 5, 4);
                INDArray gy = Nd4j.create(DataType.FLOAT, 1, 4);
                BroadcastGradient.of(op, x, y, eps, 0).run(x, y, eps, gx, gy);
                INDArray[] expected = libnd4j(op, x, y, eps);
                assertBitIdentical(expected[0], gx, op + " of " + zero + ": x's gradient");
                assertBitIdentical(expected[1], gy, op + " of " + zero + ": y's gradient");
            }
        }
    }
}

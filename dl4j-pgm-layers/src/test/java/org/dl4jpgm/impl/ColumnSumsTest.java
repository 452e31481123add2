package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.List;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link ColumnSums} against libnd4j's sum along axes, bit for bit, and against sums written out. */
class ColumnSumsTest {

    /** An input shape and the axes summed, as PgM's gradients have them, and other sizes. */
    private record Case(long[] shape, int[] axes) {
        @Override
        public String toString() {
            return Arrays.toString(shape) + " over " + Arrays.toString(axes);
        }
    }

    private static final List<Case> CASES = List.of(
            new Case(new long[]{96, 1536}, new int[]{0}),          // a bias's gradient at the paper's width
            new Case(new long[]{384, 1, 32}, new int[]{0, 1}),     // a layer norm's gain, [B S, 1, D]
            new Case(new long[]{3, 32, 768}, new int[]{1}),        // per modality: P = 3
            new Case(new long[]{2, 3, 4, 5}, new int[]{1, 2}),     // two adjacent axes inside
            new Case(new long[]{7, 1, 3}, new int[]{0}),           // an axis of size 1 inside the kept ones
            new Case(new long[]{700, 40}, new int[]{0}),           // 175 groups of four rows
            new Case(new long[]{3, 20_000}, new int[]{0}));        // long rows, fewer than four of them

    /** Values over many magnitudes, both signs, exact zeros of both signs, and a column of negative zeros only. */
    private static INDArray values(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(type, shape).muli(Transforms.exp(Nd4j.rand(type, shape).muli(12).subi(6), false));
        INDArray flat = x.reshape(x.length());
        for (long i = 0; i < flat.length(); i += 7) {
            flat.putScalar(i, i % 2 == 0 ? 0.0 : -0.0);
        }
        long columns = shape[shape.length - 1];
        for (long i = columns - 1; i < flat.length(); i += columns) {
            flat.putScalar(i, -0.0);    // the last column: -0 only, whose sum from 0 is +0
        }
        return x;
    }

    private static INDArray libnd4j(INDArray in, int[] axes) {
        INDArray out = Nd4j.create(in.dataType(), keptShape(in.shape(), axes));
        Nd4j.exec(new Sum(in, out, true, axes));
        return out;
    }

    private static long[] keptShape(long[] shape, int[] axes) {
        long[] kept = shape.clone();
        for (int a : axes) {
            kept[a] = 1;
        }
        return kept;
    }

    private static INDArray sum(INDArray in, int[] axes) {
        ColumnSums sums = ColumnSums.of(in.shape(), axes);
        assertNotNull(sums, Arrays.toString(in.shape()) + " over " + Arrays.toString(axes));
        INDArray out = Nd4j.create(in.dataType(), keptShape(in.shape(), axes));
        Runnable step = sums.bind(in, out);
        assertNotNull(step);
        step.run();
        return out;
    }

    @Test
    void equalsLibnd4jsSumBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (Case c : CASES) {
                for (long seed = 1; seed <= 2; seed++) {
                    INDArray in = values(type, c.shape(), seed);
                    assertBitIdentical(libnd4j(in, c.axes()), sum(in, c.axes()), type + " " + c + ", seed " + seed);
                }
            }
        }
    }

    @Test
    void equalsTheSumsWrittenOut() {
        // [2, 3, 4] over axis 1: out[i, 0, k] = sum_j in[i, j, k]
        INDArray in = Nd4j.linspace(DataType.DOUBLE, 1, 24, 1).reshape(2, 3, 4).muli(0.5);
        INDArray out = sum(in, new int[]{1});
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 4; k++) {
                double expected = 0;
                for (int j = 0; j < 3; j++) {
                    expected += in.getDouble(i, j, k);
                }
                assertEquals(expected, out.getDouble(i, 0, k), 0.0);
            }
        }
    }

    @Test
    void readsAndWritesViewsAtAnOffsetAndReadsNewValuesInPlace() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray big = values(type, new long[]{100, 48}, 3);
            INDArray in = big.get(NDArrayIndex.interval(5, 95), NDArrayIndex.all());   // contiguous, offset 240
            INDArray outs = Nd4j.zeros(type, 3, 48);
            INDArray out = outs.get(NDArrayIndex.interval(1, 2), NDArrayIndex.all());  // offset 48
            Runnable step = ColumnSums.of(in.shape(), new int[]{0}).bind(in, out);
            assertNotNull(step, type + ": contiguous views");
            step.run();
            assertBitIdentical(libnd4j(in, new int[]{0}), out, type + ": a view at an offset");
            assertBitIdentical(Nd4j.zeros(type, 1, 48), outs.getRow(0, true), type + ": nothing written before it");
            assertBitIdentical(Nd4j.zeros(type, 1, 48), outs.getRow(2, true), type + ": nothing written after it");
            in.assign(values(type, in.shape(), 4));
            step.run();
            assertBitIdentical(libnd4j(in, new int[]{0}), out, type + ": new values in the same array");
        }
    }

    @Test
    void leavesSumsThatAreNotColumnSumsToLibnd4j() {
        assertNull(ColumnSums.of(new long[]{6, 4}, new int[]{1}), "over the last axis: C = 1");
        assertNull(ColumnSums.of(new long[]{6, 4}, new int[]{0, 1}), "over every axis: C = 1");
        assertNull(ColumnSums.of(new long[]{6, 5, 4}, new int[]{0, 2}), "a kept axis between summed ones");
        assertNull(ColumnSums.of(new long[]{1, 4}, new int[]{0}), "nothing to sum (an axis of size 1)");
        assertNull(ColumnSums.of(new long[]{6, 5, 1}, new int[]{1}), "C = 1 behind an axis of size 1");
        assertNotNull(ColumnSums.of(new long[]{6, 1, 4}, new int[]{0}), "an axis of size 1 beside the summed one");
        ColumnSums sums = ColumnSums.of(new long[]{6, 4}, new int[]{0});
        assertNull(sums.bind(Nd4j.rand(DataType.FLOAT, 4, 6).transpose(), Nd4j.create(DataType.FLOAT, 1, 4)),
                "an input not contiguous in 'c' order");
        assertNull(sums.bind(Nd4j.rand(DataType.FLOAT, 6, 4), Nd4j.create(DataType.DOUBLE, 1, 4)), "mixed types");
        assertNull(sums.bind(Nd4j.rand(DataType.HALF, 6, 4), Nd4j.create(DataType.HALF, 1, 4)), "half precision");
        assertNull(sums.bind(Nd4j.rand(DataType.FLOAT, 6, 5), Nd4j.create(DataType.FLOAT, 1, 5)), "another shape");
    }
}

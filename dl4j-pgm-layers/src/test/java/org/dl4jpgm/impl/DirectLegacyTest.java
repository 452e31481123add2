package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Norm2;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.any.Assign;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.PowPairwise;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DirectLegacy} against ND4J's executioner running the same legacy ops, bit for bit. */
class DirectLegacyTest {

    /** An op of each kind the class covers, made on (x, z) as ND4J's own op classes. */
    private static final List<BiFunction<INDArray, INDArray, BaseOp>> ELEMENTWISE = List.of(
            Sigmoid::new, Exp::new, Tanh::new, Log::new,                       // TRANSFORM_STRICT
            Negative::new, Abs::new,                                          // TRANSFORM_SAME
            RSqrt::new, Sqrt::new,                                            // TRANSFORM_FLOAT
            Assign::new,                                                      // TRANSFORM_ANY
            (x, z) -> new ScalarMultiplication(x, null, z, 0.37),             // SCALAR
            (x, z) -> new ScalarAdd(x, null, z, -1.25),
            (x, z) -> new ScalarReverseSubtraction(x, null, z, 1.0),
            (x, z) -> new LeakyReLU(x, z, 0.2));                              // a scalar op with extra arguments

    /** Positive values (for log and the roots) with a spread of magnitudes, at an offset inside a larger array. */
    private static INDArray input(DataType type, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        INDArray whole = Nd4j.rand(type, n + 5).muli(3.0).addi(0.01);
        return whole.get(NDArrayIndex.interval(5, n + 5)).reshape(shape);
    }

    /** ND4J's executioner running {@code op} (made on x and its output). */
    private static INDArray nd4j(BiFunction<INDArray, INDArray, BaseOp> make, INDArray x, long... outShape) {
        INDArray z = Nd4j.create(x.dataType(), outShape);
        Nd4j.exec(make.apply(x, z));
        return z;
    }

    /** The same op as a direct call, bound once and run twice. */
    private static INDArray direct(BiFunction<INDArray, INDArray, BaseOp> make, INDArray x, long... outShape) {
        INDArray z = Nd4j.create(x.dataType(), outShape);
        BaseOp op = make.apply(x, z);
        DirectLegacy d = DirectLegacy.of(op, new INDArray[]{x}, z);
        assertNotNull(d, op.opName() + " on " + x.shapeInfoToString());
        d.run(x, z);
        z.assign(Double.NaN);
        d.run(x, z);
        return z;
    }

    @Test
    void elementwiseOpsEqualNd4jsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (long[] shape : List.of(new long[]{384, 1, 32}, new long[]{7, 5}, new long[]{13})) {
                INDArray x = input(type, shape);
                for (BiFunction<INDArray, INDArray, BaseOp> make : ELEMENTWISE) {
                    assertBitIdentical(nd4j(make, x, shape), direct(make, x, shape),
                            make.apply(x, x.ulike()).opName() + " " + type + " " + Arrays.toString(shape));
                }
            }
        }
    }

    @Test
    void reductionsEqualNd4jsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray x = input(type, 384, 1, 32);
            // along the last axis with the axis kept (the plans' reduce_mean), along leading axes, and whole
            List<Object[]> cases = List.of(
                    new Object[]{(BiFunction<INDArray, INDArray, BaseOp>) (a, z) -> new Mean(a, z, true, 2),
                            new long[]{384, 1, 1}},
                    new Object[]{(BiFunction<INDArray, INDArray, BaseOp>) (a, z) -> new Sum(a, z, false, 0),
                            new long[]{1, 32}},
                    new Object[]{(BiFunction<INDArray, INDArray, BaseOp>) (a, z) -> new Max(a, z, false, 0, 2),
                            new long[]{1}},
                    new Object[]{(BiFunction<INDArray, INDArray, BaseOp>) (a, z) -> new Norm2(a, z, true, 2),
                            new long[]{384, 1, 1}},
                    new Object[]{(BiFunction<INDArray, INDArray, BaseOp>) (a, z) -> new Sum(a, z, false),
                            new long[0]},
                    new Object[]{(BiFunction<INDArray, INDArray, BaseOp>) (a, z) -> new Mean(a, z, false),
                            new long[0]});
            for (Object[] c : cases) {
                @SuppressWarnings("unchecked")
                BiFunction<INDArray, INDArray, BaseOp> make = (BiFunction<INDArray, INDArray, BaseOp>) c[0];
                long[] out = (long[]) c[1];
                assertBitIdentical(nd4j(make, x, out), direct(make, x, out),
                        make.apply(x, Nd4j.create(type, out)).opName() + " " + type + " to " + Arrays.toString(out));
            }
        }
    }

    @Test
    void copiesAndFillsAreAssignsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray from = input(type, 6, 4);
            // a whole array, a view at an offset and a strided column, each written where assign writes
            for (java.util.function.UnaryOperator<INDArray> target : List.<java.util.function.UnaryOperator<INDArray>>of(
                    a -> a, a -> a.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()),
                    a -> a.getColumn(1, true))) {
                INDArray expected = input(type, 6, 4);
                INDArray actual = expected.dup();
                INDArray source = target.apply(from);
                target.apply(expected).assign(source);
                DirectLegacy.copy(source, target.apply(actual)).run();
                assertBitIdentical(expected, actual, "copy " + type);
                target.apply(expected).assign(0);
                DirectLegacy.fill(target.apply(actual), 0).run();
                assertBitIdentical(expected, actual, "fill " + type);
            }
        }
    }

    @Test
    void otherArraysRebindTheCall() {
        INDArray x1 = input(DataType.FLOAT, 128, 1, 32);
        INDArray x2 = input(DataType.FLOAT, 128, 1, 32);
        INDArray z1 = Nd4j.create(DataType.FLOAT, 128, 1, 1);
        INDArray z2 = Nd4j.create(DataType.FLOAT, 128, 1, 1);
        DirectLegacy d = DirectLegacy.of(new Mean(x1, z1, true, 2), new INDArray[]{x1}, z1);
        assertNotNull(d);
        d.run(x1, z1);
        d.run(x2, z2);
        assertBitIdentical(x1.mean(true, 2), z1, "the first arrays");
        assertBitIdentical(x2.mean(true, 2), z2, "the second arrays");
        assertTrue(!z1.equals(z2), "two inputs, two results");
    }

    /** {@link DirectLegacy#bind(BaseOp)}'s two further kinds: a variance (along axes and whole) and a pairwise power. */
    @Test
    void variancesAndPairwiseTransformsEqualNd4jsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray x = input(type, 128, 192);
            for (boolean corrected : new boolean[]{false, true}) {
                for (long[] out : List.of(new long[]{192}, new long[]{})) {
                    int[] axes = out.length == 0 ? new int[]{0, 1} : new int[]{0};
                    INDArray expected = Nd4j.create(type, out);
                    Nd4j.exec(new Variance(x, expected, corrected, false, axes));
                    INDArray actual = Nd4j.create(type, out);
                    Runnable call = DirectLegacy.bind(new Variance(x, actual, corrected, false, axes));
                    assertNotNull(call, "variance " + Arrays.toString(axes));
                    call.run();
                    actual.assign(Double.NaN);
                    call.run();
                    assertBitIdentical(expected, actual, type + " variance along " + Arrays.toString(axes)
                            + ", bias corrected " + corrected);
                }
            }
            INDArray base = Nd4j.valueArrayOf(new long[]{1, 192}, 10.0, type);
            INDArray power = input(type, 1, 192).subi(1.5);
            INDArray expected = base.ulike();
            Nd4j.exec(new PowPairwise(base, power, expected));
            INDArray actual = base.ulike();
            Runnable call = DirectLegacy.bind(new PowPairwise(base, power, actual));
            assertNotNull(call, "pairwise power");
            call.run();
            assertBitIdentical(expected, actual, type + " pairwise power");
        }
        INDArray x = input(DataType.FLOAT, 6, 4);
        assertNull(DirectLegacy.bind(new PowPairwise(x, input(DataType.FLOAT, 4), x.ulike())),
                "a pairwise transform of two shapes");
    }

    @Test
    void whatNd4jRunsAnotherWayIsLeftToIt() {
        INDArray x = input(DataType.FLOAT, 6, 4);
        INDArray row = Nd4j.create(DataType.FLOAT, 1, 4);
        assertNull(DirectLegacy.of(new Variance(x, row, false, 0), new INDArray[]{x}, row), "variance");
        INDArray bias = input(DataType.FLOAT, 4);
        assertNull(DirectLegacy.of(new BroadcastAddOp(x, bias, x.ulike(), 1), new INDArray[]{x}, x.ulike()),
                "a broadcast op");
        INDArray vector = input(DataType.FLOAT, 1, 5);
        INDArray same = Nd4j.create(DataType.FLOAT, 5);
        assertNull(DirectLegacy.of(new Sum(vector, same, false, 0), new INDArray[]{vector}, same),
                "a vector reduced to its own length, which ND4J returns unchanged");
        assertNull(DirectLegacy.of(new Sum(x, Nd4j.create(DataType.FLOAT, 3), false, 0), new INDArray[]{x},
                Nd4j.create(DataType.FLOAT, 3)), "an output of another length, which ND4J refuses");
        INDArray z = x.ulike();
        assertNull(DirectLegacy.of(new Exp(x, z), new INDArray[]{x, x}, z), "a second input");
        INDArray empty = Nd4j.create(DataType.FLOAT, 0, 4);
        assertNull(DirectLegacy.of(new Exp(empty, empty.ulike()), new INDArray[]{empty}, empty.ulike()),
                "an empty array");
    }
}

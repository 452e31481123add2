package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Set;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link DirectPairwise} against libnd4j's custom ops, bit for bit. */
class DirectPairwiseTest {

    private static final List<String> OPS = List.of("add", "subtract", "multiply", "divide");

    private static DynamicCustomOp custom(String op, INDArray x, INDArray y, INDArray z) {
        return DynamicCustomOp.builder(op).addInputs(x, y).addOutputs(z).build();
    }

    private static INDArray libnd4j(String op, INDArray x, INDArray y) {
        INDArray z = Nd4j.create(x.dataType(), x.shape());
        Nd4j.exec(custom(op, x, y, z));
        return z;
    }

    private static INDArray direct(String op, INDArray x, INDArray y) {
        INDArray z = Nd4j.create(x.dataType(), x.shape());
        DirectPairwise d = DirectPairwise.of(custom(op, x, y, z), new INDArray[]{x, y}, new INDArray[]{z});
        assertNotNull(d, op + " " + x.dataType());
        d.run(new INDArray[]{x, y}, new INDArray[]{z});
        return z;
    }

    @Test
    void theFourOpsAreVerifiedOnThisBackend() {
        assertEquals(Set.copyOf(OPS), DirectPairwise.supported(), "the probe at class loading agreed for each");
    }

    @Test
    void theProbeLeavesNd4jsRandomGeneratorAlone() {
        // it runs inside the first training step that meets an elementwise op: a draw there changes dropout masks
        Nd4j.getRandom().setSeed(42);
        double expected = Nd4j.rand(DataType.DOUBLE, 1).getDouble(0);
        Nd4j.getRandom().setSeed(42);
        assertEquals(Set.copyOf(OPS), DirectPairwise.verify().keySet());
        assertEquals(expected, Nd4j.rand(DataType.DOUBLE, 1).getDouble(0), 0.0, "the next draw after the probe");
    }

    @Test
    void equalsTheCustomOpsBitForBit() {
        for (String op : OPS) {
            for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
                for (long[] shape : List.of(new long[]{384, 1, 32}, new long[]{7, 5}, new long[]{13})) {
                    Nd4j.getRandom().setSeed(3);
                    INDArray x = Nd4j.randn(type, shape).muli(1e3);
                    INDArray y = Nd4j.randn(type, shape).addi(0.01);
                    y.reshape(y.length()).putScalar(0, 0.0);   // a division by zero: infinities and NaNs as libnd4j's
                    x.reshape(x.length()).putScalar(0, 0.0);
                    assertBitIdentical(libnd4j(op, x, y), direct(op, x, y), op + " " + type + " "
                            + java.util.Arrays.toString(shape));
                }
            }
        }
    }

    @Test
    void productsGradientOfEqualShapesEqualsLibnd4jsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (long[] shape : List.of(new long[]{384, 1, 32}, new long[]{7, 5}, new long[]{2})) {
                INDArray x = Nd4j.randn(type, shape);
                INDArray y = Nd4j.randn(type, shape);
                INDArray eps = Nd4j.randn(type, shape);
                INDArray[] expected = {Nd4j.create(type, shape), Nd4j.create(type, shape)};
                Nd4j.exec(DynamicCustomOp.builder(DirectPairwise.MULTIPLY_BP).addInputs(x, y, eps)
                        .addOutputs(expected).build());
                INDArray[] actual = {Nd4j.create(type, shape), Nd4j.create(type, shape)};
                DynamicCustomOp op = DynamicCustomOp.builder(DirectPairwise.MULTIPLY_BP).addInputs(x, y, eps)
                        .addOutputs(actual).build();
                DirectPairwise d = DirectPairwise.of(op, new INDArray[]{x, y, eps}, actual);
                assertNotNull(d, type + " " + java.util.Arrays.toString(shape));
                d.run(new INDArray[]{x, y, eps}, actual);
                assertBitIdentical(expected[0], actual[0], type + ": x's gradient");
                assertBitIdentical(expected[1], actual[1], type + ": y's gradient");
            }
        }
        INDArray one = Nd4j.rand(DataType.FLOAT, 1);
        INDArray[] outs = {Nd4j.create(DataType.FLOAT, 1), Nd4j.create(DataType.FLOAT, 1)};
        assertNull(DirectPairwise.of(DynamicCustomOp.builder(DirectPairwise.MULTIPLY_BP).addInputs(one, one, one)
                .addOutputs(outs).build(), new INDArray[]{one, one, one}, outs), "one element: libnd4j's scalar case");
    }

    @Test
    void readsViewsAtAnOffsetAndStridedViews() {
        for (String op : OPS) {
            INDArray big = Nd4j.randn(DataType.FLOAT, 10, 8);
            INDArray rows = big.get(NDArrayIndex.interval(2, 7), NDArrayIndex.all());      // offset 16
            INDArray other = Nd4j.randn(DataType.FLOAT, 8, 5).transpose();                 // strided, 'f'
            assertBitIdentical(libnd4j(op, rows, other), direct(op, rows, other), op + ": views");
        }
    }

    @Test
    void readsNewValuesInPlaceAndFollowsOtherArrays() {
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 6);
        INDArray y = Nd4j.randn(DataType.FLOAT, 4, 6);
        INDArray z = Nd4j.create(DataType.FLOAT, 4, 6);
        DirectPairwise d = DirectPairwise.of(custom("multiply", x, y, z), new INDArray[]{x, y}, new INDArray[]{z});
        d.run(new INDArray[]{x, y}, new INDArray[]{z});
        x.assign(Nd4j.randn(DataType.FLOAT, 4, 6));
        d.run(new INDArray[]{x, y}, new INDArray[]{z});
        assertBitIdentical(libnd4j("multiply", x, y), z, "new values in the same arrays");
        INDArray y2 = Nd4j.randn(DataType.FLOAT, 4, 6);
        INDArray z2 = Nd4j.create(DataType.FLOAT, 4, 6);
        INDArray before = z.dup();
        d.run(new INDArray[]{x, y2}, new INDArray[]{z2});
        assertBitIdentical(libnd4j("multiply", x, y2), z2, "other arrays");
        assertBitIdentical(before, z, "the earlier output is not written again");
    }

    @Test
    void leavesOtherCasesToTheCustomOp() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4);
        INDArray row = Nd4j.rand(DataType.FLOAT, 1, 4);
        INDArray z = Nd4j.create(DataType.FLOAT, 3, 4);
        assertNull(DirectPairwise.of(custom("add", a, row, z), new INDArray[]{a, row}, new INDArray[]{z}),
                "a broadcast");
        INDArray d = Nd4j.rand(DataType.DOUBLE, 3, 4);
        assertNull(DirectPairwise.of(custom("add", a, d, z), new INDArray[]{a, d}, new INDArray[]{z}), "mixed types");
        INDArray h = Nd4j.rand(DataType.HALF, 3, 4);
        INDArray hz = Nd4j.create(DataType.HALF, 3, 4);
        assertNull(DirectPairwise.of(custom("add", h, h, hz), new INDArray[]{h, h}, new INDArray[]{hz}), "half");
        assertNull(DirectPairwise.of(custom("squaredsubtract", a, a, z), new INDArray[]{a, a}, new INDArray[]{z}),
                "another op");
        DynamicCustomOp withArgs = DynamicCustomOp.builder("add").addInputs(a, a).addOutputs(z)
                .addIntegerArguments(1).build();
        assertNull(DirectPairwise.of(withArgs, new INDArray[]{a, a}, new INDArray[]{z}), "integer arguments");
    }
}

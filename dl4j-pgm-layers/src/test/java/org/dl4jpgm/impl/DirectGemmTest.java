package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DirectGemm} against libnd4j's {@code matmul} and {@code matmul_bp}, bit for bit: on the shapes of a
 * main-config and a paper-config step and odd ones, on views at an offset inside larger arrays, on stacks of matrices
 * (rank 3), on values changed in place and on other arrays (rebinding); the cases it leaves to libnd4j.
 */
class DirectGemmTest {

    /** M, K, N: the main job's products, a paper-config one, odd sizes. */
    private static final int[][] SHAPES = {{384, 32, 32}, {128, 64, 32}, {128, 96, 64}, {96, 768, 768}, {2, 2, 2},
            {13, 7, 5}, {31, 257, 3}};

    private static DynamicCustomOp matmul(INDArray x, INDArray y, INDArray z) {
        return DynamicCustomOp.builder(DirectGemm.MATMUL).addInputs(x, y).addOutputs(z).addIntegerArguments(0, 0, 0)
                .addFloatingPointArguments(1.0, 0.0).build();
    }

    private static DynamicCustomOp matmulBp(INDArray x, INDArray y, INDArray eps, INDArray dx, INDArray dy) {
        return DynamicCustomOp.builder(DirectGemm.MATMUL_BP).addInputs(x, y, eps).addOutputs(dx, dy)
                .addIntegerArguments(0, 0, 0).build();
    }

    /** Rows [3, 3 + rows) of a larger random matrix: a contiguous view at an offset. */
    private static INDArray rowsView(int rows, int cols) {
        return Nd4j.randn(DataType.FLOAT, rows + 5, cols).get(NDArrayIndex.interval(3, 3 + rows), NDArrayIndex.all());
    }

    @Test
    void agreesWithLibnd4jOnTheLoadedBuild() {
        assertTrue(DirectGemm.supported(), "the direct products differ from libnd4j's on this build; the plans then "
                + "keep libnd4j's matmul ops");
    }

    @Test
    void theProbeLeavesNd4jsRandomGeneratorAlone() {
        // it runs inside the first training step that meets a product: a draw there changes dropout masks
        Nd4j.getRandom().setSeed(42);
        double expected = Nd4j.rand(DataType.DOUBLE, 1).getDouble(0);
        Nd4j.getRandom().setSeed(42);
        assertTrue(DirectGemm.verify());
        assertEquals(expected, Nd4j.rand(DataType.DOUBLE, 1).getDouble(0), 0.0, "the next draw after the probe");
    }

    @Test
    void productsAndTheirGradientsAreLibnd4jsBitForBit() {
        Nd4j.getRandom().setSeed(21);
        for (int[] s : SHAPES) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            String at = m + ":" + k + ":" + n;
            INDArray x = rowsView(m, k);
            INDArray y = Nd4j.randn(DataType.FLOAT, k, n);
            INDArray eps = rowsView(m, n);
            assertLikeLibnd4j(x, y, eps, rowsView(m, n), rowsView(m, k), Nd4j.create(DataType.FLOAT, k, n), at);
        }
    }

    @Test
    void batchedProductsAreLibnd4jsBitForBit() {
        Nd4j.getRandom().setSeed(23);
        for (int[] s : new int[][]{{3, 128, 32, 32}, {3, 32, 768, 768}, {2, 5, 3, 7}}) {
            String at = s[0] + "x" + s[1] + ":" + s[2] + ":" + s[3];
            INDArray x = Nd4j.randn(DataType.FLOAT, s[0], s[1], s[2]);
            INDArray y = Nd4j.randn(DataType.FLOAT, s[0], s[2], s[3]);
            INDArray eps = Nd4j.randn(DataType.FLOAT, s[0], s[1], s[3]);
            assertLikeLibnd4j(x, y, eps, eps.ulike(), x.ulike(), y.ulike(), at);
        }
    }

    /**
     * Both ops on {@code x}, {@code y}, {@code eps}: directly into {@code z}, {@code dx}, {@code dy} (of the shapes of
     * the product and of x and y) and as libnd4j's custom ops into new arrays, equal to the last bit.
     */
    private static void assertLikeLibnd4j(INDArray x, INDArray y, INDArray eps, INDArray z, INDArray dx, INDArray dy,
                                          String at) {
        INDArray expected = z.ulike();
        DynamicCustomOp mm = matmul(x, y, expected);
        Nd4j.exec(mm);
        DirectGemm product = DirectGemm.of(mm, new INDArray[]{x, y}, new INDArray[]{z});
        assertNotNull(product, at);
        product.run(new INDArray[]{x, y}, new INDArray[]{z});
        assertBitIdentical(expected, z, "matmul " + at);
        INDArray dxExpected = dx.ulike();
        INDArray dyExpected = dy.ulike();
        DynamicCustomOp bp = matmulBp(x, y, eps, dxExpected, dyExpected);
        Nd4j.exec(bp);
        DirectGemm gradient = DirectGemm.of(bp, new INDArray[]{x, y, eps}, new INDArray[]{dx, dy});
        assertNotNull(gradient, at);
        gradient.run(new INDArray[]{x, y, eps}, new INDArray[]{dx, dy});
        assertBitIdentical(dxExpected, dx, "matmul_bp dx " + at);
        assertBitIdentical(dyExpected, dy, "matmul_bp dy " + at);
    }

    @Test
    void boundCallsReadNewValuesAndFollowOtherArrays() {
        Nd4j.getRandom().setSeed(22);
        INDArray x = Nd4j.randn(DataType.FLOAT, 40, 12);
        INDArray y = Nd4j.randn(DataType.FLOAT, 12, 9);
        INDArray z = Nd4j.create(DataType.FLOAT, 40, 9);
        DirectGemm product = DirectGemm.of(matmul(x, y, z), new INDArray[]{x, y}, new INDArray[]{z});
        assertNotNull(product);
        product.run(new INDArray[]{x, y}, new INDArray[]{z});
        x.assign(Nd4j.randn(DataType.FLOAT, 40, 12));
        product.run(new INDArray[]{x, y}, new INDArray[]{z});
        INDArray changed = Nd4j.create(DataType.FLOAT, 40, 9);
        Nd4j.exec(matmul(x, y, changed));
        assertBitIdentical(changed, z, "values changed in place");
        INDArray x2 = Nd4j.randn(DataType.FLOAT, 40, 12);
        INDArray z2 = Nd4j.create(DataType.FLOAT, 40, 9);
        product.run(new INDArray[]{x2, y}, new INDArray[]{z2});
        INDArray expected = Nd4j.create(DataType.FLOAT, 40, 9);
        Nd4j.exec(matmul(x2, y, expected));
        assertBitIdentical(expected, z2, "other arrays");
        assertBitIdentical(changed, z, "the first output left as it was");
    }

    @Test
    void casesLeftToLibnd4j() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 5);
        INDArray z = Nd4j.create(DataType.FLOAT, 6, 5);
        INDArray[] in = {x, y};
        INDArray[] out = {z};
        assertNull(DirectGemm.of(DynamicCustomOp.builder(DirectGemm.MATMUL).addInputs(x, y).addOutputs(z)
                .addIntegerArguments(1, 0, 0).build(), in, out), "a transposed operand");
        assertNull(DirectGemm.of(DynamicCustomOp.builder(DirectGemm.MATMUL).addInputs(x, y).addOutputs(z)
                .addFloatingPointArguments(2.0, 0.0).build(), in, out), "alpha 2");
        assertNull(DirectGemm.of(DynamicCustomOp.builder(DirectGemm.MATMUL).addInputs(x, y).addOutputs(z)
                .addFloatingPointArguments(1.0, 1.0).build(), in, out), "beta 1");
        INDArray d = x.castTo(DataType.DOUBLE);
        INDArray dy = y.castTo(DataType.DOUBLE);
        INDArray dz = Nd4j.create(DataType.DOUBLE, 6, 5);
        assertNull(DirectGemm.of(matmul(d, dy, dz), new INDArray[]{d, dy}, new INDArray[]{dz}), "double");
        INDArray f = x.dup('f');
        assertNull(DirectGemm.of(matmul(f, y, z), new INDArray[]{f, y}, out), "'f' order");
        INDArray columns = Nd4j.rand(DataType.FLOAT, 6, 8).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4));
        assertNull(DirectGemm.of(matmul(columns, y, z), new INDArray[]{columns, y}, out), "a strided view");
        INDArray row = Nd4j.rand(DataType.FLOAT, 1, 4);
        INDArray rz = Nd4j.create(DataType.FLOAT, 1, 5);
        assertNull(DirectGemm.of(matmul(row, y, rz), new INDArray[]{row, y}, new INDArray[]{rz}), "a row vector");
        INDArray b = Nd4j.rand(DataType.FLOAT, 3, 6, 4);
        INDArray by = Nd4j.rand(DataType.FLOAT, 1, 4, 5);
        INDArray bz = Nd4j.create(DataType.FLOAT, 3, 6, 5);
        assertNull(DirectGemm.of(matmul(b, by, bz), new INDArray[]{b, by}, new INDArray[]{bz}),
                "a batch broadcast against another size");
        INDArray m2 = Nd4j.rand(DataType.FLOAT, 4, 5);
        assertNull(DirectGemm.of(matmul(b, m2, bz), new INDArray[]{b, m2}, new INDArray[]{bz}), "ranks 3 and 2");
        assertNull(DirectGemm.of(DynamicCustomOp.builder("add").addInputs(x, x).addOutputs(x.like()).build(),
                new INDArray[]{x, x}, new INDArray[]{x.like()}), "another op");
    }
}

package org.dl4jpgm.impl;

import org.dl4jpgm.blocks.SdOps;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProductAddFusion} in {@link OpPlan}: a product and the add of a bias or residual after it, run as one
 * product onto that operand from the second run on, against SameDiff's session bit for bit (the first run runs the
 * ops themselves); the probe that decides per shape, and the bias's rows written into the output.
 */
class ProductAddFusionTest {

    private static final String[] PARAMS = {"w", "wp"};
    /** With the bias: its gradient comes from the add's gradient, which reads the product for its shape only. */
    private static final String[] WITH_BIAS = {"w", "wp", "b"};

    private static Map<String, INDArray> input(long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(DataType.FLOAT, shape).muli(1.5 * seed));
    }

    private static int[] assertPlansAreTheSessions(long[] shape, long width, String what,
                                                   BiFunction<SameDiff, SDVariable, SDVariable> body) {
        return assertPlansAreTheSessions(shape, width, what, body, PARAMS);
    }

    private static int[] assertPlansAreTheSessions(long[] shape, long width, String what,
                                                   BiFunction<SameDiff, SDVariable, SDVariable> body,
                                                   String... params) {
        return GroupedPlans.assertPlansAreTheSessions(GroupedPlans.graph(DataType.FLOAT, shape, width, body),
                seed -> input(shape, seed), Arrays.toString(shape) + " " + what, params);
    }

    /**
     * {@code h wp + b}: wp {@code [E, n]}, b {@code [n]} with a +0 and a -0 among its elements where n is 4 or more
     * (fewer would leave no other element).
     */
    private static BiFunction<SameDiff, SDVariable, SDVariable> linear(long e, long n) {
        return (sd, h) -> {
            INDArray b = Nd4j.randn(DataType.FLOAT, n);
            if (n >= 4) {
                b.putScalar(0, 0f);
                b.putScalar(1, -0f);
            }
            return h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, e, n).muli(0.3))).add(sd.var("b", b));
        };
    }

    /**
     * {@code t * t} for {@code t = body(h)}: the loss of {@link GroupedPlans#graph} is linear in its output, so the
     * gradients of a plain body do not depend on its values; squared, they do, and a wrong forward value in a gradient
     * plan shows in them.
     */
    private static BiFunction<SameDiff, SDVariable, SDVariable> squared(
            BiFunction<SameDiff, SDVariable, SDVariable> body) {
        return (sd, h) -> {
            SDVariable t = body.apply(sd, h);
            return t.mul(t);
        };
    }

    @Test
    void biasAddsRunAsProductsOntoTheBiasInOutputAndGradientPlansBitForBit() {
        // the main job's shapes ([B M, D] into D and 2 D), odd ones, two rows; the gradients of w, wp and b
        long[][] shapes = {{384, 32, 64}, {128, 64, 32}, {384, 64, 32}, {13, 7, 5}, {2, 3, 2}};
        for (long[] s : shapes) {
            long[] shape = {s[0], s[1]};
            int[] fused = assertPlansAreTheSessions(shape, s[2], "(x wp + b)^2 into " + s[2],
                    squared(linear(s[1], s[2])), WITH_BIAS);
            String what = Arrays.toString(s);
            assertEquals(1, fused[1], what + ": the output plan's product and bias add as one product");
            assertEquals(1, fused[0], what + ": the gradient plan's too (the add's gradient reads the product's "
                    + "shape only)");
        }
    }

    @Test
    void aDifferenceAfterTheProductIsNotAnAdd() {
        // subtract's gradient reads the product's shape only too, but the difference is not a product onto b
        long[] shape = {64, 16};
        int[] fused = assertPlansAreTheSessions(shape, 16, "x wp - b", (sd, h) -> h.mmul(sd.var("wp",
                Nd4j.randn(DataType.FLOAT, 16, 16))).sub(sd.var("b", Nd4j.randn(DataType.FLOAT, 16))), WITH_BIAS);
        assertEquals(0, fused[0] + fused[1], "no add");
    }

    @Test
    void residualsAndAddsWithTheProductSecondToo() {
        long[] shape = {96, 24};
        int[] residual = assertPlansAreTheSessions(shape, 24, "h + h wp",
                (sd, h) -> h.add(h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 24, 24).muli(0.2)))));
        assertEquals(1, residual[1], "a residual [M, N] onto the product");
        assertEquals(1, residual[0], "and in the gradient plan, where h's gradient sums the add's and the product's");
        int[] biasFirst = assertPlansAreTheSessions(shape, 40, "b + h wp", (sd, h) -> sd.var("b",
                Nd4j.randn(DataType.FLOAT, 1, 40)).add(h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 24, 40)))),
                WITH_BIAS);
        assertEquals(1, biasFirst[1], "a bias [1, N] as the add's first operand");
        assertEquals(1, biasFirst[0], "its gradient plan too");
    }

    @Test
    void aLayerNormAfterTheBiasReadsTheOutputArray() {
        // the layer normalisation's loop reads its input from the array this loop writes, not from a Java array
        long[] shape = {128, 32};
        int[] fused = assertPlansAreTheSessions(shape, 48, "layerNorm(x wp + b)", (sd, h) -> SdOps.layerNorm(
                linear(32, 48).apply(sd, h), sd.var("gain", Nd4j.rand(DataType.FLOAT, 1, 48).addi(0.5)),
                sd.var("beta", Nd4j.randn(DataType.FLOAT, 1, 48)), 1));
        assertEquals(2, fused[1], "the product-add and the layer normalisation");
    }

    @Test
    void aLoopWhoseOutputOnlyTheProductReadsWritesItIntoItsArray() {
        // the layer normalisation's loop keeps y in a Java array where only loops read it; this loop reads native
        // memory only
        long[] shape = {128, 32};
        int[] fused = assertPlansAreTheSessions(shape, 48, "layerNorm(x) wp + b", (sd, h) -> linear(32, 48).apply(sd,
                SdOps.layerNorm(h, sd.var("gain", Nd4j.rand(DataType.FLOAT, 1, 32).addi(0.5)),
                        sd.var("beta", Nd4j.randn(DataType.FLOAT, 1, 32)), 1)));
        assertEquals(2, fused[1], "the output plan's layer normalisation and product-add");
    }

    @Test
    void aProductReadByAnotherOpKeepsItsOps() {
        long[] shape = {64, 16};
        int[] fused = assertPlansAreTheSessions(shape, 16, "(x wp + b) + 2 x wp", (sd, h) -> {
            SDVariable z = h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 16, 16)));
            return z.add(sd.var("b", Nd4j.randn(DataType.FLOAT, 16))).add(z.mul(2.0));
        });
        assertEquals(0, fused[0] + fused[1], "the product is read twice");
    }

    @Test
    void switchedOffAlone() {
        System.setProperty(OpPlan.PRODUCT_ADDS_PROPERTY, "false");
        try {
            int[] fused = assertPlansAreTheSessions(new long[]{32, 8}, 8, "x wp + b", linear(8, 8));
            assertEquals(0, fused[0] + fused[1], "switched off");
        } finally {
            System.clearProperty(OpPlan.PRODUCT_ADDS_PROPERTY);
        }
    }

    @Test
    void theProbeAgreesWhereTheInnerDimensionIsOneBlockAndNotBeyond() {
        assertTrue(ProductAddFusion.probe(384, 32, 64, true), "K = 32: one block of OpenBLAS's");
        assertTrue(ProductAddFusion.probe(96, 24, 24, false), "a full [M, N] operand");
        // OpenBLAS sums K in blocks of at most a few hundred (320 with its Haswell kernels); beyond one block the
        // bias meets the first block's sum, not the whole sum: other bits, which the probe must see
        assertFalse(ProductAddFusion.probe(32, 2048, 64, true), "K = 2048: several blocks");
    }

    @Test
    void wideProductsAreTheSessionsWhicheverWayTheProbeWent() {
        long[] shape = {32, 768};
        int[] fused = assertPlansAreTheSessions(shape, 64, "x wp + b, K = 768", linear(768, 64));
        assertEquals(ProductAddFusion.probe(32, 768, 64, true) ? 1 : 0, fused[1], "as the probe decided");
        // the paper-config step's paired-feature classifier: [B M 2, D] x [D, 2] + [2]; a probe whose bias was
        // nothing but its +0 and -0 fused it, and the sums then met the bias in another order
        long[] classifier = {192, 768};
        int[] two = assertPlansAreTheSessions(classifier, 2, "(x wp + b)^2, K = 768, N = 2",
                squared(linear(768, 2)), WITH_BIAS);
        assertEquals(ProductAddFusion.probe(192, 768, 2, true) ? 1 : 0, two[1], "as the probe decided");
        assertFalse(ProductAddFusion.probe(192, 768, 2, true), "K = 768 spans three of OpenBLAS's blocks");
    }

    @Test
    void presetWritesTheBiasIntoEveryRow() {
        for (int rows = 1; rows <= 9; rows++) {
            int cols = 3;
            FloatBuffer b = FloatBuffer.wrap(new float[]{-1f, -2f, 1f, 2f, 3f});
            FloatBuffer y = FloatBuffer.allocate(rows * cols + 2);
            ProductAddFusion.preset(b, 2, y, 1, rows, cols, true);
            float[] expected = new float[rows * cols + 2];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(new float[]{1f, 2f, 3f}, 0, expected, 1 + r * cols, cols);
            }
            assertArrayEquals(expected, y.array(), rows + " rows");
        }
        FloatBuffer b = FloatBuffer.wrap(new float[]{1f, 2f, 3f, 4f});
        FloatBuffer y = FloatBuffer.allocate(4);
        ProductAddFusion.preset(b, 0, y, 0, 2, 2, false);
        assertArrayEquals(new float[]{1f, 2f, 3f, 4f}, y.array(), "a full operand: copied");
    }

    @Test
    void presetWritesEachMatrixsRowIntoItsRows() {
        FloatBuffer b = FloatBuffer.wrap(new float[]{9f, 1f, 2f, 3f, 4f});
        FloatBuffer y = FloatBuffer.allocate(2 * 3 * 2 + 1);
        ProductAddFusion.preset(b, 1, y, 1, 2, 3, 2, ProductAddFusion.Form.ROWS_PER_MATRIX);
        assertArrayEquals(new float[]{0f, 1f, 2f, 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f, 3f, 4f}, y.array(),
                "matrix 0's rows from b's row 0, matrix 1's from row 1");
        y = FloatBuffer.allocate(2 * 3 * 2);
        ProductAddFusion.preset(b, 1, y, 0, 2, 3, 2, ProductAddFusion.Form.ROWS);
        assertArrayEquals(new float[]{1f, 2f, 1f, 2f, 1f, 2f, 1f, 2f, 1f, 2f, 1f, 2f}, y.array(),
                "one row into every row of every matrix");
    }

    @Test
    void stackedProductsWithABiasRowPerMatrixBitForBit() {
        // the partitioners' gate products at the main job's sizes: [G, B, D] x [G, D, D] + [G, 1, D]
        long[] shape = {3, 128, 32};
        int[] fused = assertPlansAreTheSessions(shape, 32, "(x wp + b)^2, three stacked products",
                squared((sd, h) -> h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 3, 32, 32).muli(0.3)))
                        .add(sd.var("b", Nd4j.randn(DataType.FLOAT, 3, 1, 32)))), WITH_BIAS);
        assertEquals(1, fused[1], "the output plan's stacked products onto their biases");
        assertEquals(1, fused[0], "the gradient plan's");
        int[] shared = assertPlansAreTheSessions(new long[]{2, 40, 16}, 8, "x wp + b, one bias for both",
                (sd, h) -> h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 2, 16, 8)))
                        .add(sd.var("b", Nd4j.randn(DataType.FLOAT, 8))), WITH_BIAS);
        assertEquals(1, shared[1], "a bias of N elements onto every matrix");
        assertTrue(ProductAddFusion.probe(3, 128, 32, 32, ProductAddFusion.Form.ROWS_PER_MATRIX), "K = 32");
        assertFalse(ProductAddFusion.probe(3, 16, 2048, 8, ProductAddFusion.Form.ROWS_PER_MATRIX), "K = 2048");
    }
}

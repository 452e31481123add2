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

    private static Map<String, INDArray> input(long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Map.of("x", Nd4j.randn(DataType.FLOAT, shape).muli(1.5 * seed));
    }

    private static int[] assertPlansAreTheSessions(long[] shape, long width, String what,
                                                   BiFunction<SameDiff, SDVariable, SDVariable> body) {
        return GroupedPlans.assertPlansAreTheSessions(GroupedPlans.graph(DataType.FLOAT, shape, width, body),
                seed -> input(shape, seed), Arrays.toString(shape) + " " + what, PARAMS);
    }

    /** {@code h wp + b}: wp {@code [E, n]}, b {@code [n]} with a +0 and a -0 among its elements. */
    private static BiFunction<SameDiff, SDVariable, SDVariable> linear(long e, long n) {
        return (sd, h) -> {
            INDArray b = Nd4j.randn(DataType.FLOAT, n);
            b.putScalar(0, 0f);
            b.putScalar(1, -0f);
            return h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, e, n).muli(0.3))).add(sd.var("b", b));
        };
    }

    @Test
    void biasAddsRunAsProductsOntoTheBiasInOutputPlansBitForBit() {
        // the main job's shapes ([B M, D] into D and 2 D), odd ones, two rows
        long[][] shapes = {{384, 32, 64}, {128, 64, 32}, {384, 64, 32}, {13, 7, 5}, {2, 3, 2}};
        for (long[] s : shapes) {
            long[] shape = {s[0], s[1]};
            int[] fused = assertPlansAreTheSessions(shape, s[2], "x wp + b into " + s[2], linear(s[1], s[2]));
            String what = Arrays.toString(s);
            assertEquals(1, fused[1], what + ": the output plan's product and bias add as one product");
            assertEquals(0, fused[0], what + ": the gradient plan keeps them (the add's gradient reads the product)");
        }
    }

    @Test
    void residualsAndAddsWithTheProductSecondToo() {
        long[] shape = {96, 24};
        int[] residual = assertPlansAreTheSessions(shape, 24, "h + h wp",
                (sd, h) -> h.add(h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 24, 24).muli(0.2)))));
        assertEquals(1, residual[1], "a residual [M, N] onto the product");
        int[] biasFirst = assertPlansAreTheSessions(shape, 40, "b + h wp", (sd, h) -> sd.var("b",
                Nd4j.randn(DataType.FLOAT, 1, 40)).add(h.mmul(sd.var("wp", Nd4j.randn(DataType.FLOAT, 24, 40)))));
        assertEquals(1, biasFirst[1], "a bias [1, N] as the add's first operand");
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
}

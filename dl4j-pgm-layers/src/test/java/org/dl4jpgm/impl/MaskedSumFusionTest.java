package org.dl4jpgm.impl;

import org.dl4jpgm.blocks.SdOps;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link MaskedSumFusion} in {@link OpPlan}: the masked mean over the steps of an NCW input, as a step-pooling layer
 * defines it, run with its permute, product and sum as one loop from the second run on, against SameDiff's session
 * bit for bit; and the loop's sums against a plain computation.
 */
class MaskedSumFusionTest {

    /** The pooling of {@code StepMeanPoolingLayer}: {@code [B, D, S]} to {@code [B, S, D]}, masked mean over S. */
    private static BiFunction<SameDiff, SDVariable, SDVariable> pooling(INDArray mask) {
        return (sd, h) -> SdOps.maskedMeanOverSteps(h.permute(0, 2, 1), sd.constant("mask", mask), mask.size(1));
    }

    /** A mask of rows with all steps, some, and none (a missing modality). */
    private static INDArray mask(long rows, long steps) {
        INDArray m = Nd4j.ones(DataType.FLOAT, rows, steps);
        for (long b = 0; b < rows; b++) {
            long valid = b % 4 == 3 ? 0 : steps - (b % steps);
            for (long t = valid; t < steps; t++) {
                m.putScalar(b, t, 0f);
            }
        }
        return m;
    }

    /**
     * {@code loss = sum(y * target)} with {@code y} the pooling of {@code x * w}: x a placeholder {@code [B, D, S]},
     * w a parameter {@code [1, S]}; three runs of both plans against the session.
     */
    private static int[] assertPlansAreTheSessions(long[] shape) {
        Nd4j.getRandom().setSeed(shape[0] * 100 + shape[2]);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, shape[1], shape[2]);
        SDVariable h = x.mul(sd.var("w", Nd4j.rand(DataType.FLOAT, 1, shape[2]).addi(0.5)));
        SDVariable y = pooling(mask(shape[0], shape[2])).apply(sd, h).rename("y");
        y.mul(sd.constant("target", Nd4j.randn(DataType.FLOAT, shape[0], shape[1]))).sum().rename("loss").markAsLoss();
        return GroupedPlans.assertPlansAreTheSessions(sd, seed -> {
            Nd4j.getRandom().setSeed(seed);
            return Map.of("x", Nd4j.randn(DataType.FLOAT, shape).muli(1.7 * seed));
        }, java.util.Arrays.toString(shape) + " masked mean over steps", "w");
    }

    @Test
    void theMaskedSumOfAPooledInputIsOneLoopInOutputPlansBitForBit() {
        // the main job's speech modality [B, 16, 24], odd sizes, one step
        for (long[] shape : new long[][]{{128, 16, 24}, {7, 5, 3}, {4, 3, 1}}) {
            int[] fused = assertPlansAreTheSessions(shape);
            if (shape[2] > 1) {
                assertEquals(1, fused[1], java.util.Arrays.toString(shape) + ": the output plan's permute, product and"
                        + " sum as one loop");
            }
            assertEquals(0, fused[0], "the gradient plan keeps them: the product's gradient reads the permuted input");
        }
    }

    @Test
    void inputsInAnotherLayoutAndSwitchedOff() {
        for (String on : new String[]{"true", "false"}) {
            System.setProperty(OpPlan.MASKED_SUMS_PROPERTY, on);
            try {
                Nd4j.getRandom().setSeed(11);
                SameDiff sd = SameDiff.create();
                SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6, 9);
                pooling(mask(20, 9)).apply(sd, x).rename("y");
                OpPlan plan = OpPlan.of(sd, List.of("y"));
                for (int run = 1; run <= 4; run++) {
                    INDArray in = Nd4j.randn(DataType.FLOAT, 20, 6, 9).muli(run);
                    if (run == 3) {
                        in = in.dup('f');
                    } else if (run == 4) {
                        in = Nd4j.randn(DataType.FLOAT, 20, 6, 18).get(NDArrayIndex.all(), NDArrayIndex.all(),
                                NDArrayIndex.interval(0, 9));
                    }
                    Map<String, INDArray> ph = Map.of("x", in);
                    assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"),
                            "masked sums " + on + ", run " + run + " (" + in.ordering() + " order)");
                }
                assertEquals("true".equals(on) ? 1 : 0, plan.fusedGroups(), "masked sums " + on);
            } finally {
                System.clearProperty(OpPlan.MASKED_SUMS_PROPERTY);
            }
        }
    }

    @Test
    void maskedSumsAddEachRoundedProductInTurn() {
        // x [1, 2, 3]: rows (1e8, 1, -1e8) and (4, 5, 6), mask 1; then rows (1, 2, 3), (4, 5, 6), mask (1, 0, 0.5)
        float[] x = {1e8f, 1f, -1e8f, 4f, 5f, 6f};
        float[] m = {1f, 1f, 1f};
        float[] out = new float[2];
        MaskedSumFusion.maskedSums(x, m, 1, 2, 3, out);
        // ((0 + 1e8) + 1) - 1e8 = 0 in float: the order of the sum shows
        assertArrayEquals(new float[]{0f, 15f}, out);
        MaskedSumFusion.maskedSums(new float[]{1f, 2f, 3f, 4f, 5f, 6f}, new float[]{1f, 0f, 0.5f}, 1, 2, 3, out);
        assertArrayEquals(new float[]{2.5f, 7f}, out);
        // nine sums of a row: two blocks of four and one alone, each against a plain float sum
        int width = 9;
        int steps = 5;
        float[] xs = new float[2 * width * steps];
        float[] ms = new float[2 * steps];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
        }
        for (int i = 0; i < ms.length; i++) {
            ms[i] = r.nextBoolean() ? 1f : 0.5f;
        }
        float[] sums = new float[2 * width];
        MaskedSumFusion.maskedSums(xs, ms, 2, width, steps, sums);
        for (int b = 0; b < 2; b++) {
            for (int d = 0; d < width; d++) {
                float expected = 0f;
                for (int t = 0; t < steps; t++) {
                    expected += xs[(b * width + d) * steps + t] * ms[b * steps + t];
                }
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(sums[b * width + d]),
                        "row " + b + ", sum " + d);
            }
        }
    }
}

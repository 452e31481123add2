package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.dl4jpgm.impl.OpPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SdOps#cumsoftmax}: monotone along the axis, in [0, 1], last element 1; extreme logits (±1e4) give no NaN
 * (values and gradients); a fully masked input (all logits equal to C) and a learner whose hard gate is all zero give
 * finite outputs; its two running sums (a product with a matrix of ones, a scan) agree with each other and with an
 * independent computation, in value and gradient.
 */
class CumSoftmaxTest {

    private static final long B = 3;
    private static final long S = 2;
    private static final long T = 7;

    /** cumsoftmax of {@code logits} [B, S, T], computed in a plain SameDiff. */
    private static INDArray cumsoftmax(INDArray logits) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, S, T);
        SDVariable y = SdOps.cumsoftmax(x.reshape(-1, T), T, 1).reshape(-1, S, T);
        return sd.output(Map.of("x", logits), y.name()).get(y.name());
    }

    private static void assertCumulativeDistribution(INDArray g, String what) {
        for (long b = 0; b < B; b++) {
            for (long s = 0; s < S; s++) {
                double prev = 0;
                for (long t = 0; t < T; t++) {
                    double v = g.getDouble(b, s, t);
                    assertTrue(Double.isFinite(v), what + ": non-finite value " + v + " at [" + b + "," + s + "," + t + "]");
                    assertTrue(v >= 0 && v <= 1 + 1e-12, what + ": value " + v + " outside [0, 1] at [" + b + "," + s
                            + "," + t + "]");
                    assertTrue(v >= prev - 1e-15, what + ": not monotone at [" + b + "," + s + "," + t + "]: " + prev
                            + " then " + v);
                    prev = v;
                }
                assertEquals(1.0, prev, 1e-12, what + ": last element at [" + b + "," + s + "]");
            }
        }
    }

    @Test
    void randomLogitsGiveAMonotoneCumulativeDistribution() {
        Nd4j.getRandom().setSeed(42);
        INDArray logits = Nd4j.randn(DataType.DOUBLE, B, S, T).muli(3);
        INDArray g = cumsoftmax(logits);
        assertCumulativeDistribution(g, "random logits");
        // and it is the running sum of the softmax (first element = softmax of the first logit)
        double[] row = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector();
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v);
        }
        assertEquals(Math.exp(row[0]) / sum, g.getDouble(0, 0, 0), 1e-12);
        assertTrue(g.getDouble(0, 0, 1) > g.getDouble(0, 0, 0), "strictly increasing for finite logits");
    }

    @Test
    void extremeLogitsGiveNoNaN() {
        INDArray logits = Nd4j.create(DataType.DOUBLE, B, S, T);
        for (long b = 0; b < B; b++) {
            for (long s = 0; s < S; s++) {
                for (long t = 0; t < T; t++) {
                    logits.putScalar(new long[]{b, s, t}, ((b + s + t) % 2 == 0 ? 1e4 : -1e4) * (1 + t * 0.1));
                }
            }
        }
        logits.putScalar(new long[]{2, 1, 3}, 1e4 * 1.3); // a tie of two maxima in one row
        logits.putScalar(new long[]{2, 1, 5}, 1e4 * 1.3);
        INDArray g = cumsoftmax(logits);
        assertCumulativeDistribution(g, "logits of ±1e4");
        // a single dominant logit: the distribution jumps from 0 to 1 there
        assertEquals(0.0, g.getDouble(0, 0, 5), 1e-12);
        assertEquals(1.0, g.getDouble(0, 0, 6), 1e-12);
        // the tie splits the mass in halves
        assertEquals(0.5, g.getDouble(2, 1, 3), 1e-12);

        // gradients through the extreme logits are finite too
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", logits);
        SDVariable y = SdOps.cumsoftmax(x.reshape(-1, T), T, 1).reshape(-1, S, T);
        Nd4j.getRandom().setSeed(7);
        y.mul(sd.constant(Nd4j.randn(DataType.DOUBLE, B, S, T))).sum().markAsLoss();
        INDArray grad = sd.calculateGradients(new HashMap<>(), List.of("x")).get("x");
        assertAllFinite(grad, "gradient at logits of ±1e4");
    }

    @Test
    void fullyMaskedLogitsGiveFiniteOutput() {
        INDArray logits = Nd4j.valueArrayOf(new long[]{B, S, T}, GateMasks.DEFAULT_MASK_CONSTANT, DataType.DOUBLE);
        INDArray g = cumsoftmax(logits);
        assertCumulativeDistribution(g, "all logits equal to C");
        for (long t = 0; t < T; t++) {
            assertEquals((t + 1) / (double) T, g.getDouble(1, 1, t), 1e-12, "equal logits give a uniform distribution");
        }
    }

    /** A learner whose hard gate is zero everywhere: every attention key is masked; the output is finite (zero). */
    @ParameterizedTest
    @EnumSource(LearnerMode.class)
    void fullyMaskedLearnerGivesFiniteOutput(LearnerMode mode) {
        long d = 4;
        MaskedLearnerBlock block = new MaskedLearnerBlock("", d, new LearnerSpec(mode, 2, 2, 6, 2, 4,
                GateMasks.DEFAULT_MASK_CONSTANT, GateGradient.STRAIGHT_THROUGH));
        SDLayerParams shapes = new SDLayerParams();
        block.defineParameters(shapes);
        Map<String, INDArray> values = new LinkedHashMap<>();
        shapes.getParamShapes().forEach((k, shape) -> values.put(k, Nd4j.create(DataType.DOUBLE, shape)));
        Nd4j.getRandom().setSeed(3);
        block.initializeParameters(values);

        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> params = new HashMap<>();
        values.forEach((k, v) -> params.put(k, sd.var(k, v)));
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, S, d);
        SDVariable gate = sd.placeHolder("gate", DataType.DOUBLE, -1, S, d);
        SDVariable seqMask = sd.placeHolder("mask", DataType.DOUBLE, -1, S);
        SDVariable y = block.apply(params, x, gate, seqMask, S);

        Nd4j.getRandom().setSeed(4);
        INDArray in = Nd4j.randn(DataType.DOUBLE, B, S, d).muli(100);
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, B, S, d);
        INDArray noSteps = Nd4j.zeros(DataType.DOUBLE, B, S);   // every step padded as well: every key masked
        for (INDArray mask : new INDArray[]{Nd4j.ones(DataType.DOUBLE, B, S), noSteps}) {
            INDArray out = sd.output(Map.of("x", in, "gate", zeros, "mask", mask), y.name()).get(y.name());
            assertAllFinite(out, mode + ": output of a fully masked learner");
            assertEquals(0.0, out.amaxNumber().doubleValue(), 0.0, mode + ": nothing passes a zero gate");
        }
    }

    private static void assertAllFinite(INDArray a, String what) {
        double[] v = a.ravel().toDoubleVector();
        for (int i = 0; i < v.length; i++) {
            assertTrue(Double.isFinite(v[i]), what + ": non-finite value " + v[i] + " at flat index " + i);
        }
    }

    /**
     * The running sum of {@code p} ({@code [N, T]}, or {@code [G, N, T]}) by product or by scan, and the gradient of
     * {@code sum(runningSum(p) * w)} with respect to p, in double precision.
     */
    private static INDArray[] runningSum(boolean scan, INDArray p, INDArray w, int groups) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("p", p.dup());
        long t = p.size(p.rank() - 1);
        SDVariable y = scan ? SdOps.runningSumByScan(x, t, groups) : SdOps.runningSumByProduct(x, t, groups);
        y.mul(sd.constant(w)).sum().markAsLoss();
        INDArray value = sd.output(new HashMap<>(), y.name()).get(y.name());
        INDArray grad = sd.calculateGradients(new HashMap<>(), List.of("p")).get("p");
        return new INDArray[]{value, grad};
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void theScanAndTheProductAreTheRunningSumAndItsGradient(int groups) {
        Nd4j.getRandom().setSeed(11 + groups);
        long n = 4;
        long t = 9;
        long[] shape = groups == 1 ? new long[]{n, t} : new long[]{groups, n, t};
        INDArray p = Nd4j.rand(DataType.DOUBLE, shape);
        INDArray w = Nd4j.randn(DataType.DOUBLE, shape);
        // independently: the running sum along the last axis, and its gradient, the reverse running sum of w
        double[] pv = p.ravel().toDoubleVector();
        double[] wv = w.ravel().toDoubleVector();
        double[] sum = new double[pv.length];
        double[] grad = new double[pv.length];
        for (int row = 0; row < pv.length / t; row++) {
            double acc = 0;
            for (int k = 0; k < t; k++) {
                acc += pv[(int) (row * t + k)];
                sum[(int) (row * t + k)] = acc;
            }
            double back = 0;
            for (int k = (int) t - 1; k >= 0; k--) {
                back += wv[(int) (row * t + k)];
                grad[(int) (row * t + k)] = back;
            }
        }
        for (boolean scan : new boolean[]{false, true}) {
            INDArray[] r = runningSum(scan, p, w, groups);
            String what = (scan ? "scan" : "product") + ", groups " + groups;
            assertArrayEquals(shape, r[0].shape(), what + ": shape");
            assertArrayEquals(sum, r[0].ravel().toDoubleVector(), 1e-12, what + ": value");
            assertArrayEquals(grad, r[1].ravel().toDoubleVector(), 1e-12, what + ": gradient");
        }
    }

    @Test
    void cumsoftmaxScansFromItsThresholdWidthOnAndMultipliesBelow() {
        for (long t : new long[]{SdOps.SCAN_MIN_WIDTH - 1, SdOps.SCAN_MIN_WIDTH}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 3, -1, t);
            SdOps.cumsoftmax(x, t, 3);
            boolean scans = sd.getOps().values().stream().anyMatch(o -> "cumsum".equals(o.getOp().opName()));
            assertEquals(t >= SdOps.SCAN_MIN_WIDTH, scans, "T = " + t);
        }
    }

    @Test
    void theScanRunsAsAnOpPlanAsInTheSession() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 3, -1, 6);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 1, 6));
        SDVariable y = SdOps.runningSumByScan(SdOps.softmax(x.mul(w), 2), 6, 3).rename("y");
        Nd4j.getRandom().setSeed(5);
        y.mul(sd.constant(Nd4j.randn(DataType.DOUBLE, 3, 4, 6))).sum().markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.DOUBLE, 3, 4, 6));
        INDArray session = sd.calculateGradients(ph, "w").get("w");
        OpPlan plan = OpPlan.of(sd.getFunction("grad"),
                List.of(sd.getVariable("w").getGradient().name()));
        assertNotNull(plan, "a plan runs cumsum and permute");
        assertBitIdentical(session,
                plan.run(ph).get(sd.getVariable("w").getGradient().name()), "the gradient");
        OpPlan out = OpPlan.of(sd, List.of("y"));
        assertBitIdentical(sd.output(ph, "y").get("y"), out.run(ph).get("y"), "the value");
    }
}

package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link VectorExp} against libnd4j's {@code exp} and {@code sigmoid}, bit for bit: on a million float bit patterns
 * spread over all of them, and in plans against SameDiff's session.
 */
class VectorExpTest {

    /** libnd4j's result of {@code f} on {@code in}. */
    private static float[] libnd4j(VectorExp.Function f, float[] in) {
        INDArray x = Nd4j.createFromArray(in.clone());
        INDArray z = x.ulike();
        Nd4j.getExecutioner().exec(f == VectorExp.Function.SIGMOID ? new Sigmoid(x, z) : new Exp(x, z));
        return z.toFloatVector();
    }

    private static void assertSameBits(float[] in, float[] expected, float[] actual, String what) {
        for (int i = 0; i < in.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + " of " + in[i] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(in[i]))
                        + "): libnd4j " + expected[i] + ", Java " + actual[i]);
            }
        }
    }

    @Test
    void runsHereAsTheTestsAddTheModule() {
        assertTrue(ModuleLayer.boot().findModule(VectorExp.MODULE).isPresent(),
                "the tests' JVM has jdk.incubator.vector (test.argLine in the parent pom)");
        assumeTrue(ExpKernels.usable(), "vectors of 8 doubles (AVX-512)");
        assertTrue(VectorExp.available(), "the probe passed on this machine, vectors of " + ExpKernels.lanes()
                + " doubles");
    }

    @Test
    void vectorAndScalarFunctionsAreLibnd4jsOnAMillionBitPatterns() {
        int n = 1 << 20;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = Float.intBitsToFloat((int) (i * 4_099L + 17));   // every sign, exponent and NaN payload region
        }
        float[] edges = VectorExp.probeInputs();
        float[] all = Arrays.copyOf(in, n + edges.length);
        System.arraycopy(edges, 0, all, n, edges.length);
        for (VectorExp.Function f : VectorExp.Function.values()) {
            float[] expected = libnd4j(f, all);
            float[] vector = all.clone();
            VectorExp.apply(f, vector, vector.length);
            assertSameBits(all, expected, vector, f + " vectorised");
            float[] scalar = new float[all.length];
            for (int i = 0; i < all.length; i++) {
                scalar[i] = f == VectorExp.Function.SIGMOID ? VectorExp.sigmoid(all[i]) : VectorExp.expf(all[i]);
            }
            assertSameBits(all, expected, scalar, f + " scalar");
        }
    }

    @Test
    void lengthsBelowAndBetweenVectorsTakeTheScalarTail() {
        for (int n = 1; n <= 3 * ExpKernels.lanes() + 1; n++) {
            Nd4j.getRandom().setSeed(n);
            float[] in = Nd4j.randn(DataType.FLOAT, n).muli(20).toFloatVector();
            in[n / 2] = 95f;                                     // a special case inside a vector or in the tail
            for (VectorExp.Function f : VectorExp.Function.values()) {
                float[] actual = in.clone();
                VectorExp.apply(f, actual, n);
                assertSameBits(in, libnd4j(f, in), actual, f + " of length " + n);
            }
        }
    }

    /** {@code y = sigmoid(h) + exp(h / 4)} with {@code h = x * w}: an op of each function, and their gradients. */
    private static SameDiff graph(DataType type, long[] shape) {
        return GroupedPlans.graph(type, shape, (sd, h) -> sd.nn().sigmoid(h).add(sd.math().exp(h.mul(0.25))));
    }

    private static Map<String, INDArray> input(DataType type, long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(type, shape).muli(4 * seed);
        if (seed == 3 && x.length() > 3) {
            x.putScalar(0, Double.NaN);                          // special cases at a later run
            x.putScalar(1, Double.POSITIVE_INFINITY);
            x.putScalar(2, -400);
        }
        return Map.of("x", x);
    }

    /** Three runs of the output plan and of the gradient plan against the session; the ops computed in Java. */
    private static int[] assertPlansAreTheSessions(DataType type, long[] shape) {
        SameDiff sd = graph(type, shape);
        String what = type + " " + Arrays.toString(shape);
        int[] fused = GroupedPlans.assertPlansAreTheSessions(sd, seed -> input(type, shape, seed), what, "w");
        assertEquals(0, fused[0] + fused[1], what + ": no groups in this graph");
        OpPlan output = OpPlan.of(sd, List.of("y"));
        assertNotNull(output, what);
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = input(type, shape, seed);
            assertBitIdentical(sd.output(ph, "y").get("y"), output.run(ph).get("y"), what + ", run " + seed);
        }
        sd.calculateGradients(input(type, shape, 1), "w");
        OpPlan gradient = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable("w").getGradient().name()));
        assertNotNull(gradient, what);
        gradient.run(input(type, shape, 1));
        return new int[]{output.vectorExpOps(), gradient.vectorExpOps()};
    }

    @Test
    void floatOpsRunInJavaAndAreTheSessionsBitForBit() {
        assumeTrue(ExpKernels.usable(), "vectors of 8 doubles (AVX-512)");
        long[][] shapes = {{384, 64}, {128, 64}, {3, 128, 32}, {5, 7}, {1, 1}, {13}};
        for (long[] shape : shapes) {
            int[] ops = assertPlansAreTheSessions(DataType.FLOAT, shape);
            assertEquals(2, ops[0], Arrays.toString(shape) + ": the output plan's exp and sigmoid");
            assertTrue(ops[1] >= 2, Arrays.toString(shape) + ": the gradient plan's forward part, " + ops[1]);
        }
    }

    @Test
    void doubleOpsStayInLibnd4j() {
        assertEquals(0, assertPlansAreTheSessions(DataType.DOUBLE, new long[]{16, 8})[0]);
    }

    @Test
    void switchedOffByItsProperty() {
        System.setProperty(OpPlan.VECTOR_API_PROPERTY, "false");
        try {
            assertEquals(0, assertPlansAreTheSessions(DataType.FLOAT, new long[]{16, 8})[0]);
        } finally {
            System.clearProperty(OpPlan.VECTOR_API_PROPERTY);
        }
    }

    @Test
    void takesAnOpOnlyWhereItsOutputHoldsLibnd4jsResult() {
        assumeTrue(ExpKernels.usable(), "vectors of 8 doubles (AVX-512)");
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 40, 9).muli(8);
        INDArray z = x.ulike();
        Sigmoid op = new Sigmoid(x, z);
        Nd4j.getExecutioner().exec(op);
        VectorExp v = VectorExp.of(op, x, z);
        assertNotNull(v, "libnd4j's result in z");
        INDArray x2 = Nd4j.randn(DataType.FLOAT, 40, 9).muli(8);
        v.run(x2, z);
        assertBitIdentical(Nd4j.getExecutioner().exec(new Sigmoid(x2, x2.ulike())), z, "another input");

        INDArray wrong = z.dup();
        wrong.putScalar(17, wrong.getFloat(17) + 1e-3f);
        assertNull(VectorExp.of(op, x, wrong), "one element other than libnd4j's");
        assertNull(VectorExp.of(new Tanh(x, z), x, z), "another function");
        assertNull(VectorExp.of(op, x, Nd4j.zeros(DataType.FLOAT, 9, 40)), "another shape");
        assertNull(VectorExp.of(op, x, z.transpose()), "an output not contiguous in 'c' order");
        INDArray xt = Nd4j.randn(DataType.FLOAT, 9, 40).muli(8).transpose();    // an input in 'f' order: packed first
        INDArray zt = Nd4j.createUninitialized(DataType.FLOAT, 40, 9);
        Nd4j.getExecutioner().exec(new Sigmoid(xt, zt));
        VectorExp vt = VectorExp.of(new Sigmoid(xt, zt), xt, zt);
        assertNotNull(vt, "an input in 'f' order");
        INDArray out = zt.ulike();
        vt.run(xt, out);
        assertBitIdentical(zt, out, "an input in 'f' order");
    }
}

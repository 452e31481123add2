package org.dl4jpgm.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * libnd4j's {@code exp} and {@code sigmoid} transforms of float arrays computed in Java with the JDK's Vector API
 * ({@link ExpKernels}), equal to libnd4j's bit for bit: a plan's substitute for these two legacy ops.
 *
 * <p>Why: libnd4j 1.0.0-M2.1 computes both one element at a time through glibc's {@code expf}, about 2.8 ns per
 * element for the sigmoid on one core; the main job's GELUs run eight sigmoids per forward pass (three of
 * {@code [B M, 2 D]}, five of {@code [B, 2 D]}), 15 % of an {@code output} call at the main job's sizes
 * (docs/performance.md, "exp, sigmoid and the layer normalisation's rows on the Vector API"). The same function on
 * vectors of 8 doubles takes about a third of that.
 *
 * <p>The function: glibc's {@code expf} (since 2.27; {@code sysdeps/ieee754/flt-32/e_expf.c}), the one libnd4j's
 * transforms call: {@code x N / ln 2 = k + r}, {@code exp(x) = 2^(k/N) 2^(r/N)} with a table of {@code 2^(i/N)}
 * (N = 32) and a cubic in r, in double, rounded to float once. On x86-64 glibc picks its FMA build where the CPU has
 * FMA, whose three multiply-adds this class writes as {@link Math#fma}. A sigmoid is {@code 1 / (1 + expf(-x))} in
 * float, as libnd4j's {@code simdOps::Sigmoid}. Because the match rests on the machine's glibc and CPU, it is checked
 * on them: once per process on 65,536 inputs spread over every float's bit pattern and the special cases
 * ({@link #available}), and on each op's arrays at its first run ({@link #of}); where either differs libnd4j's op
 * runs.
 *
 * <p>Needs the module {@code jdk.incubator.vector} in the JVM ({@code --add-modules jdk.incubator.vector}; this
 * project's {@code .mvn/jvm.config} and its tests add it) and vectors of 512 bits (AVX-512); without them, or with
 * {@code -Dorg.dl4jpgm.opPlans.vectorApi=false}, the ops run in libnd4j. Shapes: {@code x} and the output alike, any
 * rank; the output contiguous in 'c' order.
 */
final class VectorExp {

    private static final Logger LOG = LoggerFactory.getLogger(VectorExp.class);

    /** The Vector API's module. */
    static final String MODULE = "jdk.incubator.vector";

    /** glibc's {@code expf} table ({@code __exp2f_data.tab}): {@code asuint64(2^(i/32)) - (i << 52) / 32}. */
    static final long[] TABLE = {
        0x3ff0000000000000L, 0x3fefd9b0d3158574L, 0x3fefb5586cf9890fL, 0x3fef9301d0125b51L,
        0x3fef72b83c7d517bL, 0x3fef54873168b9aaL, 0x3fef387a6e756238L, 0x3fef1e9df51fdee1L,
        0x3fef06fe0a31b715L, 0x3feef1a7373aa9cbL, 0x3feedea64c123422L, 0x3feece086061892dL,
        0x3feebfdad5362a27L, 0x3feeb42b569d4f82L, 0x3feeab07dd485429L, 0x3feea47eb03a5585L,
        0x3feea09e667f3bcdL, 0x3fee9f75e8ec5f74L, 0x3feea11473eb0187L, 0x3feea589994cce13L,
        0x3feeace5422aa0dbL, 0x3feeb737b0cdc5e5L, 0x3feec49182a3f090L, 0x3feed503b23e255dL,
        0x3feee89f995ad3adL, 0x3feeff76f2fb5e47L, 0x3fef199bdd85529cL, 0x3fef3720dcef9069L,
        0x3fef5818dcfba487L, 0x3fef7c97337b9b5fL, 0x3fefa4afa2a490daL, 0x3fefd0765b6e4540L,
    };
    private static final double N = 32;
    /** {@code N / ln 2}. */
    static final double INV_LN2_N = 0x1.71547652b82fep+0 * N;
    /** {@code 1.5 * 2^52}: adding it rounds to an integer held in the low bits. */
    static final double SHIFT = 0x1.8p+52;
    /** The cubic's coefficients, scaled for r in units of {@code 1 / N}. */
    static final double C0 = 0x1.c6af84b912394p-5 / N / N / N;
    static final double C1 = 0x1.ebfce50fac4f3p-3 / N / N;
    static final double C2 = 0x1.62e42ff0c52d6p-1 / N;
    /** Inputs at least this large in magnitude (and infinities, NaN) take glibc's special-case branch. */
    static final float SPECIAL = 88.0f;

    /** The function of an op. */
    enum Function { EXP, SIGMOID }

    private final Function function;
    /** The input's values, read into a Java array and computed in place ({@link OpGroup.Inputs}). */
    private final OpGroup.Inputs input;
    private final INDArray[] inputArray = new INDArray[1];
    private float[] values;
    /** The write of {@link #values} into the output array of the last run. */
    private INDArray lastOut;
    private Runnable write;

    private VectorExp(Function function, int length) {
        this.function = function;
        this.input = new OpGroup.Inputs(new int[]{length}, new float[1][]);
    }

    /**
     * Whether the ops can run here: the property is not {@code false}, the module is in the JVM, its vectors are wide
     * enough ({@link ExpKernels#usable}), and the vectorised functions equal libnd4j's on a probe of 65,536 inputs (all
     * exponents and signs, the special cases). The probe runs once per process; a missing module is logged once.
     */
    static boolean available() {
        if (switchedOff()) {
            return false;
        }
        if (!moduleLoaded()) {
            if (!missingModuleLogged) {
                missingModuleLogged = true;
                LOG.info("exp and sigmoid run in libnd4j, about 2.4x slower: the JVM lacks the module {} "
                        + "(--add-modules {})", MODULE, MODULE);
            }
            return false;
        }
        return Probe.PASSED;
    }

    /** Whether {@link #available} has logged that the module is missing (once per process). */
    private static volatile boolean missingModuleLogged;

    /** Whether the JVM has the Vector API's module ({@code --add-modules jdk.incubator.vector}). */
    static boolean moduleLoaded() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * Whether loops written with the Vector API may run: the module is in the JVM and
     * {@link OpPlan#VECTOR_API_PROPERTY} is not {@code false} (read at each call: plans made later follow it).
     */
    static boolean vectorApiEnabled() {
        return !switchedOff() && moduleLoaded();
    }

    /** Whether {@link OpPlan#VECTOR_API_PROPERTY} is {@code false}. */
    private static boolean switchedOff() {
        return !FastPathSwitch.on(OpPlan.VECTOR_API_PROPERTY);
    }

    /**
     * The substitute for legacy op {@code op} on {@code x} into {@code z}, or null where it has none: another op than
     * {@code exp} or {@code sigmoid} (or one with extra arguments), other than float arrays, shapes that differ, an
     * output not contiguous, or not {@link #available}. {@code z} must hold libnd4j's result of this very op on
     * {@code x} (the plan's first run): where this class computes another value for any element, null.
     */
    static VectorExp of(BaseOp op, INDArray x, INDArray z) {
        Function f = op.getClass() == Sigmoid.class ? Function.SIGMOID : op.getClass() == Exp.class ? Function.EXP
                : null;
        if (f == null || (op.extraArgs() != null && op.extraArgs().length > 0) || x == null || z == null
                || x.dataType() != DataType.FLOAT || z.dataType() != DataType.FLOAT || x.isEmpty()
                || x.length() > Integer.MAX_VALUE || !Arrays.equals(x.shape(), z.shape())
                || !OpPlan.contiguousC(z) || !HostMemory.addressable(z) || !available()) {
            return null;
        }
        VectorExp v = new VectorExp(f, (int) x.length());
        v.compute(x);
        float[] libnd4j = new float[v.values.length];
        HostMemory.floats(z).get((int) z.offset(), libnd4j, 0, libnd4j.length);
        return HostMemory.sameBits(v.values, libnd4j) ? v : null;
    }

    /** Writes the function of {@code x} into {@code z} (shapes and type as at {@link #of}). */
    void run(INDArray x, INDArray z) {
        compute(x);
        if (z != lastOut) {
            lastOut = z;
            write = OpGroup.writer(values, z);
        }
        write.run();
    }

    /** The function of {@code x} into {@link #values} (the same Java array at every call). */
    private void compute(INDArray x) {
        inputArray[0] = x;
        values = input.read(inputArray)[0];
        apply(function, values, values.length);
    }

    /** The function on {@code a[0, n)} in place, with the vector kernels. */
    static void apply(Function f, float[] a, int n) {
        if (f == Function.SIGMOID) {
            ExpKernels.sigmoid(a, n);
        } else {
            ExpKernels.exp(a, n);
        }
    }

    /**
     * glibc's {@code expf} (FMA build), one float: the reference of {@link ExpKernels} and its path for the special
     * cases (|x| >= 88, infinities, NaN).
     */
    static float expf(float x) {
        int abstop = (Float.floatToRawIntBits(x) >>> 20) & 0x7ff;
        if (abstop >= (Float.floatToRawIntBits(SPECIAL) >>> 20)) {
            if (x == Float.NEGATIVE_INFINITY) {
                return 0f;
            }
            if (abstop >= (Float.floatToRawIntBits(Float.POSITIVE_INFINITY) >>> 20)) {
                return x + x;
            }
            if (x > 0x1.62e42ep6f) {
                return Float.POSITIVE_INFINITY;   // overflow
            }
            if (x < -0x1.9fe368p6f) {
                return 0f;                        // underflow
            }
        }
        double z = INV_LN2_N * x;
        double kd = z + SHIFT;
        long ki = Double.doubleToRawLongBits(kd);
        kd -= SHIFT;
        double r = z - kd;
        double s = Double.longBitsToDouble(TABLE[(int) (ki & 31)] + (ki << 47));
        double zc = Math.fma(C0, r, C1);
        double y = Math.fma(C2, r, 1.0);
        y = Math.fma(zc, r * r, y);
        return (float) (y * s);
    }

    /** libnd4j's sigmoid of one float: {@code 1 / (1 + expf(-x))} in float. */
    static float sigmoid(float x) {
        return 1f / (1f + expf(-x));
    }

    /**
     * The probe inputs: 65,536 float bit patterns 65,537 apart (every exponent, both signs, NaNs and infinities among
     * them) and the special-case boundaries.
     */
    static float[] probeInputs() {
        float[] edges = {0f, -0f, 88f, -88f, Math.nextDown(88f), Math.nextDown(-88f), 0x1.62e42ep6f,
            Math.nextUp(0x1.62e42ep6f), -0x1.9fe368p6f, Math.nextDown(-0x1.9fe368p6f), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
        float[] in = new float[65_536 + edges.length];
        for (int i = 0; i < 65_536; i++) {
            in[i] = Float.intBitsToFloat((int) (i * 65_537L));
        }
        System.arraycopy(edges, 0, in, 65_536, edges.length);
        return in;
    }

    /** The once-per-process decision of {@link #available}. */
    private static final class Probe {
        static final boolean PASSED = run();

        private static boolean run() {
            if (!HostMemory.hasNativeBuffers() || !ExpKernels.usable()) {
                return false;
            }
            float[] in = probeInputs();
            for (Function f : Function.values()) {
                INDArray x = Nd4j.createFromArray(in.clone());
                INDArray z = x.ulike();
                Nd4j.getExecutioner().exec(f == Function.SIGMOID ? new Sigmoid(x, z) : new Exp(x, z));
                float[] mine = in.clone();
                apply(f, mine, mine.length);
                if (!HostMemory.sameBits(mine, z.toFloatVector())) {
                    LOG.info("exp and sigmoid run in libnd4j: its {} differs from glibc's expf written in Java", f);
                    return false;
                }
            }
            return true;
        }
    }
}

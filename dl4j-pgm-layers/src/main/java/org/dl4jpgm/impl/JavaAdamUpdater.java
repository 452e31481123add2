package org.dl4jpgm.impl;

import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.FloatBuffer;
import java.util.Random;

/**
 * DL4J's Adam updater with the update of float arrays computed in Java: the same arithmetic as libnd4j's
 * {@code adam_updater}, in the same order, bit for bit, about four times faster on one thread.
 *
 * <p>Why: ND4J 1.0.0-M2.1's {@code adam_updater} kernel runs at about 5.5 ns per parameter on one core (a scalar loop),
 * so at the paper's size (42 M parameters) Adam took about a quarter of a training step, 230 ms, more than all of
 * PgM's elementwise ops together (docs/performance.md, "Adam's kernel"). Here the update runs on the Vector API on the
 * arrays' native memory in place ({@link AdamKernels}) where the JVM has the module, else the parameters' gradient and
 * moments are copied in blocks of {@value #BLOCK} to Java arrays, updated by a loop the JIT compiler vectorises, and
 * copied back; both compute the same bits.
 *
 * <p>Per parameter, with {@code g} the gradient, {@code m} and {@code v} the moments, all float, and
 * {@code ε_t = lr sqrt(1 - β2^(t+1)) / (1 - β1^(t+1))} computed once per call as libnd4j does (float, the last
 * division in double; {@code ε} where that is not finite or zero):
 * <pre>
 *   m ← β1 m + g (1 - β1)        v ← β2 v + g g (1 - β2)        update ← (m ε_t) / (sqrt(v) + ε)
 * </pre>
 * (Kingma and Ba, Algorithm 1, with the bias corrections folded into ε_t.) No fused multiply-add: the generic x86-64
 * build of libnd4j has none, and Java does not contract. Other data types and arrays that are not contiguous with
 * the same layout take libnd4j's kernel. {@link UpdaterPass} joins DL4J's division of the gradient by the minibatch size
 * to this pass ({@link Coefficients#minibatch}).
 *
 * <p>{@link #install} puts it in a graph updater's blocks only where {@link #matchesNative()} measures it equal to the
 * loaded libnd4j, bit for bit, on a probe (a libnd4j build that contracts to FMA would not be); the Vector API's loop
 * runs only where it matches on the same probe ({@link #vectorLoop}).
 */
public final class JavaAdamUpdater extends AdamUpdater {

    /** Parameters per block copied to Java arrays: three blocks of floats fit a core's L2 cache. */
    static final int BLOCK = 4096;

    /**
     * System property: {@code false} has the Vector API's loop square every gradient, also those whose square the
     * second moment absorbs ({@link AdamKernels}'s class comment); read when an updater is made.
     */
    public static final String ABSORBED_SQUARES_PROPERTY = "org.dl4jpgm.updater.absorbedSquares";

    private static volatile Boolean matches;
    private static volatile Boolean vectorMatches;

    /** Whether this updater's steps run {@link AdamKernels}: {@link #vectorLoop()} when it was made. */
    private final boolean vectors;

    /** Whether its vector loop squares 0 where the moment absorbs: {@link #absorbedSquaresEnabled()} when made. */
    private final boolean absorbedSquares;

    /**
     * @param config the Adam configuration, as for DL4J's {@code AdamUpdater}; the loop is chosen now
     *               ({@link #vectorLoop()}), as op plans choose theirs when they are made
     */
    public JavaAdamUpdater(Adam config) {
        super(config);
        this.vectors = vectorLoop();
        this.absorbedSquares = absorbedSquaresEnabled();
    }

    /** Whether this updater's steps run on the Vector API ({@link AdamKernels}). */
    boolean vectors() {
        return vectors;
    }

    /** Whether this updater's vector loop squares 0 where the second moment absorbs the square. */
    boolean absorbedSquares() {
        return absorbedSquares;
    }

    /** Whether {@link #ABSORBED_SQUARES_PROPERTY} is not {@code false} (read at each call). */
    static boolean absorbedSquaresEnabled() {
        return FastPathSwitch.on(ABSORBED_SQUARES_PROPERTY);
    }

    /**
     * Replaces DL4J's {@code AdamUpdater} (that class exactly) in every block of {@code updater} by a
     * {@code JavaAdamUpdater} on the same configuration and the same moment arrays; nothing where
     * {@link #matchesNative()} is false.
     *
     * @return the number of blocks replaced
     */
    public static int install(BaseMultiLayerUpdater<?> updater) {
        if (updater == null || !matchesNative()) {
            return 0;
        }
        int replaced = 0;
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            GradientUpdater<?> u = block.getGradientUpdater();
            if (u != null && u.getClass() == AdamUpdater.class) {
                AdamUpdater stock = (AdamUpdater) u;
                JavaAdamUpdater j = new JavaAdamUpdater(stock.getConfig());
                j.setState(stock.getState(), false);
                block.setGradientUpdater(j);
                replaced++;
            }
        }
        return replaced;
    }

    /**
     * Measured once per JVM: whether this update equals libnd4j's {@code adam_updater} bit for bit on a probe of
     * {@value #BLOCK} + 3 parameters of gradients spread over six orders of magnitude, from zero moments, at several
     * iterations and learning rates (both code paths: the copied blocks and their remainder). False off the CPU
     * backend without a probe: the loops read and write host memory ({@link HostMemory#addressable}).
     */
    public static boolean matchesNative() {
        if (matches == null) {
            synchronized (JavaAdamUpdater.class) {
                if (matches == null) {
                    matches = probe();
                }
            }
        }
        return matches;
    }

    private static boolean probe() {
        return HostMemory.hasNativeBuffers() && probe(0, false) && probe(12, false);
    }

    /**
     * One probe run; {@code minibatch > 0}: libnd4j's side divides the gradient by it first, as DL4J's updater does
     * ({@code BaseMultiLayerUpdater.divideByMinibatch}), and the Java side joins the division to the update. At every
     * other iteration the Java side also takes the optimizer's step in its pass, and libnd4j's side subtracts the
     * update from the parameters as DL4J's step function does.
     */
    private static boolean probe(int minibatch, boolean vectors) {
        int n = BLOCK + 3;
        Random r = new Random(7);
        INDArray mNative = Nd4j.zeros(DataType.FLOAT, n);
        INDArray vNative = Nd4j.zeros(DataType.FLOAT, n);
        INDArray mJava = Nd4j.zeros(DataType.FLOAT, n);
        INDArray vJava = Nd4j.zeros(DataType.FLOAT, n);
        INDArray pNative = Nd4j.createFromArray(gaussian(r, n, 1));
        INDArray pJava = pNative.dup();
        int[] iterations = {0, 1, 2, 9, 99, 999, 12345};
        double[] rates = {1e-3, 3e-4, 0.1};
        for (int k = 0; k < iterations.length; k++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) (r.nextGaussian() * Math.pow(10, -r.nextInt(6)));
            }
            boolean step = k % 2 == 0;
            INDArray gNative = Nd4j.createFromArray(g);
            INDArray gJava = Nd4j.createFromArray(g);
            double lr = rates[k % rates.length];
            if (minibatch > 0) {
                gNative.divi(minibatch);
            }
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(gNative, vNative, mNative, lr, 0.9,
                    0.999, 1e-8, iterations[k]));
            update(step ? pJava : null, gJava, mJava, vJava,
                    Coefficients.of(lr, 0.9, 0.999, 1e-8, iterations[k], minibatch), vectors);
            if (step) {
                pNative.subi(gNative);
            }
            if (!HostMemory.sameBits(gNative, gJava) || !HostMemory.sameBits(mNative, mJava)
                    || !HostMemory.sameBits(vNative, vJava) || !HostMemory.sameBits(pNative, pJava)) {
                return false;
            }
        }
        return true;
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        INDArray m = getM();
        INDArray v = getV();
        if (m == null || v == null || !javaPath(gradient, m, v)) {
            super.applyUpdater(gradient, iteration, epoch);
            return;
        }
        Adam c = getConfig();
        update(null, gradient, m, v, Coefficients.of(c.getLearningRate(iteration, epoch), c.getBeta1(),
                c.getBeta2(), c.getEpsilon(), iteration, 0), vectors, absorbedSquares);
    }

    /**
     * Whether the arrays are float and laid out alike in contiguous memory, so that element i of each buffer is the
     * same parameter (libnd4j's fast case too), in buffers that a {@code java.nio} buffer can address
     * ({@link HostMemory#addressable}).
     */
    static boolean javaPath(INDArray g, INDArray m, INDArray v) {
        return javaPath(null, g, m, v);
    }

    /** As {@link #javaPath(INDArray, INDArray, INDArray)}, the parameters {@code p} too where not null. */
    static boolean javaPath(INDArray p, INDArray g, INDArray m, INDArray v) {
        INDArray[] arrays = p == null ? new INDArray[]{g, m, v} : new INDArray[]{p, g, m, v};
        boolean vectors = true;
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT || a.elementWiseStride() != 1 || a.length() != g.length()
                    || !HostMemory.addressable(a)) {
                return false;
            }
            vectors &= a.isVectorOrScalar();
        }
        if (!vectors) {
            for (INDArray a : arrays) {
                if (a.ordering() != g.ordering() || !java.util.Arrays.equals(a.shape(), g.shape())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * One Adam step in place: {@code g} becomes the update, {@code m} and {@code v} the new moments (the class
     * comment has the equations). The arrays must pass {@link #javaPath}.
     */
    static void update(INDArray g, INDArray m, INDArray v, double learningRate, double beta1, double beta2,
                       double epsilon, int iteration) {
        update(g, m, v, learningRate, beta1, beta2, epsilon, iteration, 0);
    }

    /**
     * As {@link #update(INDArray, INDArray, INDArray, double, double, double, double, int)}, with the gradient first
     * divided by {@code minibatch} where that is above 0: {@code g / B} in float, as DL4J's
     * {@code BaseMultiLayerUpdater.divideByMinibatch} computes it (a scalar division by {@code (float) B}) before the
     * updater runs. One pass over the memory instead of two.
     */
    static void update(INDArray g, INDArray m, INDArray v, double learningRate, double beta1, double beta2,
                       double epsilon, int iteration, int minibatch) {
        update(g, m, v, Coefficients.of(learningRate, beta1, beta2, epsilon, iteration, minibatch), vectorLoop());
    }

    /**
     * One step with the loop given: {@link AdamKernels} on the arrays' native memory where {@code vectors}, else
     * (and for the last elements short of a whole vector) blocks copied through Java arrays.
     */
    static void update(INDArray g, INDArray m, INDArray v, Coefficients c, boolean vectors) {
        update(null, g, m, v, c, vectors, absorbedSquaresEnabled());
    }

    /**
     * As {@link #update(INDArray, INDArray, INDArray, Coefficients, boolean)}, and where {@code p} is not null the
     * optimizer's step in the same pass: {@code p ← p - update}, as DL4J's {@code params.subi(update)} computes it
     * (the gradient still becomes the update). {@code p} must pass {@link #javaPath} with the others.
     */
    static void update(INDArray p, INDArray g, INDArray m, INDArray v, Coefficients c, boolean vectors) {
        update(p, g, m, v, c, vectors, absorbedSquaresEnabled());
    }

    /**
     * As {@link #update(INDArray, INDArray, INDArray, INDArray, Coefficients, boolean)}; where
     * {@code absorbedSquares}, the vector loop squares 0 where the second moment absorbs the square (the same bits).
     */
    static void update(INDArray p, INDArray g, INDArray m, INDArray v, Coefficients c, boolean vectors,
                       boolean absorbedSquares) {
        int po = p == null ? 0 : (int) p.offset();
        int go = (int) g.offset();
        int mo = (int) m.offset();
        int vo = (int) v.offset();
        int n = (int) g.length();
        int done = vectors ? AdamKernels.update(p == null ? null : HostMemory.bytes(p), po, HostMemory.bytes(g), go,
                HostMemory.bytes(m), mo, HostMemory.bytes(v), vo, n, c,
                absorbedSquares ? squareUnderflow(c.oneMinusBeta2()) : 0) : 0;
        if (done < n) {
            blocks(p == null ? null : HostMemory.floats(p), po, HostMemory.floats(g), go, HostMemory.floats(m), mo,
                    HostMemory.floats(v), vo, done, n, c);
        }
    }

    /**
     * Elements {@code [from, to)} in blocks of {@value #BLOCK} copied to Java arrays, updated and copied back; the
     * parameters stepped where {@code pb} is not null.
     */
    private static void blocks(FloatBuffer pb, int po, FloatBuffer gb, int go, FloatBuffer mb, int mo, FloatBuffer vb,
                               int vo, int from, int to, Coefficients c) {
        int len0 = Math.min(BLOCK, to - from);
        float[] pa = pb == null ? null : new float[len0];
        float[] ga = new float[len0];
        float[] ma = new float[len0];
        float[] va = new float[len0];
        float b1 = c.beta1();
        float b2 = c.beta2();
        float oneMinusB1 = c.oneMinusBeta1();
        float oneMinusB2 = c.oneMinusBeta2();
        float epsT = c.epsilonT();
        float eps = c.epsilon();
        float batch = c.minibatch();
        for (int s = from; s < to; s += BLOCK) {
            int len = Math.min(BLOCK, to - s);
            gb.get(go + s, ga, 0, len);
            mb.get(mo + s, ma, 0, len);
            vb.get(vo + s, va, 0, len);
            if (c.minibatch() > 0) {
                for (int i = 0; i < len; i++) {
                    ga[i] = ga[i] / batch;
                }
            }
            for (int i = 0; i < len; i++) {
                float gi = ga[i];
                float mi = b1 * ma[i] + gi * oneMinusB1;
                float vi = b2 * va[i] + gi * gi * oneMinusB2;
                ma[i] = mi;
                va[i] = vi;
                ga[i] = (mi * epsT) / ((float) Math.sqrt(vi) + eps);
            }
            gb.put(go + s, ga, 0, len);
            mb.put(mo + s, ma, 0, len);
            vb.put(vo + s, va, 0, len);
            if (pb != null) {
                pb.get(po + s, pa, 0, len);
                for (int i = 0; i < len; i++) {
                    pa[i] = pa[i] - ga[i];
                }
                pb.put(po + s, pa, 0, len);
            }
        }
    }

    /**
     * The bound T below which {@code |g|} makes {@code g·g·(1 - β2)} less than 2^-126 in float: for {@code |g| < T},
     * {@code g·g < 0.9801 · 2^-126 / (1 - β2)}, and the two roundings (each at most 2^-24 relative, or 2^-150 in the
     * subnormal range) keep the product below 2^-126. 0 (no lane qualifies) where {@code 1 - β2} is not in (0, 1].
     */
    public static float squareUnderflow(float oneMinusBeta2) {
        if (!(oneMinusBeta2 > 0 && oneMinusBeta2 <= 1)) {
            return 0;
        }
        return (float) (Math.sqrt(0x1p-126 / oneMinusBeta2) * 0.99);
    }

    /**
     * Whether {@link #update} runs {@link AdamKernels}: the JVM has the Vector API's module, its vectors hold 8 floats
     * or more, {@link OpPlan#VECTOR_API_PROPERTY} is not {@code false} (read at each call), and the kernels matched
     * libnd4j on the probe (once per process).
     */
    static boolean vectorLoop() {
        if (!VectorExp.vectorApiEnabled() || !FloatLanes.usable()) {
            return false;
        }
        if (vectorMatches == null) {
            synchronized (JavaAdamUpdater.class) {
                if (vectorMatches == null) {
                    vectorMatches = probe(0, true) && probe(12, true);
                }
            }
        }
        return vectorMatches;
    }

    /**
     * The per-call values of an Adam step, as libnd4j's {@code adam_updater} computes them in float: the betas, the
     * step size {@code ε_t} with the bias corrections folded in (the class comment), ε, and the minibatch size to
     * divide the gradient by first (0: none).
     */
    record Coefficients(float beta1, float beta2, float epsilonT, float epsilon, int minibatch) {

        /** {@code 1 - β1} in float. */
        float oneMinusBeta1() {
            return 1 - beta1;
        }

        /** {@code 1 - β2} in float. */
        float oneMinusBeta2() {
            return 1 - beta2;
        }

        static Coefficients of(double learningRate, double beta1, double beta2, double epsilon, int iteration,
                               int minibatch) {
            float lr = (float) learningRate;
            float b1 = (float) beta1;
            float b2 = (float) beta2;
            float eps = (float) epsilon;
            float t = (float) iteration + 1;
            float b1t = (float) Math.pow(b1, t);
            float b2t = (float) Math.pow(b2, t);
            // as libnd4j: sqrt of the float (1 - β2^t), product in float, division in double, the result as float
            float epsT = (float) ((lr * (float) Math.sqrt((float) (1.0 - b2t))) / (1.0 - b1t));
            if (Float.isNaN(epsT) || epsT == 0 || Float.isInfinite(epsT)) {
                epsT = eps;
            }
            return new Coefficients(b1, b2, epsT, eps, minibatch);
        }
    }
}

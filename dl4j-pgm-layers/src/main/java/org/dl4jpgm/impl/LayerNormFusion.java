package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.ScalarOp;

import java.util.Arrays;
import java.util.List;

/**
 * The ops of a layer normalisation ({@code SdOps.layerNorm}: 9 ops) and those of its gradient (10 of the 12 ops
 * SameDiff differentiates it into), found in a plan's op list and run as one Java loop each, with libnd4j's
 * arithmetic: the same values bit for bit ({@code impl/LayerNormFusionTest}); an {@link OpGroup} each.
 *
 * <p>Why: each of those ops is a native call on a small array ({@code [B M, 1, D]} at the main job's sizes, a few
 * microseconds each), and a PgM training step at the main job's sizes runs 9 layer normalisations, about 200 op calls
 * (docs/performance.md, "Layer normalisation and GELU gradients as one loop each").
 *
 * <p>The forward ops, on {@code x} of shape {@code [.., E]} (R rows of E), {@code gain} and {@code bias} of E elements:
 * <pre>
 *   mu = reduce_mean(x, last axis, kept)     c = x - mu        sq = c * c      v = reduce_mean(sq, last axis, kept)
 *   ve = v + eps      inv = rsqrt(ve)        n = c * inv       s = n * gain    y = s + bias
 * </pre>
 * and the gradient's, from the incoming gradient {@code gy} and {@code ms = -0.5 pow(ve, -1.5)} (the two ops that
 * compute {@code ms} stay outside the group: they read the forward pass only, and libnd4j's {@code powf} is not
 * Java's):
 * <pre>
 *   add_bp(s, bias, gy)         -> gs = gy, gbias = sum over rows of gy
 *   multiply_bp(n, gain, gs)    -> gn = gs * gain, ggain = sum over rows of gs * n
 *   multiply_bp(c, inv, gn)     -> gc1 = gn * inv, ginv = sum over the row of gn * c
 *   multiply(ginv, ms)          -> gv
 *   reduce_mean_bp(sq, gv)      -> gsq = (1 / E) * gv
 *   multiply_bp(c, c, gsq)      -> m = gsq * c, twice
 *   add(gc1, m), add(.., m)     -> gc = (gc1 + m) + m
 *   subtract_bp(x, mu, gc)      -> gx1 = gc, gmu = -(sum over the row of gc)
 *   reduce_mean_bp(x, gmu)      -> gx2 = (1 / E) * gmu
 * </pre>
 * ({@code gx1 + gx2}, x's gradient, is left to SameDiff's add: x may have other consumers.) libnd4j's arithmetic: every
 * op is one float operation per element; its sums along a row add the E terms one after the other from 0, and its
 * column sums the R rows in row order from 0 ({@link ColumnSums}); a mean divides the sum by E; a mean's gradient
 * multiplies by {@code (float) (1.0 / E)} ({@link ReductionGradient}); {@code rsqrt} is {@code 1 / sqrtf}. Java's float
 * arithmetic is IEEE single precision without fused multiply-adds, so each value is libnd4j's.
 *
 * <p>Covered: float arrays; the reductions over the last axis, kept; gain and bias of E elements (any shape with all
 * other axes 1). A group is found by its ops and their inputs ({@link #find}); whether its arrays are covered is
 * checked on them ({@link OpGroup#covers}).
 */
final class LayerNormFusion {

    /** The op times' labels of the two groups. */
    static final String FORWARD_LABEL = "fused layer_norm";
    static final String BACKWARD_LABEL = "fused layer_norm_bp";

    private LayerNormFusion() {
    }

    /** The forward groups and gradient groups of layer normalisations among the matcher's ops. */
    static List<OpGroup> find(OpMatcher m) {
        return OpGroup.atEachOp(m, k -> {
            Forward fw = forward(m, k);
            Backward bw = fw == null ? null : backward(m, fw);
            return fw == null ? List.of() : bw == null ? List.of(fw) : List.of(fw, bw);
        });
    }

    /** A {@code reduce_mean} of one input over one axis, kept. */
    private static boolean keptMean(OpMatcher m, int k) {
        return m.ops().get(k).getOp() instanceof BaseReduceOp r && "reduce_mean".equals(r.opName()) && r.isKeepDims()
                && m.in(k).size() == 1 && r.getDimensions() != null && r.getDimensions().length == 1;
    }

    private static int axis(OpMatcher m, int k) {
        return ((BaseReduceOp) m.ops().get(k).getOp()).getDimensions()[0];
    }

    /** The forward group whose first op is op {@code m1}, or null. */
    private static Forward forward(OpMatcher m, int m1) {
        if (!keptMean(m, m1)) {
            return null;
        }
        String x = m.in(m1).get(0);
        String mu = m.out(m1, 0);
        int s = m.reader(mu, "subtract", x, mu);
        String c = s < 0 ? null : m.out(s, 0);
        int q = c == null ? -1 : m.reader(c, "multiply", c, c);
        int m2 = q < 0 ? -1 : m.reader(m.out(q, 0), "reduce_mean", 1);
        if (m2 < 0 || !keptMean(m, m2) || axis(m, m2) != axis(m, m1)) {
            return null;
        }
        int a = m.reader(m.out(m2, 0), "add_scalar", 1);
        if (a < 0 || !(m.ops().get(a).getOp() instanceof ScalarOp add) || add.scalar() == null) {
            return null;
        }
        int r = m.reader(m.out(a, 0), "rsqrt", 1);
        int n = r < 0 ? -1 : m.reader(c, "multiply", c, m.out(r, 0));
        int g = n < 0 ? -1 : m.reader(m.out(n, 0), "multiply", 2);
        if (g < 0 || !m.in(g).get(0).equals(m.out(n, 0))) {
            return null;
        }
        int y = m.reader(m.out(g, 0), "add", 2);
        if (y < 0 || !m.in(y).get(0).equals(m.out(g, 0))) {
            return null;
        }
        return new Forward(new int[]{m1, s, q, m2, a, r, n, g, y}, add.scalar().getFloat(0), axis(m, m1));
    }

    /** The gradient group of forward group {@code fw}, or null. */
    private static Backward backward(OpMatcher m, Forward fw) {
        int[] f = fw.members;
        String x = m.in(f[0]).get(0);
        String mu = m.out(f[0], 0);
        String c = m.out(f[1], 0);
        String sq = m.out(f[2], 0);
        String inv = m.out(f[5], 0);
        String n = m.out(f[6], 0);
        String gain = m.in(f[7]).get(1);
        String s = m.out(f[7], 0);
        String bias = m.in(f[8]).get(1);
        int ab = m.readerLeading(s, "add_bp", 3, List.of(s, bias));
        if (ab >= 0 && m.ops().get(ab).getOutputsOfOp().size() != 2) {
            return null;
        }
        int gb = ab < 0 ? -1 : m.reader(n, "multiply_bp", n, gain, m.out(ab, 0));
        int ib = gb < 0 ? -1 : m.reader(c, "multiply_bp", c, inv, m.out(gb, 0));
        if (ib < 0) {
            return null;
        }
        String ginv = m.out(ib, 1);
        int mv = m.reader(ginv, "multiply", 2);
        if (mv < 0 || m.other(mv, ginv).equals(ginv)) {
            return null;
        }
        int msIndex = m.in(mv).indexOf(ginv) == 0 ? 1 : 0;
        int rb1 = m.reader(m.out(mv, 0), "reduce_mean_bp", sq, m.out(mv, 0));
        int qb = rb1 < 0 ? -1 : m.reader(c, "multiply_bp", c, c, m.out(rb1, 0));
        if (qb < 0) {
            return null;
        }
        List<String> terms = List.of(m.out(qb, 0), m.out(qb, 1));
        int[] sum = m.sumOfBoth(m.out(ib, 0), terms);
        if (sum == null) {
            return null;
        }
        int ad1 = sum[0];
        int ad2 = sum[1];
        int sb = m.reader(m.out(ad2, 0), "subtract_bp", x, mu, m.out(ad2, 0));
        int rb2 = sb < 0 ? -1 : m.reader(m.out(sb, 1), "reduce_mean_bp", x, m.out(sb, 1));
        if (rb2 < 0) {
            return null;
        }
        for (int k : new int[]{rb1, rb2}) {
            long[] axes = ((DynamicCustomOp) m.ops().get(k).getOp()).iArgs();
            if (axes.length != 1 || axes[0] != fw.axis) {
                return null;
            }
        }
        return new Backward(new int[]{ab, gb, ib, mv, rb1, qb, ad1, ad2, sb, rb2}, msIndex, true);
    }

    /**
     * The forward group. Inputs: x, gain, bias. Outputs: mu, c, sq, v, ve, inv, n, s, y (the outputs of its 9 ops, in
     * their order).
     */
    static final class Forward extends OpGroup {
        private final float eps;
        private final int axis;

        Forward(int[] m, float eps, int axis) {
            super(m, new Arg[]{new Arg(m[0], 0), new Arg(m[7], 1), new Arg(m[8], 1)},
                    new Arg[]{new Arg(m[0], 0), new Arg(m[1], 0), new Arg(m[2], 0), new Arg(m[3], 0),
                            new Arg(m[4], 0), new Arg(m[5], 0), new Arg(m[6], 0), new Arg(m[7], 0),
                            new Arg(m[8], 0)});
            this.eps = eps;
            this.axis = axis;
        }

        @Override
        String label() {
            return FORWARD_LABEL;
        }

        /** Whether output i has one value per row (mu, v, ve, inv), not one per element. */
        private static boolean perRow(int i) {
            return i == 0 || i == 3 || i == 4 || i == 5;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            INDArray x = in[0];
            int rank = x.rank();
            if (!loopSized(x) || rank < 1 || (axis != rank - 1 && axis != -1) || !writable(out)) {
                return false;
            }
            long e = x.size(rank - 1);
            long[] rowShape = x.shape().clone();
            rowShape[rank - 1] = 1;
            if (!alongLastAxis(in[1], e) || !alongLastAxis(in[2], e)) {
                return false;
            }
            for (int i = 0; i < out.length; i++) {
                if (!sameShape(out[i], perRow(i) ? rowShape : x.shape())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            INDArray x = in[0];
            int e = (int) x.size(x.rank() - 1);
            int rows = (int) (x.length() / e);
            Inputs inputs = new Inputs(new int[]{rows * e, e, e}, linked);
            RowLoops loops = RowLoops.of();
            float[][] full = new float[9][];
            for (int i = 0; i < 9; i++) {
                full[i] = new float[perRow(i) ? rows : rows * e];
            }
            List<Runnable> writes = writers(full, out, write);
            return new Loop() {
                @Override
                public void run(INDArray[] arrays) {
                    float[][] v = inputs.read(arrays);
                    forward(v[0], v[1], v[2], rows, e, eps, full, loops);
                    writes.forEach(Runnable::run);
                }

                @Override
                public float[] values(int i) {
                    return full[i];
                }
            };
        }
    }

    /**
     * The forward pass into {@code out}: mu, c, sq, v, ve, inv, n, s, y ({@code [R]} or {@code [R E]} each), the
     * elementwise work along each row by {@code loops}.
     */
    static void forward(float[] x, float[] gain, float[] bias, int rows, int e, float eps, float[][] out,
                        RowLoops loops) {
        float[] mu = out[0];
        float[] c = out[1];
        float[] sq = out[2];
        float[] v = out[3];
        float[] ve = out[4];
        float[] inv = out[5];
        float[] n = out[6];
        float[] s = out[7];
        float[] y = out[8];
        float fe = e;
        rowSums(x, rows, e, mu);
        for (int r = 0; r < rows; r++) {
            float m = mu[r] / fe;
            mu[r] = m;
            loops.centre(x, m, c, sq, r * e, 0, e);
        }
        rowSums(sq, rows, e, v);
        for (int r = 0; r < rows; r++) {
            v[r] = v[r] / fe;
            ve[r] = v[r] + eps;
            float ir = 1f / (float) Math.sqrt(ve[r]);
            inv[r] = ir;
            loops.normalise(c, ir, gain, bias, n, s, y, r * e, 0, e);
        }
    }

    /**
     * The sum of each row of {@code a} ({@code [R, E]}), each from 0 in element order (libnd4j's sum along the last
     * axis), eight rows at a time: eight independent chains of adds, where one row's chain would wait for each add.
     */
    static void rowSums(float[] a, int rows, int e, float[] sums) {
        int r = 0;
        for (; r + 8 <= rows; r += 8) {
            int a0 = r * e;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            float s4 = 0f;
            float s5 = 0f;
            float s6 = 0f;
            float s7 = 0f;
            for (int j = 0; j < e; j++) {
                int at = a0 + j;
                s0 += a[at];
                s1 += a[at + e];
                s2 += a[at + 2 * e];
                s3 += a[at + 3 * e];
                s4 += a[at + 4 * e];
                s5 += a[at + 5 * e];
                s6 += a[at + 6 * e];
                s7 += a[at + 7 * e];
            }
            sums[r] = s0;
            sums[r + 1] = s1;
            sums[r + 2] = s2;
            sums[r + 3] = s3;
            sums[r + 4] = s4;
            sums[r + 5] = s5;
            sums[r + 6] = s6;
            sums[r + 7] = s7;
        }
        for (; r < rows; r++) {
            float sum = 0f;
            for (int j = 0, at = r * e; j < e; j++) {
                sum += a[at + j];
            }
            sums[r] = sum;
        }
    }

    /**
     * The gradient group. Inputs: gy, gain, n, c, inv, ms. Outputs: gbias, ggain, gx1, and gx2, or gmu where the
     * last op ({@code reduce_mean_bp(x, gmu)}) is left out of the group ({@link #smaller}): the only outputs of its
     * ops that other ops may read.
     */
    static final class Backward extends OpGroup {
        private final boolean meanGradient;

        Backward(int[] m, int msIndex, boolean meanGradient) {
            super(meanGradient ? m : Arrays.copyOf(m, 9),
                    new Arg[]{new Arg(m[0], 2), new Arg(m[1], 1), new Arg(m[1], 0), new Arg(m[2], 0),
                            new Arg(m[2], 1), new Arg(m[3], msIndex)},
                    new Arg[]{new Arg(m[0], 1), new Arg(m[1], 1), new Arg(m[8], 0),
                            meanGradient ? new Arg(m[9], 0) : new Arg(m[8], 1)});
            this.meanGradient = meanGradient;
        }

        /**
         * The group without its last op, whose input {@code gmu} it then writes: for a plan that adds {@code gx1} to
         * x's other gradients before that op runs (SameDiff orders them so where x has another consumer).
         */
        @Override
        OpGroup smaller() {
            return meanGradient ? new Backward(members, inputs[5].index(), false) : null;
        }

        @Override
        String label() {
            return BACKWARD_LABEL;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            INDArray gy = in[0];
            int rank = gy.rank();
            if (!loopSized(gy) || rank < 1 || !writable(out)) {
                return false;
            }
            long e = gy.size(rank - 1);
            long[] rowShape = gy.shape().clone();
            rowShape[rank - 1] = 1;
            return alongLastAxis(in[1], e) && sameShape(in[2], gy.shape()) && sameShape(in[3], gy.shape())
                    && sameShape(in[4], rowShape) && sameShape(in[5], rowShape) && alongLastAxis(out[0], e)
                    && alongLastAxis(out[1], e) && sameShape(out[2], gy.shape())
                    && sameShape(out[3], meanGradient ? gy.shape() : rowShape);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            INDArray gy = in[0];
            int e = (int) gy.size(gy.rank() - 1);
            int rows = (int) (gy.length() / e);
            Inputs inputs = new Inputs(new int[]{rows * e, e, rows * e, rows * e, rows, rows}, linked);
            RowLoops loops = RowLoops.of();
            float[][] outputs = {new float[e], new float[e], new float[rows * e],
                    new float[meanGradient ? rows * e : rows]};
            List<Runnable> writes = writers(outputs, out, write);
            float[][] scratch = {new float[rows * e], new float[rows * e], new float[rows]};
            // a mean's gradient factor |gradO| / |x| as ReductionGradient computes it
            float factor = (float) ((double) rows / (double) (rows * (long) e));
            return new Loop() {
                @Override
                public void run(INDArray[] arrays) {
                    backward(inputs.read(arrays), rows, e, factor, scratch, outputs, meanGradient, loops);
                    writes.forEach(Runnable::run);
                }

                @Override
                public float[] values(int i) {
                    return outputs[i];
                }
            };
        }
    }

    /**
     * The gradient from {@code in} (gy, gain, n, c, inv, ms) into {@code out} (gbias, ggain, gx1, and gx2 where
     * {@code meanGradient}, else gmu), with {@code scratch} ({@code [R E]}, {@code [R E]}, {@code [R]}). The column
     * sums (gbias, ggain) add the rows in row order; the row sums go through {@link #rowSums}; the elementwise work
     * along each row by {@code loops}.
     */
    static void backward(float[][] in, int rows, int e, float factor, float[][] scratch, float[][] out,
                         boolean meanGradient, RowLoops loops) {
        float[] gy = in[0];
        float[] gain = in[1];
        float[] n = in[2];
        float[] c = in[3];
        float[] inv = in[4];
        float[] ms = in[5];
        float[] gbias = out[0];
        float[] ggain = out[1];
        float[] gx1 = out[2];
        float[] gn = scratch[0];
        float[] terms = scratch[1];
        float[] rowSum = scratch[2];
        Arrays.fill(gbias, 0f);
        Arrays.fill(ggain, 0f);
        for (int r = 0; r < rows; r++) {
            loops.outputTerms(gy, n, c, gain, gbias, ggain, gn, terms, r * e, 0, e);
        }
        rowSums(terms, rows, e, rowSum);    // ginv
        for (int r = 0; r < rows; r++) {
            float gsq = factor * (rowSum[r] * ms[r]);
            loops.inputGradient(gn, c, inv[r], gsq, gx1, r * e, 0, e);
        }
        rowSums(gx1, rows, e, rowSum);
        for (int r = 0; r < rows; r++) {
            float gmu = -rowSum[r];
            if (meanGradient) {
                Arrays.fill(out[3], r * e, (r + 1) * e, factor * gmu);
            } else {
                out[3][r] = gmu;
            }
        }
    }

    /**
     * The elementwise work of the loops along one row, columns {@code [from, e)} of the row whose first element is at
     * {@code base} (per-column arrays indexed by column): {@link #SCALAR}, or {@link RowKernels} on the Vector API,
     * the same float operations per element in the same order.
     */
    interface RowLoops {

        /** {@code c = x - mean}, {@code sq = c * c}. */
        void centre(float[] x, float mean, float[] c, float[] sq, int base, int from, int e);

        /** {@code n = c * inv}, {@code s = n * gain}, {@code y = s + bias}. */
        void normalise(float[] c, float inv, float[] gain, float[] bias, float[] n, float[] s, float[] y, int base,
                       int from, int e);

        /**
         * The output side of the gradient: {@code gbias += gy}, {@code ggain += gy * n} (column sums, this row
         * added), {@code gn = gy * gain}, {@code terms = gn * c} (whose row sum is {@code ginv}).
         */
        void outputTerms(float[] gy, float[] n, float[] c, float[] gain, float[] gbias, float[] ggain, float[] gn,
                         float[] terms, int base, int from, int e);

        /** {@code m = gsq * c}, {@code gx1 = (gn * inv + m) + m}. */
        void inputGradient(float[] gn, float[] c, float inv, float gsq, float[] gx1, int base, int from, int e);

        /**
         * The loops for a group bound now: the Vector API's where the JVM has its module, its vectors hold 8 floats
         * or more and {@link OpPlan#VECTOR_API_PROPERTY} is not {@code false}; else the scalar ones.
         */
        static RowLoops of() {
            return VectorExp.vectorApiEnabled() && FloatLanes.usable() ? RowKernels.VECTOR : SCALAR;
        }

        /** Plain Java loops (the JIT compiler vectorises them where a row is long enough). */
        RowLoops SCALAR = new RowLoops() {
            @Override
            public void centre(float[] x, float mean, float[] c, float[] sq, int base, int from, int e) {
                for (int i = base + from, end = base + e; i < end; i++) {
                    float ci = x[i] - mean;
                    c[i] = ci;
                    sq[i] = ci * ci;
                }
            }

            @Override
            public void normalise(float[] c, float inv, float[] gain, float[] bias, float[] n, float[] s, float[] y,
                                  int base, int from, int e) {
                for (int j = from, i = base + from; j < e; i++, j++) {
                    float ni = c[i] * inv;
                    float si = ni * gain[j];
                    n[i] = ni;
                    s[i] = si;
                    y[i] = si + bias[j];
                }
            }

            @Override
            public void outputTerms(float[] gy, float[] n, float[] c, float[] gain, float[] gbias, float[] ggain,
                                    float[] gn, float[] terms, int base, int from, int e) {
                for (int j = from, i = base + from; j < e; i++, j++) {
                    float g = gy[i];
                    gbias[j] += g;
                    ggain[j] += g * n[i];
                    float gni = g * gain[j];
                    gn[i] = gni;
                    terms[i] = gni * c[i];
                }
            }

            @Override
            public void inputGradient(float[] gn, float[] c, float inv, float gsq, float[] gx1, int base, int from,
                                      int e) {
                for (int i = base + from, end = base + e; i < end; i++) {
                    float m = gsq * c[i];
                    gx1[i] = (gn[i] * inv + m) + m;
                }
            }
        };
    }
}

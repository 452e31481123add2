package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.ScalarOp;

import java.util.List;

/**
 * The 8 ops of the gradient of a GELU ({@code SdOps.gelu}), found in a plan's op list after the GELU's 6 forward ops
 * and run as one Java loop, with libnd4j's arithmetic: the same values bit for bit ({@code impl/GeluFusionTest}); an
 * {@link OpGroup}. Every op of the gradient is one float operation per element, which Java computes as libnd4j does.
 *
 * <p>Why: each op is a native call on an array of {@code [B M, 2 D]} at the main job's sizes, where the arithmetic
 * takes less than the call; a PgM training step at the main job's sizes runs 8 GELU gradients, 64 op calls
 * (docs/performance.md, "Layer normalisation and GELU gradients as one loop each"). The forward ops stay ops: a loop
 * of them around the Vector API's sigmoid ({@link VectorExp}, libnd4j's bit for bit), which reads its input from
 * native memory and writes its outputs back, measured no faster than the ops (docs/performance.md, "Not done").
 *
 * <p>The forward ops on {@code x} (any shape), with the scalars {@code k1 = 0.044715 k} and {@code k} of
 * {@code SdOps.gelu}, as matched:
 * <pre>
 *   x2 = x * x     a = x2 * k1     b = a + k     inner = b * x     sg = sigmoid(inner)     y = x * sg
 * </pre>
 * and the gradient's, from the incoming gradient {@code gy}:
 * <pre>
 *   multiply_bp(x, sg, gy)          -> gxa = gy * sg, gsg = gy * x
 *   sigmoid_bp(inner, gsg)          -> gin = gsg * (sg * (1 - sg))     (libnd4j's order, {@link SigmoidGradient})
 *   multiply_bp(b, x, gin)          -> gb = gin * x, gxb = gin * b
 *   add(gxa, gxb)                   -> t
 *   mul_scalar(gb, k1)              -> g2                               (the gradient of a + k is gb itself)
 *   multiply_bp(x, x, g2)           -> m = g2 * x, twice
 *   add(t, m), add(.., m)           -> gx = (t + m) + m
 * </pre>
 * (the operands of each product and sum may come in either order: float products and sums are commutative bit for bit).
 * Covered: float arrays of one shape. A gradient group is found only where x has no consumer outside the GELU (its
 * gradient's sum is then exactly these terms in this order).
 */
final class GeluFusion {

    /** The op times' label of the group. */
    static final String BACKWARD_LABEL = "fused gelu_bp";

    private GeluFusion() {
    }

    /** The gradient groups of GELUs among the matcher's ops. */
    static List<OpGroup> find(OpMatcher m) {
        return OpGroup.atEachOp(m, k -> {
            Forward fw = forward(m, k);
            Backward bw = fw == null ? null : backward(m, fw);
            return bw == null ? List.of() : List.of(bw);
        });
    }

    /** The scalar of scalar op k as a float, or NaN where it has none. */
    private static float scalar(OpMatcher m, int k) {
        return m.ops().get(k).getOp() instanceof ScalarOp s && s.scalar() != null ? s.scalar().getFloat(0) : Float.NaN;
    }

    /** The forward ops whose first op is op {@code q} ({@code x * x}), or null. */
    private static Forward forward(OpMatcher m, int q) {
        if (!m.name(q).equals("multiply") || m.in(q).size() != 2 || !m.in(q).get(0).equals(m.in(q).get(1))) {
            return null;
        }
        String x = m.in(q).get(0);
        int a = m.reader(m.out(q, 0), "mul_scalar", 1);
        int b = a < 0 ? -1 : m.reader(m.out(a, 0), "add_scalar", 1);
        int inner = b < 0 ? -1 : m.commutativeReader("multiply", m.out(b, 0), List.of(x));
        int sg = inner < 0 ? -1 : m.reader(m.out(inner, 0), "sigmoid", 1);
        int y = sg < 0 ? -1 : m.commutativeReader("multiply", m.out(sg, 0), List.of(x));
        if (y < 0 || Float.isNaN(scalar(m, a))) {
            return null;
        }
        return new Forward(new int[]{q, a, b, inner, sg, y}, scalar(m, a));
    }

    /** The gradient group of the GELU of forward ops {@code fw}, or null. */
    private static Backward backward(OpMatcher m, Forward fw) {
        int[] f = fw.members();
        String x = m.in(f[0]).get(0);
        String b = m.out(f[2], 0);
        String inner = m.out(f[3], 0);
        String sg = m.out(f[4], 0);
        // x's readers: the GELU's three products and their three gradients, nothing else
        if (m.readersOf(x).stream().distinct().count() != 6) {
            return null;
        }
        int mb1 = m.readerLeading(sg, "multiply_bp", 3, m.in(f[5]));
        if (mb1 < 0) {
            return null;
        }
        int xFirst = m.in(f[5]).get(0).equals(x) ? 0 : 1;
        String gxa = m.out(mb1, xFirst);
        String gsg = m.out(mb1, 1 - xFirst);
        int sb = m.reader(gsg, "sigmoid_bp", inner, gsg);
        int mb2 = sb < 0 ? -1 : m.reader(m.out(sb, 0), "multiply_bp", m.in(f[3]).get(0), m.in(f[3]).get(1),
                m.out(sb, 0));
        if (mb2 < 0) {
            return null;
        }
        int bFirst = m.in(f[3]).get(0).equals(b) ? 0 : 1;
        String gb = m.out(mb2, bFirst);
        String gxb = m.out(mb2, 1 - bFirst);
        int ad1 = m.commutativeReader("add", gxa, List.of(gxb));
        int ms = m.reader(gb, "mul_scalar", 1);
        if (ad1 < 0 || ms < 0 || Float.floatToIntBits(scalar(m, ms)) != Float.floatToIntBits(fw.k1())) {
            return null;
        }
        int mb3 = m.reader(m.out(ms, 0), "multiply_bp", x, x, m.out(ms, 0));
        if (mb3 < 0) {
            return null;
        }
        List<String> terms = List.of(m.out(mb3, 0), m.out(mb3, 1));
        int[] sum = m.sumOfBoth(m.out(ad1, 0), terms);
        if (sum == null) {
            return null;
        }
        return new Backward(new int[]{mb1, sb, mb2, ad1, ms, mb3, sum[0], sum[1]}, xFirst, bFirst, fw.k1());
    }

    /**
     * The forward ops of a GELU as matched (x2, a, b, inner, sg, y, in order), and the scalar {@code k1} of its
     * {@code mul_scalar}; they run as ops.
     */
    record Forward(int[] members, float k1) {
    }

    /** The gradient group. Inputs: gy, x, sg, b. Output: gx (x's gradient). */
    static final class Backward extends OpGroup {
        private final float k1;

        /** {@code xFirst}, {@code bFirst}: x's input index in the first product's gradient, b's in the second's. */
        Backward(int[] m, int xFirst, int bFirst, float k1) {
            super(m, new Arg[]{new Arg(m[0], 2), new Arg(m[0], xFirst), new Arg(m[0], 1 - xFirst),
                    new Arg(m[2], bFirst)}, new Arg[]{new Arg(m[7], 0)});
            this.k1 = k1;
        }

        @Override
        String label() {
            return BACKWARD_LABEL;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            long[] shape = in[0].shape();
            if (!loopSized(in[0]) || !writable(out)) {
                return false;
            }
            for (INDArray a : in) {
                if (!sameShape(a, shape)) {
                    return false;
                }
            }
            return sameShape(out[0], shape);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            int n = (int) in[0].length();
            Inputs inputs = new Inputs(new int[]{n, n, n, n}, linked);
            float[] gx = new float[n];
            List<Runnable> writes = writers(new float[][]{gx}, out, write);
            return new Loop() {
                @Override
                public void run(INDArray[] arrays) {
                    float[][] v = inputs.read(arrays);
                    backward(v[0], v[1], v[2], v[3], k1, gx);
                    writes.forEach(Runnable::run);
                }

                @Override
                public float[] values(int i) {
                    return gx;
                }
            };
        }
    }

    /** The gradient, element by element, in the ops' order. */
    static void backward(float[] gy, float[] x, float[] sg, float[] b, float k1, float[] gx) {
        for (int i = 0; i < gx.length; i++) {
            float g = gy[i];
            float xi = x[i];
            float s = sg[i];
            float gin = (g * xi) * (s * (1f - s));
            float t = g * s + gin * b[i];
            float m = (gin * xi) * k1 * xi;
            gx[i] = (t + m) + m;
        }
    }
}

package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A matrix product and the {@code add} that reads it, a linear layer's bias or a residual, found in a plan's op list
 * and run as one {@code cblas_sgemm} that adds the product onto the other operand ({@code beta} 1) in the output array
 * preset to it: the same values bit for bit, checked per shape ({@link #covers}); an {@link OpGroup}.
 *
 * <p>The ops, as matched ({@code x [M, K]}, {@code w [K, N]}; {@code b} of {@code N} elements, broadcast along the
 * rows, or {@code [M, N]}):
 * <pre>
 *   z = matmul(x, w)     [M, N]      (libnd4j's default arguments)
 *   y = add(z, b)        [M, N]      (or add(b, z): a float sum is commutative bit for bit)
 * </pre>
 * and the loop: {@code y} preset to {@code b} (its rows, or all of it), then {@code y = x w + y}.
 *
 * <p>Why: at the main job's sizes an {@code output} call of the PgM layer runs 33 such bias adds of 0.1 MB or less,
 * each a native call (3.8 us each, 6 % of the call; docs/performance.md, "Bias adds in their products"), after a
 * product that first zeroes its output (OpenBLAS's {@code beta} 0). Preset and added onto, the output is written once
 * before the kernel, as the zeroing wrote it, and the add's pass over {@code z}, {@code b} and {@code y} is gone.
 *
 * <p>The bits: OpenBLAS's kernel sums each element's products over one block of the inner dimension in its
 * accumulator (from +0, so never -0) and adds it to the output with one rounding ({@code fma(alpha, acc, c)},
 * {@code alpha} 1). With {@code beta} 0 the output holds +0 first, so {@code z = acc} exactly and the {@code add}
 * rounds {@code acc + b} once; preset to {@code b}, the kernel rounds {@code acc + b} once: the same bits (NaN
 * payloads aside). Where K spans more than one of OpenBLAS's blocks (K above 320 with its Haswell kernels) the sums
 * meet {@code b} in another order and differ. So each shape {@code (M, K, N)} and form of {@code b} is probed once per
 * process against libnd4j's {@code matmul} and {@code add} ({@link #probe}), and a group runs as its loop only where
 * the probe gave the same bits ({@code impl/ProductAddFusionTest}).
 *
 * <p>Matched only where {@code z} has no reader but the {@code add}: in a gradient plan the {@code add}'s gradient
 * reads it too, so there the ops stay (a plan's {@code fuse} refuses a group whose member output is read outside
 * it); an {@code output} plan fuses. The loop reads its inputs and writes {@code y} in native memory, not in Java
 * arrays ({@link OpGroup#javaValues}, {@link OpGroup#readsJavaValues}): a loop before it writes its output.
 */
final class ProductAddFusion {

    /** The op times' label of the group. */
    static final String LABEL = "fused matmul add";

    private static final String ADD = "add";

    /** Per probed shape and form of {@code b} ({@link #key}): whether the loop gave libnd4j's bits. */
    private static final Map<String, Boolean> PROBED = new ConcurrentHashMap<>();

    private ProductAddFusion() {
    }

    /** The product-and-add groups among the matcher's ops. */
    static List<OpGroup> find(OpMatcher m) {
        return OpGroup.atEachOp(m, k -> {
            Group g = group(m, k);
            return g == null ? List.of() : List.of(g);
        });
    }

    /** The group of {@code matmul} op k and the {@code add} that alone reads its output, or null. */
    private static Group group(OpMatcher m, int k) {
        if (!DirectGemm.MATMUL.equals(m.name(k)) || m.in(k).size() != 2
                || m.ops().get(k).getOutputsOfOp().size() != 1
                || !(m.ops().get(k).getOp() instanceof DynamicCustomOp op) || !DirectGemm.plainProduct(op)) {
            return null;
        }
        String z = m.out(k, 0);
        List<Integer> readers = m.readersOf(z);
        if (readers.size() != 1) {
            return null;
        }
        int j = readers.get(0);
        List<String> in = m.in(j);
        if (!ADD.equals(m.name(j)) || in.size() != 2 || in.get(0).equals(in.get(1))
                || m.ops().get(j).getOutputsOfOp().size() != 1) {
            return null;
        }
        return new Group(k, j, in.indexOf(z) == 0 ? 1 : 0);
    }

    /** The group. Inputs: x, w (the product's), b (the add's other operand). Output: y. */
    static final class Group extends OpGroup {

        Group(int product, int add, int bIndex) {
            super(new int[]{product, add}, new Arg[]{new Arg(product, 0), new Arg(product, 1), new Arg(add, bIndex)},
                    new Arg[]{new Arg(add, 0)});
        }

        @Override
        String label() {
            return LABEL;
        }

        @Override
        boolean javaValues() {
            return false;
        }

        @Override
        boolean readsJavaValues() {
            return false;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            INDArray x = in[0];
            INDArray w = in[1];
            INDArray b = in[2];
            INDArray y = out[0];
            if (!matrix(x) || !matrix(w) || !matrix(y) || !HostMemory.addressable(y) || !HostMemory.addressable(b)
                    || b.dataType() != DataType.FLOAT || !OpPlan.contiguousC(b) || b.isEmpty()) {
                return false;
            }
            long m = x.size(0);
            long k = x.size(1);
            long n = w.size(1);
            if (w.size(0) != k || !Arrays.equals(y.shape(), new long[]{m, n}) || m > Integer.MAX_VALUE
                    || k > Integer.MAX_VALUE || n > Integer.MAX_VALUE) {
                return false;
            }
            boolean rows = alongLastAxis(b, n);
            if (!rows && !Arrays.equals(b.shape(), y.shape())) {
                return false;
            }
            if (overlaps(y, x) || overlaps(y, w) || overlaps(y, b)) {
                return false;
            }
            return PROBED.computeIfAbsent(key((int) m, (int) k, (int) n, rows),
                    s -> probe((int) m, (int) k, (int) n, rows));
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            INDArray y = out[0];
            int m = (int) in[0].size(0);
            int k = (int) in[0].size(1);
            int n = (int) in[1].size(1);
            return new ProductOnto(DirectGemm.onto(m, k, n), y, m, n, alongLastAxis(in[2], n));
        }
    }

    /** The loop: {@code y} preset to {@code b}, then {@code y = x w + y}. Always writes {@code y}. */
    private static final class ProductOnto implements OpGroup.Loop {
        private final DirectGemm gemm;
        private final INDArray[] output;
        private final INDArray[] operands = new INDArray[2];
        private final FloatBuffer to;
        private final int at;
        private final int rows;
        private final int cols;
        private final boolean broadcast;
        /** b's buffer and offset, kept while the same array comes again. */
        private INDArray lastB;
        private FloatBuffer from;
        private int fromAt;

        ProductOnto(DirectGemm gemm, INDArray y, int rows, int cols, boolean broadcast) {
            this.gemm = gemm;
            this.output = new INDArray[]{y};
            this.to = HostMemory.floats(y);
            this.at = (int) y.offset();
            this.rows = rows;
            this.cols = cols;
            this.broadcast = broadcast;
        }

        @Override
        public void run(INDArray[] in) {
            INDArray b = in[2];
            if (b != lastB) {
                lastB = b;
                from = HostMemory.floats(b);
                fromAt = (int) b.offset();
            }
            preset(from, fromAt, to, at, rows, cols, broadcast);
            operands[0] = in[0];
            operands[1] = in[1];
            gemm.run(operands, output);
        }

        @Override
        public float[] values(int i) {
            return null;
        }
    }

    /**
     * Writes {@code b} into {@code y [rows, cols]} at {@code to[at]}: into every row where {@code broadcast}
     * ({@code b} of {@code cols} elements), else all of it ({@code b [rows, cols]}). A row is copied, then the rows
     * written so far, doubling: about log2(rows) bulk copies instead of one per row.
     */
    static void preset(FloatBuffer from, int fromAt, FloatBuffer to, int at, int rows, int cols, boolean broadcast) {
        if (!broadcast) {
            to.put(at, from, fromAt, rows * cols);
            return;
        }
        to.put(at, from, fromAt, cols);
        for (int done = 1; done < rows; ) {
            int copy = Math.min(done, rows - done);
            to.put(at + done * cols, to, at, copy * cols);
            done += copy;
        }
    }

    /** A float matrix in 'c' order without gaps, as {@link DirectGemm} takes it. */
    private static boolean matrix(INDArray a) {
        return a.rank() == 2 && DirectGemm.contiguous(a);
    }

    /** Whether the memory of two arrays' elements overlaps (from the first element to the last). */
    private static boolean overlaps(INDArray a, INDArray b) {
        long a0 = HostMemory.address(a);
        long b0 = HostMemory.address(b);
        return a0 < b0 + b.length() * Float.BYTES && b0 < a0 + a.length() * Float.BYTES;
    }

    private static String key(int m, int k, int n, boolean broadcast) {
        return m + ":" + k + ":" + n + (broadcast ? " rows" : " full");
    }

    /**
     * Whether the loop gives libnd4j's bits for this shape: {@code matmul} then {@code add} as custom ops against the
     * loop, on operands written out here (ND4J's random generator is left alone: plans are made inside training
     * steps), with rows of x that are zero and elements of b that are +0 and -0. False where products do not run
     * directly ({@link DirectGemm#onto}) or the arrays cannot be made.
     */
    static boolean probe(int m, int k, int n, boolean broadcast) {
        DirectGemm gemm = DirectGemm.onto(m, k, n);
        if (gemm == null) {
            return false;
        }
        try {
            INDArray x = DirectGemm.probe(1, m, k, 0.37);
            x.getRow(m / 2).assign(0);
            INDArray w = DirectGemm.probe(1, k, n, -0.21);
            INDArray b = broadcast ? DirectGemm.probe(1, 1, n, 0.05).reshape(n) : DirectGemm.probe(1, m, n, 0.05);
            b.putScalar(0, 0f);
            b.putScalar(1, -0f);
            INDArray z = Nd4j.create(DataType.FLOAT, m, n);
            INDArray expected = z.ulike();
            Nd4j.exec(DynamicCustomOp.builder(DirectGemm.MATMUL).addInputs(x, w).addOutputs(z).build());
            Nd4j.exec(DynamicCustomOp.builder(ADD).addInputs(z, b).addOutputs(expected).build());
            INDArray y = Nd4j.create(DataType.FLOAT, m, n);
            preset(HostMemory.floats(b), (int) b.offset(), HostMemory.floats(y), (int) y.offset(), m, n, broadcast);
            gemm.run(new INDArray[]{x, w}, new INDArray[]{y});
            return HostMemory.sameBits(expected, y);
        } catch (RuntimeException e) {
            return false;
        }
    }
}

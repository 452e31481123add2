package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
 * <p>The ops, as matched ({@code x [M, K]}, {@code w [K, N]}, or G such matrices stacked, {@code [G, M, K]} and
 * {@code [G, K, N]}: libnd4j's batched product; {@code b} of {@code N} elements broadcast along every row, one row per
 * matrix {@code [G, 1, N]}, or of the output's shape):
 * <pre>
 *   z = matmul(x, w)     [M, N] or [G, M, N]     (libnd4j's default arguments)
 *   y = add(z, b)        [M, N] or [G, M, N]     (or add(b, z): a float sum is commutative bit for bit)
 * </pre>
 * and the loop: {@code y} preset to {@code b} (its rows, or all of it), then {@code y = x w + y}, one
 * {@code cblas_sgemm} per matrix.
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
 * <p>Matched only where no op but the {@code add} reads the values of {@code z}: in a gradient plan the {@code add}'s
 * gradient reads {@code z} too, for its shape only ({@code add_bp}: the operands' gradients are the incoming
 * gradient, summed along the bias's broadcast axis; {@link OpGroup#readsShapeOnly}), so training steps fuse as
 * {@code output} calls do; {@code z}'s array then keeps the first run's values. The loop reads its inputs and writes
 * {@code y} in native memory, not in Java arrays ({@link OpGroup#javaValues}, {@link OpGroup#readsJavaValues}): a
 * loop before it writes its output.
 */
final class ProductAddFusion {

    /** The op times' label of the group. */
    static final String LABEL = "fused matmul add";

    private static final String ADD = "add";

    /** How {@code b} is laid onto the output: what the preset copies where. */
    enum Form {
        /** {@code b} of N elements, into every row of every matrix. */
        ROWS,
        /** {@code b [G, 1, N]}: row g into every row of matrix g. */
        ROWS_PER_MATRIX,
        /** {@code b} of the output's shape. */
        FULL;

        /** The elements of {@code b} between the rows written into one matrix and those into the next. */
        int stride(int rows, int cols) {
            return switch (this) {
                case ROWS -> 0;
                case ROWS_PER_MATRIX -> cols;
                case FULL -> rows * cols;
            };
        }
    }

    /** Per probed shape and form of {@code b} ({@link #key}): whether the loop gave libnd4j's bits. */
    private static final Map<String, Boolean> PROBED = new ConcurrentHashMap<>();

    private ProductAddFusion() {
    }

    /** Whether op r reads {@code variable} for its shape only, at every input where it reads it. */
    private static boolean shapeOnlyReader(OpMatcher m, int r, String variable) {
        List<String> in = m.in(r);
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i).equals(variable) && !OpGroup.readsShapeOnly(m.ops().get(r), i)) {
                return false;
            }
        }
        return true;
    }

    /** The product-and-add groups among the matcher's ops. */
    static List<OpGroup> find(OpMatcher m) {
        return OpGroup.atEachOp(m, k -> {
            Group g = group(m, k);
            return g == null ? List.of() : List.of(g);
        });
    }

    /**
     * The group of {@code matmul} op k and the {@code add} that alone reads its output's values, or null; the
     * {@code add}'s gradient, in a gradient plan, reads that output for its shape only.
     */
    private static Group group(OpMatcher m, int k) {
        if (!DirectGemm.MATMUL.equals(m.name(k)) || m.in(k).size() != 2
                || m.ops().get(k).getOutputsOfOp().size() != 1
                || !(m.ops().get(k).getOp() instanceof DynamicCustomOp op) || !DirectGemm.plainProduct(op)) {
            return null;
        }
        String z = m.out(k, 0);
        List<Integer> valueReaders = m.readersOf(z).stream().distinct()
                .filter(r -> !shapeOnlyReader(m, r, z)).toList();
        if (valueReaders.size() != 1) {
            return null;
        }
        int j = valueReaders.get(0);
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
            int rank = x.rank();
            if (!DirectGemm.contiguous(x) || !DirectGemm.contiguous(w) || !DirectGemm.contiguous(y)
                    || w.rank() != rank || y.rank() != rank || !HostMemory.addressable(y)
                    || !HostMemory.addressable(b) || b.dataType() != DataType.FLOAT || !OpPlan.contiguousC(b)
                    || b.isEmpty()) {
                return false;
            }
            int r = rank - 2;
            long g = rank == 3 ? x.size(0) : 1;
            long m = x.size(r);
            long k = x.size(r + 1);
            long n = w.size(r + 1);
            long[] product = rank == 3 ? new long[]{g, m, n} : new long[]{m, n};
            if (w.size(r) != k || (rank == 3 && w.size(0) != g) || !Arrays.equals(y.shape(), product)
                    || g * m * n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
                return false;
            }
            Form form = form(b, y);
            if (form == null || overlaps(y, x) || overlaps(y, w) || overlaps(y, b)) {
                return false;
            }
            return PROBED.computeIfAbsent(key((int) g, (int) m, (int) k, (int) n, form),
                    s -> probe((int) g, (int) m, (int) k, (int) n, form));
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            INDArray y = out[0];
            int r = in[0].rank() - 2;
            int g = r == 1 ? (int) in[0].size(0) : 1;
            int m = (int) in[0].size(r);
            int k = (int) in[0].size(r + 1);
            int n = (int) in[1].size(r + 1);
            return new ProductOnto(DirectGemm.onto(g, m, k, n), y, g, m, n, form(in[2], y));
        }
    }

    /** The loop: {@code y} preset to {@code b}, then {@code y = x w + y}. Always writes {@code y}. */
    private static final class ProductOnto implements OpGroup.Loop {
        private final DirectGemm gemm;
        private final INDArray[] output;
        private final INDArray[] operands = new INDArray[2];
        private final FloatBuffer to;
        private final int at;
        private final int matrices;
        private final int rows;
        private final int cols;
        private final Form form;
        /** b's buffer and offset, kept while the same array comes again. */
        private INDArray lastB;
        private FloatBuffer from;
        private int fromAt;

        ProductOnto(DirectGemm gemm, INDArray y, int matrices, int rows, int cols, Form form) {
            this.gemm = gemm;
            this.output = new INDArray[]{y};
            this.to = HostMemory.floats(y);
            this.at = (int) y.offset();
            this.matrices = matrices;
            this.rows = rows;
            this.cols = cols;
            this.form = form;
        }

        @Override
        public void run(INDArray[] in) {
            INDArray b = in[2];
            if (b != lastB) {
                lastB = b;
                from = HostMemory.floats(b);
                fromAt = (int) b.offset();
            }
            preset(from, fromAt, to, at, matrices, rows, cols, form);
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
     * Writes {@code b} into {@code y}, {@code matrices} matrices {@code [rows, cols]} at {@code to[at]}, as
     * {@code form} lays it ({@link #preset(FloatBuffer, int, FloatBuffer, int, int, int, boolean)} per matrix; one
     * bulk copy for {@link Form#FULL}).
     */
    static void preset(FloatBuffer from, int fromAt, FloatBuffer to, int at, int matrices, int rows, int cols,
                       Form form) {
        if (form == Form.FULL) {
            to.put(at, from, fromAt, matrices * rows * cols);
            return;
        }
        int stride = form.stride(rows, cols);
        for (int g = 0; g < matrices; g++) {
            preset(from, fromAt + g * stride, to, at + g * rows * cols, rows, cols, true);
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

    /**
     * How {@code b} lies onto {@code y} ({@code [M, N]} or {@code [G, M, N]}): N elements ({@link Form#ROWS}), one
     * row per matrix ({@link Form#ROWS_PER_MATRIX}), the output's shape ({@link Form#FULL}), or null for another shape
     * (what {@code add} would broadcast otherwise is left to it).
     */
    static Form form(INDArray b, INDArray y) {
        long n = y.size(y.rank() - 1);
        if (OpGroup.alongLastAxis(b, n)) {
            return Form.ROWS;
        }
        if (Arrays.equals(b.shape(), y.shape())) {
            return Form.FULL;
        }
        return y.rank() == 3 && Arrays.equals(b.shape(), new long[]{y.size(0), 1, n}) ? Form.ROWS_PER_MATRIX : null;
    }

    /** Whether the loop onto {@code b} gives libnd4j's {@code add} of the product {@code z} and {@code b}. */
    private static boolean agrees(DirectGemm gemm, INDArray x, INDArray w, INDArray z, INDArray b, int g, int m,
                                  int n, Form form) {
        INDArray expected = z.ulike();
        Nd4j.exec(DynamicCustomOp.builder(ADD).addInputs(z, b).addOutputs(expected).build());
        INDArray y = z.ulike();
        preset(HostMemory.floats(b), (int) b.offset(), HostMemory.floats(y), (int) y.offset(), g, m, n, form);
        gemm.run(new INDArray[]{x, w}, new INDArray[]{y});
        return HostMemory.sameBits(expected, y);
    }

    /** Whether the memory of two arrays' elements overlaps (from the first element to the last). */
    private static boolean overlaps(INDArray a, INDArray b) {
        long a0 = HostMemory.address(a);
        long b0 = HostMemory.address(b);
        return a0 < b0 + b.length() * Float.BYTES && b0 < a0 + a.length() * Float.BYTES;
    }

    private static String key(int g, int m, int k, int n, Form form) {
        return g + "x" + m + ":" + k + ":" + n + " " + form;
    }

    /**
     * Whether the loop gives libnd4j's bits for this shape: {@code matmul} then {@code add} as custom ops against the
     * loop, on operands written out here (ND4J's random generator is left alone: plans are made inside training
     * steps), with a row of x that is zero, twice: with b as written and with its first two elements +0 and -0. The
     * first matters where b has no more elements than that: a b of N = 2 that was nothing but its signed zeros made
     * the sums meet nothing and passed a shape (K 768) whose sums meet b in another order. False where products do
     * not run directly ({@link DirectGemm#onto}) or the arrays cannot be made.
     */
    static boolean probe(int m, int k, int n, boolean broadcast) {
        return probe(1, m, k, n, broadcast ? Form.ROWS : Form.FULL);
    }

    /**
     * {@link #probe(int, int, int, boolean)} for {@code g} matrices ({@code g} 1: rank 2, else libnd4j's batched
     * product of rank 3) and {@code b} laid as {@code form}.
     */
    static boolean probe(int g, int m, int k, int n, Form form) {
        DirectGemm gemm = DirectGemm.onto(g, m, k, n);
        if (gemm == null) {
            return false;
        }
        try {
            INDArray x = DirectGemm.probe(g, m, k, 0.37);
            (g == 1 ? x.getRow(m / 2) : x.get(NDArrayIndex.all(), NDArrayIndex.point(m / 2), NDArrayIndex.all()))
                    .assign(0);
            INDArray w = DirectGemm.probe(g, k, n, -0.21);
            long[] shape = g == 1 ? new long[]{m, n} : new long[]{g, m, n};
            INDArray b = switch (form) {
                case ROWS -> DirectGemm.probe(1, 1, n, 0.05).reshape(n);
                case ROWS_PER_MATRIX -> DirectGemm.probe(g, 1, n, 0.05);
                case FULL -> DirectGemm.probe(g, m, n, 0.05);
            };
            INDArray z = Nd4j.create(DataType.FLOAT, shape);
            Nd4j.exec(DynamicCustomOp.builder(DirectGemm.MATMUL).addInputs(x, w).addOutputs(z).build());
            if (!agrees(gemm, x, w, z, b, g, m, n, form)) {
                return false;
            }
            b.putScalar(0, 0f);
            b.putScalar(1, -0f);
            return agrees(gemm, x, w, z, b, g, m, n, form);
        } catch (RuntimeException e) {
            return false;
        }
    }
}

package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.util.Arrays;
import java.util.List;

/**
 * The running sum over the last axis of a matrix as {@code SdOps.runningSumByScan} builds it (a {@code cumsum} along
 * axis 0 of the transposed rows, transposed back), and its gradient, found in a plan's op list and run as one Java loop
 * each way along the rows themselves, with libnd4j's arithmetic: the same values bit for bit
 * ({@code impl/RunningSumFusionTest}); an {@link OpGroup} each.
 *
 * <p>Why: the transposes exist only because ND4J M2.1's {@code cumsum} backpropagates correctly along axis 0 of a
 * matrix alone (docs/dl4j-m2.1-notes.md, SameDiff 2); each is a copy of the whole matrix. At the paper's sizes a
 * training step runs six running sums of {@code [96, 768]}: four copies and a scan each, forward and back, about 9 ms
 * of a step (docs/performance.md, "The running sum along the rows"). One loop along the rows reads the matrix once and
 * writes it once.
 *
 * <p>The forward ops on {@code p [R, C]}, as matched:
 * <pre>
 *   t = permute(p, 1, 0)                 [C, R]
 *   s = cumsum(t, exclusive 0, reverse 0, axis 0)
 *   y = permute(s, 1, 0)                 [R, C]: y[r][c] = p[r][0] + ... + p[r][c]
 * </pre>
 * and the gradient's, from the incoming gradient {@code gy [R, C]}:
 * <pre>
 *   gt = permute(gy, 1, 0)
 *   gs = cumsum_bp(t, gt, exclusive 0, reverse 0, axis 0)
 *   gp = permute(gs, 1, 0)               gp[r][c] = gy[r][C - 1] + ... + gy[r][c]
 * </pre>
 * libnd4j's arithmetic ({@code helpers::prefix}): a float sum from 0, each element added in turn, from the first
 * element forward and from the last back for the gradient ({@code cumsum_bp} is the reverse running sum of its incoming
 * gradient); the loops add in that order, so each value is libnd4j's. {@code t} is read by {@code cumsum_bp}, which
 * does not use its values: the forward loop writes it (transposed) only where an op that runs, or a loop, reads it.
 *
 * <p>Covered: float matrices. Other axes, an exclusive or reverse sum, or a permutation other than the transpose are
 * not matched.
 */
final class RunningSumFusion {

    /** The op times' labels of the two groups. */
    static final String FORWARD_LABEL = "fused cumsum";
    static final String BACKWARD_LABEL = "fused cumsum_bp";

    private static final String PERMUTE = "permute";
    private static final String CUMSUM = "cumsum";
    private static final String CUMSUM_BP = "cumsum_bp";

    /** Rows summed side by side in one pass along the columns: independent sums, so the adds need not wait in turn. */
    private static final int ROWS_AT_ONCE = 8;

    private RunningSumFusion() {
    }

    /** The forward groups and gradient groups of running sums among the matcher's ops. */
    static List<OpGroup> find(OpMatcher m) {
        return OpGroup.atEachOp(m, k -> {
            OpGroup g = CUMSUM.equals(m.name(k)) ? forward(m, k) : CUMSUM_BP.equals(m.name(k)) ? backward(m, k) : null;
            return g == null ? List.of() : List.of(g);
        });
    }

    /**
     * Whether op k is a {@code cumsum} or {@code cumsum_bp} of a forward, inclusive sum along axis 0, the axis as an
     * integer argument: {@code [exclusive 0, reverse 0, 0]}, or with the axis twice, as SameDiff makes
     * {@code cumsum_bp}'s arguments (libnd4j reads every argument after the first two as an axis).
     */
    private static boolean forwardAlongAxis0(OpMatcher m, int k) {
        if (!(m.ops().get(k).getOp() instanceof DynamicCustomOp op) || op.iArgs().length < 3) {
            return false;
        }
        return Arrays.stream(op.iArgs()).allMatch(a -> a == 0);
    }

    /** Whether op k is a {@code permute} of one input that swaps the two axes of a matrix. */
    private static boolean transpose(OpMatcher m, int k) {
        return k >= 0 && PERMUTE.equals(m.name(k)) && m.in(k).size() == 1
                && m.ops().get(k).getOp() instanceof DynamicCustomOp op && Arrays.equals(op.iArgs(), new long[]{1, 0});
    }

    /** The op that computes {@code variable}, or -1. */
    private static int producer(OpMatcher m, String variable) {
        for (int k = 0; k < m.ops().size(); k++) {
            if (m.ops().get(k).getOutputsOfOp().contains(variable)) {
                return k;
            }
        }
        return -1;
    }

    /** The only op that reads {@code variable}, if it transposes it, or -1. */
    private static int onlyTransposeOf(OpMatcher m, String variable) {
        List<Integer> readers = m.readersOf(variable);
        return readers.size() == 1 && transpose(m, readers.get(0)) ? readers.get(0) : -1;
    }

    /** The forward group of {@code cumsum} op {@code k}, or null. */
    private static Forward forward(OpMatcher m, int k) {
        if (m.in(k).size() != 1 || !forwardAlongAxis0(m, k)) {
            return null;
        }
        int before = producer(m, m.in(k).get(0));
        int after = onlyTransposeOf(m, m.out(k, 0));
        return transpose(m, before) && after >= 0 ? new Forward(new int[]{before, k, after}) : null;
    }

    /** The gradient group of {@code cumsum_bp} op {@code k}, or null. */
    private static Backward backward(OpMatcher m, int k) {
        if (m.in(k).size() != 2 || m.ops().get(k).getOutputsOfOp().size() != 1 || !forwardAlongAxis0(m, k)) {
            return null;
        }
        int before = producer(m, m.in(k).get(1));
        int after = onlyTransposeOf(m, m.out(k, 0));
        boolean alone = before >= 0 && m.readersOf(m.out(before, 0)).size() == 1;
        return transpose(m, before) && alone && after >= 0 ? new Backward(new int[]{before, k, after}) : null;
    }

    /** Whether the arrays are float matrices of {@code [R, C]} (inputs and the last output) and {@code [C, R]}. */
    private static boolean matrices(INDArray[] in, INDArray[] out) {
        if (in[0].dataType() != DataType.FLOAT || in[0].rank() != 2 || in[0].length() == 0
                || in[0].length() > Integer.MAX_VALUE || !OpGroup.writable(out)) {
            return false;
        }
        long[] rows = in[0].shape();
        long[] columns = {rows[1], rows[0]};
        return OpGroup.sameShape(out[out.length - 1], rows)
                && (out.length == 1 || OpGroup.sameShape(out[0], columns));
    }

    /** The forward group. Input: p. Outputs: t (written where read), y. */
    static final class Forward extends OpGroup {

        Forward(int[] m) {
            super(m, new Arg[]{new Arg(m[0], 0)}, new Arg[]{new Arg(m[0], 0), new Arg(m[2], 0)});
        }

        @Override
        String label() {
            return FORWARD_LABEL;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            return matrices(in, out);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            int rows = (int) in[0].size(0);
            int columns = (int) in[0].size(1);
            int n = rows * columns;
            Inputs inputs = new Inputs(new int[]{n}, linked);
            float[] t = new float[n];
            float[] y = new float[n];
            Runnable writeT = write[0] ? OpGroup.writer(t, out[0]) : null;
            Runnable writeY = write[1] ? OpGroup.writer(y, out[1]) : null;
            return new Loop() {
                /** Whether another loop reads t from {@link #values}: then it is computed at every run. */
                private boolean tLinked;

                @Override
                public void run(INDArray[] arrays) {
                    float[] p = inputs.read(arrays)[0];
                    runningSums(p, rows, columns, y);
                    if (writeT != null || tLinked) {
                        transpose(p, rows, columns, t);
                    }
                    if (writeT != null) {
                        writeT.run();
                    }
                    if (writeY != null) {
                        writeY.run();
                    }
                }

                @Override
                public float[] values(int i) {
                    tLinked |= i == 0;
                    return i == 0 ? t : y;
                }
            };
        }
    }

    /** The gradient group. Input: gy. Output: gp. */
    static final class Backward extends OpGroup {

        Backward(int[] m) {
            super(m, new Arg[]{new Arg(m[0], 0)}, new Arg[]{new Arg(m[2], 0)});
        }

        @Override
        String label() {
            return BACKWARD_LABEL;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            return matrices(in, out);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            int rows = (int) in[0].size(0);
            int columns = (int) in[0].size(1);
            Inputs inputs = new Inputs(new int[]{rows * columns}, linked);
            float[] gp = new float[rows * columns];
            List<Runnable> writes = OpGroup.writers(new float[][]{gp}, out, write);
            return new Loop() {
                @Override
                public void run(INDArray[] arrays) {
                    reverseRunningSums(inputs.read(arrays)[0], rows, columns, gp);
                    writes.forEach(Runnable::run);
                }

                @Override
                public float[] values(int i) {
                    return gp;
                }
            };
        }
    }

    /**
     * {@code y[r][c] = ((0 + p[r][0]) + p[r][1]) + ... + p[r][c]} for {@code p [R, C]} in 'c' order, libnd4j's
     * {@code cumsum} order; {@link #ROWS_AT_ONCE} rows side by side.
     */
    private static void runningSums(float[] p, int rows, int columns, float[] y) {
        float[] s = new float[ROWS_AT_ONCE];
        for (int first = 0; first < rows; first += ROWS_AT_ONCE) {
            int block = Math.min(ROWS_AT_ONCE, rows - first);
            Arrays.fill(s, 0f);
            for (int c = 0; c < columns; c++) {
                for (int j = 0, at = first * columns + c; j < block; j++, at += columns) {
                    s[j] += p[at];
                    y[at] = s[j];
                }
            }
        }
    }

    /**
     * {@code g[r][c] = ((0 + gy[r][C - 1]) + gy[r][C - 2]) + ... + gy[r][c]}, libnd4j's {@code cumsum_bp} order (the
     * reverse running sum).
     */
    private static void reverseRunningSums(float[] gy, int rows, int columns, float[] g) {
        float[] s = new float[ROWS_AT_ONCE];
        for (int first = 0; first < rows; first += ROWS_AT_ONCE) {
            int block = Math.min(ROWS_AT_ONCE, rows - first);
            Arrays.fill(s, 0f);
            for (int c = columns - 1; c >= 0; c--) {
                for (int j = 0, at = first * columns + c; j < block; j++, at += columns) {
                    s[j] += gy[at];
                    g[at] = s[j];
                }
            }
        }
    }

    /** {@code t[c][r] = p[r][c]}. */
    private static void transpose(float[] p, int rows, int columns, float[] t) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = p[r * columns + c];
            }
        }
    }
}

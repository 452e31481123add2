package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
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
        int before = m.producer(m.in(k).get(0));
        int after = onlyTransposeOf(m, m.out(k, 0));
        return transpose(m, before) && after >= 0 ? new Forward(new int[]{before, k, after}) : null;
    }

    /** The gradient group of {@code cumsum_bp} op {@code k}, or null. */
    private static Backward backward(OpMatcher m, int k) {
        if (m.in(k).size() != 2 || m.ops().get(k).getOutputsOfOp().size() != 1 || !forwardAlongAxis0(m, k)) {
            return null;
        }
        int before = m.producer(m.in(k).get(1));
        int after = onlyTransposeOf(m, m.out(k, 0));
        boolean alone = before >= 0 && m.readersOf(m.out(before, 0)).size() == 1;
        return transpose(m, before) && alone && after >= 0 ? new Backward(new int[]{before, k, after}) : null;
    }

    /**
     * A group of three ops (transpose, scan, transpose back) whose loop reads a float matrix {@code [R, C]} and writes
     * one of that shape as its last output (before it, the forward group's transposed rows {@code [C, R]}).
     */
    private abstract static class RowScan extends OpGroup {
        private final String label;

        RowScan(int[] members, Arg[] outputs, String label) {
            super(members, new Arg[]{new Arg(members[0], 0)}, outputs);
            this.label = label;
        }

        @Override
        String label() {
            return label;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            if (!loopSized(in[0]) || in[0].rank() != 2 || !writable(out)) {
                return false;
            }
            long[] rows = in[0].shape();
            long[] columns = {rows[1], rows[0]};
            return sameShape(out[out.length - 1], rows) && (out.length == 1 || sameShape(out[0], columns));
        }
    }

    /** The forward group. Input: p. Outputs: t (written where read), y. */
    static final class Forward extends RowScan {

        Forward(int[] m) {
            super(m, new Arg[]{new Arg(m[0], 0), new Arg(m[2], 0)}, FORWARD_LABEL);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            int rows = (int) in[0].size(0);
            int columns = (int) in[0].size(1);
            Inputs inputs = new Inputs(new int[]{rows * columns}, linked);
            float[] t = new float[rows * columns];
            float[] y = new float[rows * columns];
            List<Runnable> writes = writers(new float[][]{t, y}, out, write);
            return new Loop() {
                /** Whether t is read at all: written for an op, or read by another loop from {@link #values}. */
                private boolean tRead = write[0];

                @Override
                public void run(INDArray[] arrays) {
                    float[] p = inputs.read(arrays)[0];
                    runningSums(p, rows, columns, false, y);
                    if (tRead) {
                        transpose(p, rows, columns, t);
                    }
                    writes.forEach(Runnable::run);
                }

                @Override
                public float[] values(int i) {
                    tRead |= i == 0;
                    return i == 0 ? t : y;
                }
            };
        }
    }

    /** The gradient group. Input: gy. Output: gp. */
    static final class Backward extends RowScan {

        Backward(int[] m) {
            super(m, new Arg[]{new Arg(m[2], 0)}, BACKWARD_LABEL);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            int rows = (int) in[0].size(0);
            int columns = (int) in[0].size(1);
            Inputs inputs = new Inputs(new int[]{rows * columns}, linked);
            float[] gp = new float[rows * columns];
            List<Runnable> writes = writers(new float[][]{gp}, out, write);
            return new Loop() {
                @Override
                public void run(INDArray[] arrays) {
                    runningSums(inputs.read(arrays)[0], rows, columns, true, gp);
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
     * The running sums along the rows of {@code x [R, C]} ('c' order), each a float sum from 0 with one element added
     * in turn, libnd4j's order: forward {@code out[r][c] = ((0 + x[r][0]) + x[r][1]) + ... + x[r][c]} ({@code cumsum}),
     * or with {@code reverse} from the last element back, {@code out[r][c] = (0 + x[r][C - 1]) + ... + x[r][c]} (the
     * reverse running sum that is {@code cumsum_bp}); {@link #ROWS_AT_ONCE} rows side by side.
     */
    private static void runningSums(float[] x, int rows, int columns, boolean reverse, float[] out) {
        int firstColumn = reverse ? columns - 1 : 0;
        int step = reverse ? -1 : 1;
        float[] s = new float[ROWS_AT_ONCE];
        for (int first = 0; first < rows; first += ROWS_AT_ONCE) {
            int block = Math.min(ROWS_AT_ONCE, rows - first);
            Arrays.fill(s, 0f);
            for (int i = 0, c = firstColumn; i < columns; i++, c += step) {
                for (int j = 0, at = first * columns + c; j < block; j++, at += columns) {
                    s[j] += x[at];
                    out[at] = s[j];
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

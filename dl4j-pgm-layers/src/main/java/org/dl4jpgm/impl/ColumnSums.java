package org.dl4jpgm.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The sum of a 'c'-ordered array over one block of adjacent axes, with the axes before and after it kept: the input
 * viewed as {@code [P, R, C]}, the output as {@code [P, C]} (R the product of the summed axes' sizes, P of the axes
 * before them, C of the axes after them), computed in Java where C is more than one.
 *
 * <p>Why: libnd4j's sum along axes sums each of the P C output elements on its own, R strided reads one after the
 * other, each add waiting for the one before: a bias's gradient over {@code [96, 1536]} takes 339 us that way, 15 us
 * here (docs/performance.md, "Bias gradients as column sums", "Column sums vectorised"), where C independent sums
 * advance four rows at a time in a loop the JIT compiler vectorises. Every output element is still
 * {@code ((0 + x_0) + x_1) + ... + x_{R-1}}, libnd4j's order, so the result is the same bit for bit
 * ({@code impl/ColumnSumsTest}); the start from 0 matters for the sign of a zero sum. With C = 1 (a sum over the last
 * axes) the sums are one chain each and Java is no faster, so {@link #of} leaves them to libnd4j.
 *
 * <p>Float and double arrays only; the rows are copied from native memory to four Java arrays of C elements, so the
 * memory the sum needs beside its arrays is small.
 */
final class ColumnSums {

    private final long p;
    private final long r;
    private final long c;

    private ColumnSums(long p, long r, long c) {
        this.p = p;
        this.r = r;
        this.c = c;
    }

    /**
     * The sum of an array of {@code shape} over {@code axes}, or null where it is not a column sum: the axes that are
     * not of size 1 do not form one block of adjacent axes, nothing is summed, fewer than two elements follow the
     * block (C &lt; 2), or an extent does not fit an {@code int}.
     */
    static ColumnSums of(long[] shape, int[] axes) {
        boolean[] summed = new boolean[shape.length];
        for (int a : axes) {
            summed[a] = true;
        }
        int first = -1;
        int last = -1;
        for (int i = 0; i < shape.length; i++) {
            if (summed[i] && shape[i] != 1) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0) {
            return null;
        }
        long p = 1;
        long r = 1;
        long c = 1;
        for (int i = 0; i < shape.length; i++) {
            if (i < first) {
                p *= shape[i];
            } else if (i > last) {
                c *= shape[i];
            } else if (summed[i] || shape[i] == 1) {
                r *= shape[i];
            } else {
                return null;    // a kept axis inside the block
            }
        }
        if (c < 2 || p * r * c > Integer.MAX_VALUE) {
            return null;
        }
        return new ColumnSums(p, r, c);
    }

    /**
     * The sum of {@code in} into {@code out} as a step bound to these arrays: {@code in} contiguous in 'c' order with
     * {@code P R C} elements, {@code out} contiguous with {@code P C}, both float or both double, in buffers that
     * {@link HostMemory} can view; null where they are not.
     */
    Runnable bind(INDArray in, INDArray out) {
        DataType type = in.dataType();
        if (type != out.dataType() || (type != DataType.FLOAT && type != DataType.DOUBLE)
                || in.length() != p * r * c || out.length() != p * c
                || !OpPlan.contiguousC(in) || !OpPlan.contiguousC(out)
                || !HostMemory.addressable(in) || !HostMemory.addressable(out)) {
            return null;
        }
        int inOffset = (int) in.offset();
        int outOffset = (int) out.offset();
        if (type == DataType.FLOAT) {
            FloatBuffer src = HostMemory.floats(in);
            FloatBuffer dst = HostMemory.floats(out);
            float[] sums = new float[(int) c];
            float[][] rows = new float[4][(int) c];
            return () -> sumFloats(src, inOffset, dst, outOffset, sums, rows);
        }
        DoubleBuffer src = HostMemory.doubles(in);
        DoubleBuffer dst = HostMemory.doubles(out);
        double[] sums = new double[(int) c];
        double[][] rows = new double[4][(int) c];
        return () -> sumDoubles(src, inOffset, dst, outOffset, sums, rows);
    }

    /**
     * The sums into {@code dst}: for each of the P sums, the R rows added to the C column sums one after the other,
     * four rows at a time, each copied from {@code src} to a row array of its own. Why the row arrays: Java 17's JIT
     * compiler vectorises a loop over {@code sums[j]} and {@code row[j]}, but not one that reads an array at an offset
     * unknown when it compiles, as {@code block[at + j]} of a block of rows (docs/performance.md, "Column sums
     * vectorised"). The sum of four rows is written out left to right, so each column is summed in row order.
     */
    private void sumFloats(FloatBuffer src, int inOffset, FloatBuffer dst, int outOffset, float[] sums,
                           float[][] rows) {
        int cols = (int) c;
        int terms = (int) r;
        float[] r0 = rows[0];
        float[] r1 = rows[1];
        float[] r2 = rows[2];
        float[] r3 = rows[3];
        for (int i = 0; i < p; i++) {
            java.util.Arrays.fill(sums, 0f);
            int at = inOffset + i * terms * cols;
            int k = 0;
            for (; k + 4 <= terms; k += 4, at += 4 * cols) {
                src.get(at, r0, 0, cols);
                src.get(at + cols, r1, 0, cols);
                src.get(at + 2 * cols, r2, 0, cols);
                src.get(at + 3 * cols, r3, 0, cols);
                for (int j = 0; j < cols; j++) {
                    sums[j] = sums[j] + r0[j] + r1[j] + r2[j] + r3[j];
                }
            }
            for (; k < terms; k++, at += cols) {
                src.get(at, r0, 0, cols);
                for (int j = 0; j < cols; j++) {
                    sums[j] += r0[j];
                }
            }
            dst.put(outOffset + i * cols, sums, 0, cols);
        }
    }

    /** {@link #sumFloats} in double (Java has no loop generic over primitive types). */
    private void sumDoubles(DoubleBuffer src, int inOffset, DoubleBuffer dst, int outOffset, double[] sums,
                            double[][] rows) {
        int cols = (int) c;
        int terms = (int) r;
        double[] r0 = rows[0];
        double[] r1 = rows[1];
        double[] r2 = rows[2];
        double[] r3 = rows[3];
        for (int i = 0; i < p; i++) {
            java.util.Arrays.fill(sums, 0d);
            int at = inOffset + i * terms * cols;
            int k = 0;
            for (; k + 4 <= terms; k += 4, at += 4 * cols) {
                src.get(at, r0, 0, cols);
                src.get(at + cols, r1, 0, cols);
                src.get(at + 2 * cols, r2, 0, cols);
                src.get(at + 3 * cols, r3, 0, cols);
                for (int j = 0; j < cols; j++) {
                    sums[j] = sums[j] + r0[j] + r1[j] + r2[j] + r3[j];
                }
            }
            for (; k < terms; k++, at += cols) {
                src.get(at, r0, 0, cols);
                for (int j = 0; j < cols; j++) {
                    sums[j] += r0[j];
                }
            }
            dst.put(outOffset + i * cols, sums, 0, cols);
        }
    }

    /** R: the number of terms in each sum. */
    long rows() {
        return r;
    }

    @Override
    public String toString() {
        return "ColumnSums[P=" + p + ", R=" + r + ", C=" + c + "]";
    }
}

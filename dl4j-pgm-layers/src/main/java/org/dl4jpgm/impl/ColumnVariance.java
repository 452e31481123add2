package org.dl4jpgm.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The variance of each column of a matrix {@code [B, F]} ('c' order) over its B rows, divided by B (not bias
 * corrected), as libnd4j computes ND4J's {@code Variance} along axis 0 ({@code x.var(false, 0)}, what DL4J's batch
 * normalisation runs in training), computed in Java.
 *
 * <p>Why: libnd4j's summary statistics reduce each column on its own, reading it with a stride of F, and keep third
 * and fourth moments too: at the main job's size ({@code [128, 192]}) that was 1.3-1.7 % of a training step
 * (docs/performance.md, "Own arrays handed to DL4J, and the batch variance in Java"). Here the F columns advance
 * together, row by row, in a loop the JIT compiler vectorises, and only the two moments the variance needs are kept.
 *
 * <p>The arithmetic is libnd4j's ({@code SummaryStatsReduce::update} merging one value at a time, in doubles): for
 * rows i = 1 .. B-1, with n = i, {@code delta = x_i - mean}, {@code mean = mean + delta * 1 / (n + 1)},
 * {@code M2 = (M2 + 0) + delta * delta * n * 1 / (n + 1)}, each product and quotient in that order; the result
 * {@code M2 / B} in the array's type (0 for one row). So the result is the same bit for bit
 * ({@code impl/ColumnVarianceTest}, which compares it with ND4J's op on random matrices of many shapes and scales).
 */
final class ColumnVariance {

    private ColumnVariance() {
    }

    /**
     * The variance of the columns of {@code in} {@code [B, F]} into {@code out} ({@code F} elements) as a step bound
     * to these arrays: both contiguous in 'c' order, both float or both double, in buffers that {@link HostMemory}
     * can view; null where they are not.
     */
    static Runnable bind(INDArray in, INDArray out) {
        DataType type = in.dataType();
        if (in.rank() != 2 || type != out.dataType() || (type != DataType.FLOAT && type != DataType.DOUBLE)
                || out.length() != in.size(1) || in.length() > Integer.MAX_VALUE
                || !OpPlan.contiguousC(in) || !OpPlan.contiguousC(out)
                || !HostMemory.addressable(in) || !HostMemory.addressable(out)) {
            return null;
        }
        int rows = (int) in.size(0);
        int cols = (int) in.size(1);
        int inOffset = (int) in.offset();
        int outOffset = (int) out.offset();
        Moments moments = new Moments(cols);
        if (type == DataType.FLOAT) {
            FloatBuffer src = HostMemory.floats(in);
            FloatBuffer dst = HostMemory.floats(out);
            float[] row = new float[cols];
            float[] result = new float[cols];
            return () -> {
                for (int i = 0; i < rows; i++) {
                    src.get(inOffset + i * cols, row, 0, cols);
                    for (int j = 0; j < cols; j++) {
                        moments.row[j] = row[j];
                    }
                    moments.add(i);
                }
                for (int j = 0; j < cols; j++) {
                    result[j] = (float) variance(moments.m2[j], rows);
                }
                dst.put(outOffset, result, 0, cols);
            };
        }
        DoubleBuffer src = HostMemory.doubles(in);
        DoubleBuffer dst = HostMemory.doubles(out);
        double[] result = new double[cols];
        return () -> {
            for (int i = 0; i < rows; i++) {
                src.get(inOffset + i * cols, moments.row, 0, cols);
                moments.add(i);
            }
            for (int j = 0; j < cols; j++) {
                result[j] = variance(moments.m2[j], rows);
            }
            dst.put(outOffset, result, 0, cols);
        };
    }

    /** The columns' means and M2 so far, and the row being merged (as doubles: a float converts exactly). */
    private static final class Moments {
        final double[] row;
        final double[] mean;
        final double[] m2;

        Moments(int cols) {
            row = new double[cols];
            mean = new double[cols];
            m2 = new double[cols];
        }

        /** Merges {@link #row}, row {@code n} (the n + 1-th value of each column), as libnd4j does. */
        void add(int n) {
            if (n == 0) {
                System.arraycopy(row, 0, mean, 0, row.length);
                java.util.Arrays.fill(m2, 0);
                return;
            }
            double count = n;
            double next = count + 1.0;
            for (int j = 0; j < row.length; j++) {
                double delta = row[j] - mean[j];
                mean[j] = mean[j] + delta * 1.0 / next;
                m2[j] = (m2[j] + 0.0) + delta * delta * count * 1.0 / next;
            }
        }
    }

    /** libnd4j's {@code SummaryStatsData::variance}: 0 for one value, else {@code M2 / n}. */
    private static double variance(double m2, int n) {
        return n <= 1 ? 0.0 : m2 / n;
    }
}

package org.dl4jpgm.blocks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModalPartitionerBlock} (Eq. 1-3) against a plain-Java implementation written from the paper's equations:
 * loops over {@code double[]}, no project code. Random inputs and weights, N = 1 and 3, chunk sizes 1, 2 and 3;
 * u(N), p(N) and the soft gates g_u, g_p of every iteration agree to 1e-10 in double precision.
 */
class PartitionerReferenceTest {

    private static final int B = 3;
    private static final int S = 2;
    private static final int D = 6;
    private static final double TOL = 1e-10;

    @ParameterizedTest(name = "N={0} chunkSize={1}")
    @CsvSource({"1, 1", "3, 1", "1, 2", "3, 2", "3, 3"})
    void matchesPlainJava(int iterations, int chunkSize) {
        Random rnd = new Random(1000L * iterations + chunkSize);
        int t = D / chunkSize;
        double[][][] input = random(rnd, B, S, D, 1.0);
        // scale 1.5 gives gates spread over (0, 1) rather than all near 0.5
        double[][] wu = random(rnd, 1, D, t, 1.5)[0];
        double[][] wp = random(rnd, 1, D, t, 1.5)[0];
        double[] bu = random(rnd, 1, 1, t, 0.5)[0][0];
        double[] bp = random(rnd, 1, 1, t, 0.5)[0][0];

        // the block in a plain SameDiff, input as a placeholder
        ModalPartitionerBlock block = new ModalPartitionerBlock("", D, chunkSize);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.DOUBLE, -1, S, D);
        Map<String, SDVariable> params = new HashMap<>();
        params.put(ModalPartitionerBlock.W_UNI, sd.var(ModalPartitionerBlock.W_UNI, Nd4j.create(wu)));
        params.put(ModalPartitionerBlock.W_PAIRED, sd.var(ModalPartitionerBlock.W_PAIRED, Nd4j.create(wp)));
        params.put(ModalPartitionerBlock.B_UNI, sd.var(ModalPartitionerBlock.B_UNI, Nd4j.create(new double[][]{bu})));
        params.put(ModalPartitionerBlock.B_PAIRED, sd.var(ModalPartitionerBlock.B_PAIRED, Nd4j.create(new double[][]{bp})));
        ModalPartitionerBlock.Result r = block.run(params, in, iterations, S);
        List<String> names = new ArrayList<>(List.of(r.uni().name(), r.paired().name()));
        for (int i = 0; i < iterations; i++) {
            names.add(r.uniGates().get(i).name());
            names.add(r.pairedGates().get(i).name());
        }
        Map<String, INDArray> out = sd.output(Map.of("input", Nd4j.create(input)), names.toArray(new String[0]));

        Reference ref = reference(input, wu, bu, wp, bp, iterations, chunkSize);
        assertClose(ref.u, out.get(r.uni().name()), "u(N)");
        assertClose(ref.p, out.get(r.paired().name()), "p(N)");
        for (int i = 0; i < iterations; i++) {
            assertClose(ref.gu.get(i), out.get(r.uniGates().get(i).name()), "g_u of iteration " + (i + 1));
            assertClose(ref.gp.get(i), out.get(r.pairedGates().get(i).name()), "g_p of iteration " + (i + 1));
        }
        // the inputs were not degenerate: gates take values well inside (0, 1)
        double spread = 0;
        for (double[][] row : ref.gu.get(0)) {
            for (double[] v : row) {
                for (double x : v) {
                    spread = Math.max(spread, Math.min(x, 1 - x));
                }
            }
        }
        assertTrue(spread > 0.1, "test inputs give non-trivial gates, max min(g, 1 - g) = " + spread);
    }

    /** u(N), p(N) and the gates of every iteration, computed with loops from Eq. 1-3. */
    private record Reference(double[][][] u, double[][][] p, List<double[][][]> gu, List<double[][][]> gp) {
    }

    private static Reference reference(double[][][] input, double[][] wu, double[] bu, double[][] wp, double[] bp,
                                       int iterations, int chunkSize) {
        double[][][] u = copy(input);
        double[][][] p = copy(input);
        List<double[][][]> gus = new ArrayList<>();
        List<double[][][]> gps = new ArrayList<>();
        for (int it = 0; it < iterations; it++) {
            double[][][] gu = new double[B][S][D];
            double[][][] gp = new double[B][S][D];
            double[][][] nu = new double[B][S][D];
            double[][][] np = new double[B][S][D];
            for (int b = 0; b < B; b++) {
                for (int s = 0; s < S; s++) {
                    double[] cu = cumsoftmax(affine(u[b][s], wu, bu));
                    double[] cp = cumsoftmax(affine(p[b][s], wp, bp));
                    for (int d = 0; d < D; d++) {
                        double gUni = 1.0 - cu[d / chunkSize];           // Eq. 1, broadcast within a chunk
                        double gPaired = cp[d / chunkSize];
                        double gShared = gUni * gPaired;                 // Eq. 2: overlap
                        double upper = gUni - gShared;
                        double downer = gPaired - gShared;
                        double shared = gShared * input[b][s][d];        // Eq. 3
                        nu[b][s][d] = upper * u[b][s][d] + shared;
                        np[b][s][d] = downer * p[b][s][d] + shared;
                        gu[b][s][d] = gUni;
                        gp[b][s][d] = gPaired;
                    }
                }
            }
            u = nu;
            p = np;
            gus.add(gu);
            gps.add(gp);
        }
        return new Reference(u, p, gus, gps);
    }

    /** {@code x W + b}: x [D], W [D, T], b [T]. */
    private static double[] affine(double[] x, double[][] w, double[] b) {
        double[] y = b.clone();
        for (int j = 0; j < y.length; j++) {
            for (int d = 0; d < x.length; d++) {
                y[j] += x[d] * w[d][j];
            }
        }
        return y;
    }

    /** Running sum of the softmax. */
    private static double[] cumsoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] e = new double[z.length];
        double sum = 0;
        for (int j = 0; j < z.length; j++) {
            e[j] = Math.exp(z[j] - max);
            sum += e[j];
        }
        double acc = 0;
        for (int j = 0; j < z.length; j++) {
            acc += e[j] / sum;
            e[j] = acc;
        }
        return e;
    }

    private static double[][][] random(Random rnd, int a, int b, int c, double scale) {
        double[][][] x = new double[a][b][c];
        for (double[][] m : x) {
            for (double[] r : m) {
                for (int k = 0; k < c; k++) {
                    r[k] = scale * rnd.nextGaussian();
                }
            }
        }
        return x;
    }

    private static double[][][] copy(double[][][] x) {
        double[][][] y = new double[x.length][][];
        for (int i = 0; i < x.length; i++) {
            y[i] = new double[x[i].length][];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = x[i][j].clone();
            }
        }
        return y;
    }

    private static void assertClose(double[][][] expected, INDArray actual, String what) {
        assertEquals(DataType.DOUBLE, actual.dataType(), what + ": computed in double");
        assertEquals(List.of((long) B, (long) S, (long) D), List.of(actual.size(0), actual.size(1), actual.size(2)),
                what + ": shape [B, S, D]");
        double worst = 0;
        for (int b = 0; b < B; b++) {
            for (int s = 0; s < S; s++) {
                for (int d = 0; d < D; d++) {
                    worst = Math.max(worst, Math.abs(expected[b][s][d] - actual.getDouble(b, s, d)));
                }
            }
        }
        assertTrue(worst <= TOL, what + ": max abs difference to the plain-Java reference " + worst + " > " + TOL);
    }
}

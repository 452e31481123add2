package org.dl4jpgm.blocks;

import org.dl4jpgm.impl.QuietGradFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradient that reaches a partitioner through a hard gate (Eq. 4) in the two places PgM uses it: as a multiplier
 * of features and inside the additive attention mask {@code M = (1 - ĝ) C}.
 *
 * <p>Test function, for soft gates {@code g = σ(X W)} {@code [B, D]}:
 * {@code L(W) = Σ softmax_D(Z + M) ⊙ V + Σ ĝ ⊙ H}. A straight-through estimator differentiates a surrogate: the hard
 * gate frozen at its value at W₀ plus the soft gate's deviation, {@code ĝ̃(W) = ĝ₀ + (g(W) - g₀)}, and the mask
 * {@code M̃(W) = M₀ + k (ĝ̃(W) - ĝ₀)} with slope k = 1 ({@link GateGradient#STRAIGHT_THROUGH}) or k = -C
 * ({@link GateGradient#STRAIGHT_THROUGH_UNSCALED}). The SameDiff gradient at W₀ must equal the central finite
 * difference of that surrogate, computed here in plain Java, in double precision.
 */
class GateGradientTest {

    private static final int B = 3;
    private static final int K = 4;
    private static final int D = 5;

    /** Inputs of the test function, drawn once; soft gates kept at least 0.02 away from the threshold. */
    private static final class Problem {
        final double[][] x = new double[B][K];
        final double[][] w = new double[K][D];
        final double[][] z = new double[B][D];
        final double[][] v = new double[B][D];
        final double[][] h = new double[B][D];

        Problem(long seed) {
            Random r = new Random(seed);
            do {
                fill(x, r, 1.0);
                fill(w, r, 1.0);
            } while (nearThreshold(soft(w)));
            fill(z, r, 2.0);
            fill(v, r, 1.0);
            fill(h, r, 1.0);
        }

        private static void fill(double[][] a, Random r, double scale) {
            for (double[] row : a) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = scale * r.nextGaussian();
                }
            }
        }

        private static boolean nearThreshold(double[][] g) {
            for (double[] row : g) {
                for (double e : row) {
                    if (Math.abs(e - GateMasks.THRESHOLD) < 0.02) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** g = σ(X W). */
        double[][] soft(double[][] weights) {
            double[][] g = new double[B][D];
            for (int b = 0; b < B; b++) {
                for (int d = 0; d < D; d++) {
                    double s = 0;
                    for (int k = 0; k < K; k++) {
                        s += x[b][k] * weights[k][d];
                    }
                    g[b][d] = 1 / (1 + Math.exp(-s));
                }
            }
            return g;
        }

        /** The surrogate L̃(W) around W₀ = {@link #w}, mask slope {@code slope}. */
        double surrogate(double[][] weights, double c, double slope) {
            return loss(soft(w), soft(weights), c, slope);
        }

        /** L(W) itself: the hard gate of W, no soft deviation. */
        double exact(double[][] weights, double c) {
            double[][] g = soft(weights);
            return loss(g, g, c, 0.0);
        }

        /** The test function with hard gates 1[g₀ > 0.5] plus the soft deviation g - g₀ (slope k in the mask). */
        private double loss(double[][] g0, double[][] g, double c, double slope) {
            double loss = 0;
            for (int b = 0; b < B; b++) {
                double[] logits = new double[D];
                double max = Double.NEGATIVE_INFINITY;
                for (int d = 0; d < D; d++) {
                    double hard0 = g0[b][d] > GateMasks.THRESHOLD ? 1 : 0;
                    double dev = g[b][d] - g0[b][d];
                    logits[d] = z[b][d] + (1 - hard0) * c + slope * dev;
                    max = Math.max(max, logits[d]);
                    loss += (hard0 + dev) * h[b][d];
                }
                double sum = 0;
                for (int d = 0; d < D; d++) {
                    sum += Math.exp(logits[d] - max);
                }
                for (int d = 0; d < D; d++) {
                    loss += Math.exp(logits[d] - max) / sum * v[b][d];
                }
            }
            return loss;
        }

        /** Central finite differences of {@link #surrogate} at W₀. */
        double[][] finiteDifference(double c, double slope) {
            return finiteDifference(weights -> surrogate(weights, c, slope));
        }

        /** Central finite differences of {@code f} at W₀. */
        double[][] finiteDifference(java.util.function.ToDoubleFunction<double[][]> f) {
            double eps = 1e-6;
            double[][] grad = new double[K][D];
            for (int k = 0; k < K; k++) {
                for (int d = 0; d < D; d++) {
                    double[][] plus = copy(w);
                    double[][] minus = copy(w);
                    plus[k][d] += eps;
                    minus[k][d] -= eps;
                    grad[k][d] = (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * eps);
                }
            }
            return grad;
        }

        private static double[][] copy(double[][] a) {
            double[][] c = new double[a.length][];
            for (int i = 0; i < a.length; i++) {
                c[i] = a[i].clone();
            }
            return c;
        }
    }

    /** dL/dW from SameDiff, with the project's {@link GateMasks}. */
    private static double[][] sameDiffGradient(Problem p, double c, GateGradient mode) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.constant("x", Nd4j.createFromArray(p.x));
        SDVariable w = sd.var("w", Nd4j.createFromArray(p.w));
        SDVariable g = sd.nn.sigmoid(x.mmul(w));
        SDVariable hard = GateMasks.hard(g, mode);
        SDVariable mask = GateMasks.additive(hard, c, mode == GateGradient.STRAIGHT_THROUGH_UNSCALED);
        SDVariable attention = SdOps.softmax(sd.constant("z", Nd4j.createFromArray(p.z)).add(mask), 1);
        SDVariable loss = attention.mul(sd.constant("v", Nd4j.createFromArray(p.v))).sum()
                .add(hard.mul(sd.constant("h", Nd4j.createFromArray(p.h))).sum());
        loss.markAsLoss();
        QuietGradFunction.ensure(sd);
        INDArray grad = sd.calculateGradients(Map.of(), List.of("w")).get("w");
        return grad.toDoubleMatrix();
    }

    private static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) {
            for (double e : row) {
                m = Math.max(m, Math.abs(e));
            }
        }
        return m;
    }

    private static void assertClose(double[][] expected, double[][] actual, double tolerance, String what) {
        double scale = Math.max(1e-12, maxAbs(expected));
        for (int k = 0; k < expected.length; k++) {
            for (int d = 0; d < expected[k].length; d++) {
                assertEquals(expected[k][d], actual[k][d], tolerance * scale,
                        what + ": dL/dW[" + k + "][" + d + "]");
            }
        }
    }

    @Test
    void straightThroughGradientIsTheFiniteDifferenceOfTheSurrogateWithSlopeOne() {
        for (long seed = 1; seed <= 3; seed++) {
            Problem p = new Problem(seed);
            double c = GateMasks.DEFAULT_MASK_CONSTANT;
            double[][] fd = p.finiteDifference(c, 1.0);
            assertTrue(maxAbs(fd) > 1e-3, "the surrogate depends on W (seed " + seed + ")");
            assertClose(fd, sameDiffGradient(p, c, GateGradient.STRAIGHT_THROUGH), 1e-6, "seed " + seed);
        }
    }

    @Test
    void unscaledGradientIsTheFiniteDifferenceOfTheSurrogateWithSlopeMinusC() {
        Problem p = new Problem(7);
        double c = -100.0;
        assertClose(p.finiteDifference(c, -c), sameDiffGradient(p, c, GateGradient.STRAIGHT_THROUGH_UNSCALED), 1e-5,
                "unscaled, C = " + c);
    }

    /**
     * Bounded: the default's gradient does not depend on C (the paper's C and a 10⁴ times larger one give the same
     * numbers), while the exact-slope variant grows with |C|.
     */
    @Test
    void straightThroughGradientDoesNotGrowWithC() {
        Problem p = new Problem(11);
        double[][] paper = sameDiffGradient(p, GateMasks.DEFAULT_MASK_CONSTANT, GateGradient.STRAIGHT_THROUGH);
        double[][] larger = sameDiffGradient(p, 1e4 * GateMasks.DEFAULT_MASK_CONSTANT, GateGradient.STRAIGHT_THROUGH);
        for (int k = 0; k < K; k++) {
            assertArrayEquals(paper[k], larger[k], 1e-12 * maxAbs(paper), "row " + k);
        }
        // d/dM_j Σ_i p_i V_i = p_j (V_j - Σ_i p_i V_i), at most 2 max|V| in size; σ' <= 1/4: a bound free of C.
        double bound = 0;
        for (int b = 0; b < B; b++) {
            double xs = 0;
            for (int k = 0; k < K; k++) {
                xs = Math.max(xs, Math.abs(p.x[b][k]));
            }
            double vmax = 0;
            double hmax = 0;
            for (int d = 0; d < D; d++) {
                vmax = Math.max(vmax, Math.abs(p.v[b][d]));
                hmax = Math.max(hmax, Math.abs(p.h[b][d]));
            }
            bound += xs / 4 * (2 * vmax + hmax);
        }
        assertTrue(maxAbs(paper) <= bound, "max |dL/dW| " + maxAbs(paper) + " <= " + bound);
        double[][] unscaledSmall = sameDiffGradient(p, -10.0, GateGradient.STRAIGHT_THROUGH_UNSCALED);
        double[][] unscaledLarge = sameDiffGradient(p, -1e4, GateGradient.STRAIGHT_THROUGH_UNSCALED);
        assertTrue(maxAbs(unscaledLarge) > 100 * maxAbs(unscaledSmall),
                "the exact slope grows with |C|: " + maxAbs(unscaledSmall) + " -> " + maxAbs(unscaledLarge));
    }

    /** NONE: the hard gate's exact derivative, zero away from the threshold (the finite difference of L itself). */
    @Test
    void noneGivesTheExactZeroGradient() {
        Problem p = new Problem(3);
        double[][] g = sameDiffGradient(p, GateMasks.DEFAULT_MASK_CONSTANT, GateGradient.NONE);
        assertEquals(0.0, maxAbs(g), 0.0);
        // Away from the threshold, moving W by 1e-6 flips no gate: L itself does not change.
        assertEquals(0.0, maxAbs(p.finiteDifference(weights -> p.exact(weights, GateMasks.DEFAULT_MASK_CONSTANT))),
                0.0);
    }
}

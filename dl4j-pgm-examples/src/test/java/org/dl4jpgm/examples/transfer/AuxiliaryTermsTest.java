package org.dl4jpgm.examples.transfer;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Self-MM's ULGM and MMIM's CPC term against plain loops over the formulas of their Javadoc. */
class AuxiliaryTermsTest {

    private static double[][] gaussian(Random r, int n, int w) {
        double[][] a = new double[n][w];
        for (double[] row : a) {
            for (int j = 0; j < w; j++) {
                row[j] = r.nextGaussian();
            }
        }
        return a;
    }

    private static double dist(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += (a[j] - b[j]) * (a[j] - b[j]);
        }
        return Math.sqrt(s);
    }

    /** Mean of the rows whose label passes the test (previous centre if none). */
    private static double[] centre(double[][] f, double[] y, java.util.function.DoublePredicate in, double[] prev) {
        double[] c = new double[f[0].length];
        int k = 0;
        for (int i = 0; i < f.length; i++) {
            if (in.test(y[i])) {
                k++;
                for (int j = 0; j < c.length; j++) {
                    c[j] += f[i][j];
                }
            }
        }
        if (k == 0) {
            return prev;
        }
        for (int j = 0; j < c.length; j++) {
            c[j] /= k;
        }
        return c;
    }

    @Test
    void ulgmMovesTheUniModalLabelsAsSelfMmsRule() {
        Random r = new Random(3);
        int n = 10;
        int modalities = 2;
        int[] widths = {4, 3, 5};                   // fusion, modality 0, modality 1
        double[] ym = new double[n];
        for (int i = 0; i < n; i++) {
            ym[i] = i % 5 == 0 ? 0 : 3 * (2 * r.nextDouble() - 1);
        }
        double bound = 1.5;                         // small, so that the clamp acts
        Ulgm ulgm = new Ulgm(ym, modalities, bound, true);

        double[][][] feats = new double[modalities + 1][][];
        double[][] ys = {ym.clone(), ym.clone()};
        double[][] pos = new double[modalities + 1][];
        double[][] neg = new double[modalities + 1][];
        int[][] batches = {{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}, {9, 2, 4, 7, 0}, {1, 3, 5, 6, 8}};
        int[] epochs = {1, 1, 2, 3};
        for (int k = 0; k <= modalities; k++) {
            feats[k] = new double[n][widths[k]];
        }
        for (int step = 0; step < batches.length; step++) {
            int[] rows = batches[step];
            double[][][] batch = new double[modalities + 1][][];
            for (int k = 0; k <= modalities; k++) {
                batch[k] = gaussian(r, rows.length, widths[k]);
            }
            for (int s = 0; s < modalities; s++) {
                INDArray w = ulgm.weights(s, rows);
                for (int i = 0; i < rows.length; i++) {
                    assertEquals(Math.tanh(Math.abs(ys[s][rows[i]] - ym[rows[i]])), w.getDouble(i, 0), 1e-12);
                }
            }
            ulgm.update(rows, Nd4j.create(batch[0]), new INDArray[]{Nd4j.create(batch[1]), Nd4j.create(batch[2])},
                    epochs[step]);
            // the plain rule
            if (epochs[step] > 1) {
                for (int i = 0; i < rows.length; i++) {
                    double dfp = dist(batch[0][i], pos[0]);
                    double deltaM = (dist(batch[0][i], neg[0]) - dfp) / (dfp + 1e-8);
                    for (int s = 0; s < modalities; s++) {
                        double dsp = dist(batch[s + 1][i], pos[s + 1]);
                        double deltaS = (dist(batch[s + 1][i], neg[s + 1]) - dsp) / (dsp + 1e-8);
                        double y = ym[rows[i]];
                        double fresh = 0.5 * deltaS / (deltaM + 1e-8) * y + 0.5 * (y + deltaS - deltaM);
                        fresh = Math.max(-bound, Math.min(bound, fresh));
                        double e = epochs[step];
                        ys[s][rows[i]] = (e - 1) / (e + 1) * ys[s][rows[i]] + 2 / (e + 1) * fresh;
                    }
                }
            }
            for (int k = 0; k <= modalities; k++) {
                for (int i = 0; i < rows.length; i++) {
                    feats[k][rows[i]] = batch[k][i];
                }
                double[] y = k == 0 ? ym : ys[k - 1];
                pos[k] = centre(feats[k], y, v -> v > 0, pos[k] == null ? new double[widths[k]] : pos[k]);
                neg[k] = centre(feats[k], y, v -> v < 0, neg[k] == null ? new double[widths[k]] : neg[k]);
            }
        }
        boolean moved = false;
        for (int s = 0; s < modalities; s++) {
            double[] got = ulgm.labels(s);
            for (int i = 0; i < n; i++) {
                assertEquals(ys[s][i], got[i], 1e-9, "modality " + s + " example " + i);
                moved |= Math.abs(got[i] - ym[i]) > 1e-3;
                assertEquals(ys[s][i], ulgm.labels(s, new int[]{i}).getDouble(0, 0), 1e-9);
            }
        }
        assertTrue(moved, "epochs 2 and 3 move the labels away from y_m");
    }

    @Test
    void cpcTermAndGradientAreInfoNceOverTheBatch() {
        Random r = new Random(5);
        int b = 6;
        int w = 4;
        double eta = 0.3;
        double[][] in = gaussian(r, b, 2 * w);
        CpcLoss loss = new CpcLoss(w, eta);
        INDArray x = Nd4j.create(in);
        INDArray terms = loss.terms(x);
        double total = 0;
        for (int i = 0; i < b; i++) {
            double plain = plainNce(in, i, w, eta);
            assertEquals(plain, terms.getDouble(i, 0), 1e-9, "example " + i);
            total += plain;
        }
        assertEquals(total / b, loss.computeScore(Nd4j.zeros(b, 2 * w), x, new ActivationIdentity(), null, true), 1e-9);

        INDArray g = loss.gradient(x);
        double h = 1e-6;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < 2 * w; j++) {
                double[][] up = copy(in);
                double[][] down = copy(in);
                up[i][j] += h;
                down[i][j] -= h;
                double numeric = (sum(up, w, eta) - sum(down, w, eta)) / (2 * h);
                assertEquals(numeric, g.getDouble(i, j), 1e-6, "∂L/∂in[" + i + "][" + j + "]");
            }
        }
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static double sum(double[][] in, int w, double eta) {
        double s = 0;
        for (int i = 0; i < in.length; i++) {
            s += plainNce(in, i, w, eta);
        }
        return s;
    }

    /** η (log Σ_j exp(u_i · v_j) − u_i · v_i), u = x / ‖x‖ (columns W..2W), v = x̂ / ‖x̂‖ (columns 0..W). */
    private static double plainNce(double[][] in, int i, int w, double eta) {
        double[] u = unit(in[i], w, 2 * w);
        double lse = 0;
        for (double[] row : in) {
            double[] v = unit(row, 0, w);
            double dot = 0;
            for (int k = 0; k < w; k++) {
                dot += u[k] * v[k];
            }
            lse += Math.exp(dot);
        }
        double[] vi = unit(in[i], 0, w);
        double pos = 0;
        for (int k = 0; k < w; k++) {
            pos += u[k] * vi[k];
        }
        return eta * (Math.log(lse) - pos);
    }

    private static double[] unit(double[] row, int from, int to) {
        double n = 0;
        for (int k = from; k < to; k++) {
            n += row[k] * row[k];
        }
        n = Math.sqrt(n) + CpcLoss.EPS;
        double[] u = new double[to - from];
        for (int k = from; k < to; k++) {
            u[k - from] = row[k] / n;
        }
        return u;
    }
}

package org.dl4jpgm.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RidgeProbe} against ridge regression solved in plain Java, on a known linear factor and on noise. */
class RidgeProbeTest {

    private static final int D = 6;

    private static double[][] features(int n, Random r) {
        double[][] x = new double[n][D];
        for (double[] row : x) {
            for (int j = 0; j < D; j++) {
                row[j] = 3.0 * r.nextGaussian() + j;   // unequal means and scales: standardisation matters
            }
        }
        return x;
    }

    /** y = 2 x_0 - x_3 + 0.1 noise. */
    private static double[] linearFactor(double[][] x, Random r) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 2 * x[i][0] - x[i][3] + 0.1 * r.nextGaussian();
        }
        return y;
    }

    @Test
    void recoversALinearFactorAsThePlainSolutionDoes() {
        Random r = new Random(5);
        double[][] xTrain = features(300, r);
        double[][] xTest = features(200, r);
        double[] yTrain = linearFactor(xTrain, r);
        double[] yTest = linearFactor(xTest, r);
        double lambda = 2.0;
        double r2 = RidgeProbe.r2(Nd4j.createFromArray(xTrain), yTrain, Nd4j.createFromArray(xTest), yTest, lambda);
        double plain = plainR2(xTrain, yTrain, xTest, yTest, lambda);
        assertEquals(plain, r2, 1e-9, "R² against the plain computation");
        assertTrue(r2 > 0.99, "a linear factor is recovered: R² " + r2);

        INDArray pred = RidgeProbe.fit(Nd4j.createFromArray(xTrain), Nd4j.createFromArray(yTrain).reshape(-1, 1), lambda)
                .predict(Nd4j.createFromArray(xTest));
        double[] plainPred = plainPredict(xTrain, yTrain, xTest, lambda);
        for (int i = 0; i < xTest.length; i++) {
            assertEquals(plainPred[i], pred.getDouble(i, 0), 1e-9, "prediction " + i);
        }
    }

    @Test
    void scoresAboutZeroOnNoise() {
        Random r = new Random(6);
        double[][] xTrain = features(400, r);
        double[][] xTest = features(400, r);
        double[] yTrain = new double[400];
        double[] yTest = new double[400];
        int[] cTrain = new int[400];
        int[] cTest = new int[400];
        for (int i = 0; i < 400; i++) {
            yTrain[i] = r.nextGaussian();
            yTest[i] = r.nextGaussian();
            cTrain[i] = r.nextInt(2);
            cTest[i] = r.nextInt(2);
        }
        double r2 = RidgeProbe.r2(Nd4j.createFromArray(xTrain), yTrain, Nd4j.createFromArray(xTest), yTest, 1.0);
        assertEquals(plainR2(xTrain, yTrain, xTest, yTest, 1.0), r2, 1e-9);
        assertTrue(Math.abs(r2) < 0.1, "noise is not predictable: R² " + r2);
        double acc = RidgeProbe.accuracy(Nd4j.createFromArray(xTrain), cTrain, Nd4j.createFromArray(xTest), cTest, 2,
                1.0);
        assertTrue(Math.abs(acc - 0.5) < 0.08, "random classes at chance: " + acc);
    }

    @Test
    void accuracyOfAClassFactor() {
        Random r = new Random(7);
        double[][] xTrain = features(300, r);
        double[][] xTest = features(300, r);
        int[] cTrain = new int[300];
        int[] cTest = new int[300];
        for (int i = 0; i < 300; i++) {
            cTrain[i] = xTrain[i][1] - 1 > 0 ? 1 : 0;   // the sign of x_1 around its mean 1
            cTest[i] = xTest[i][1] - 1 > 0 ? 1 : 0;
        }
        double acc = RidgeProbe.accuracy(Nd4j.createFromArray(xTrain), cTrain, Nd4j.createFromArray(xTest), cTest, 2,
                1.0);
        // the plain probe: predict class 1 where the one-hot column 1 scores above column 0
        double[][] y0 = new double[2][300];
        for (int i = 0; i < 300; i++) {
            y0[cTrain[i]][i] = 1;
        }
        double[] s0 = plainPredict(xTrain, y0[0], xTest, 1.0);
        double[] s1 = plainPredict(xTrain, y0[1], xTest, 1.0);
        int correct = 0;
        for (int i = 0; i < 300; i++) {
            correct += (s1[i] > s0[i] ? 1 : 0) == cTest[i] ? 1 : 0;
        }
        assertEquals(correct / 300.0, acc, 1e-12);
        assertTrue(acc > 0.9, "a linear class boundary is found: " + acc);
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> RidgeProbe.fit(Nd4j.zeros(5, 2), Nd4j.zeros(4, 1), 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> RidgeProbe.fit(Nd4j.zeros(5, 2), Nd4j.zeros(5, 1), -1.0));
    }

    // ---- plain Java: standardise with training statistics, centre y, solve (Z^T Z + λ I) w = Z^T y by elimination

    private static double[] plainPredict(double[][] xTrain, double[] yTrain, double[][] xTest, double lambda) {
        int n = xTrain.length;
        double[] mu = new double[D];
        double[] sd = new double[D];
        for (double[] row : xTrain) {
            for (int j = 0; j < D; j++) {
                mu[j] += row[j] / n;
            }
        }
        for (double[] row : xTrain) {
            for (int j = 0; j < D; j++) {
                sd[j] += (row[j] - mu[j]) * (row[j] - mu[j]) / n;
            }
        }
        for (int j = 0; j < D; j++) {
            sd[j] = Math.sqrt(sd[j]);
        }
        double ym = 0;
        for (double v : yTrain) {
            ym += v / n;
        }
        double[][] a = new double[D][D + 1];
        for (int i = 0; i < n; i++) {
            double[] z = new double[D];
            for (int j = 0; j < D; j++) {
                z[j] = (xTrain[i][j] - mu[j]) / sd[j];
            }
            for (int j = 0; j < D; j++) {
                for (int k = 0; k < D; k++) {
                    a[j][k] += z[j] * z[k];
                }
                a[j][D] += z[j] * (yTrain[i] - ym);
            }
        }
        for (int j = 0; j < D; j++) {
            a[j][j] += lambda;
        }
        for (int c = 0; c < D; c++) {
            for (int rr = c + 1; rr < D; rr++) {
                double f = a[rr][c] / a[c][c];
                for (int k = c; k <= D; k++) {
                    a[rr][k] -= f * a[c][k];
                }
            }
        }
        double[] w = new double[D];
        for (int c = D - 1; c >= 0; c--) {
            double s = a[c][D];
            for (int k = c + 1; k < D; k++) {
                s -= a[c][k] * w[k];
            }
            w[c] = s / a[c][c];
        }
        double[] pred = new double[xTest.length];
        for (int i = 0; i < xTest.length; i++) {
            pred[i] = ym;
            for (int j = 0; j < D; j++) {
                pred[i] += (xTest[i][j] - mu[j]) / sd[j] * w[j];
            }
        }
        return pred;
    }

    private static double plainR2(double[][] xTrain, double[] yTrain, double[][] xTest, double[] yTest, double lambda) {
        double[] pred = plainPredict(xTrain, yTrain, xTest, lambda);
        double m = 0;
        for (double v : yTest) {
            m += v / yTest.length;
        }
        double sse = 0;
        double sst = 0;
        for (int i = 0; i < yTest.length; i++) {
            sse += (yTest[i] - pred[i]) * (yTest[i] - pred[i]);
            sst += (yTest[i] - m) * (yTest[i] - m);
        }
        return 1 - sse / sst;
    }
}

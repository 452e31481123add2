package org.dl4jpgm.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * A linear probe fitted in closed form: ridge regression of targets {@code Y [N, K]} on features {@code X [N, D]}.
 *
 * <p>Fit on a training split: the features are standardised per column with the training mean and standard deviation
 * (a constant column becomes 0), the targets centred with their training mean (the intercept, not penalised), and
 * {@code W = (Z^T Z + λ I)^{-1} Z^T (Y - ȳ)}, {@code [D, K]}. Prediction: {@code ((X - μ) / σ) W + ȳ}.
 *
 * <p>Scores on a held-out split: {@link #r2} (coefficient of determination of one continuous target, 1 - SSE / SST
 * with SST around the held-out mean: 0 for a constant prediction of that mean, negative for worse) and
 * {@link #accuracy} (classes regressed as one-hot columns, predicted by the largest column).
 */
public final class RidgeProbe {

    /** The default penalty λ (on standardised features). */
    public static final double DEFAULT_LAMBDA = 1.0;

    private final INDArray mean;
    private final INDArray scale;
    private final INDArray targetMean;
    private final INDArray weights;

    private RidgeProbe(INDArray mean, INDArray scale, INDArray targetMean, INDArray weights) {
        this.mean = mean;
        this.scale = scale;
        this.targetMean = targetMean;
        this.weights = weights;
    }

    /**
     * Fits the probe.
     *
     * @param x      features {@code [N, D]}
     * @param y      targets {@code [N, K]}
     * @param lambda penalty λ &ge; 0 (λ = 0 needs N &gt; D and full-rank features)
     */
    public static RidgeProbe fit(INDArray x, INDArray y, double lambda) {
        if (x.rank() != 2 || y.rank() != 2 || x.size(0) != y.size(0) || x.size(0) < 2) {
            throw new IllegalArgumentException("RidgeProbe: expected features [N, D] and targets [N, K] with the same "
                    + "N >= 2, found " + java.util.Arrays.toString(x.shape()) + " and "
                    + java.util.Arrays.toString(y.shape()));
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("RidgeProbe: expected λ finite and >= 0, found " + lambda);
        }
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray yd = y.castTo(DataType.DOUBLE);
        INDArray mean = xd.mean(0);
        INDArray std = xd.std(false, 0);
        // a constant column: scale 1 gives it the value 0 after centring
        INDArray scale = std.add(std.lte(1e-12).castTo(DataType.DOUBLE));
        INDArray z = xd.subRowVector(mean).divRowVector(scale);
        INDArray targetMean = yd.mean(0);
        INDArray yc = yd.subRowVector(targetMean);
        INDArray gram = z.transpose().mmul(z).addi(Nd4j.eye(z.columns()).castTo(DataType.DOUBLE).muli(lambda));
        INDArray w = InvertMatrix.invert(gram, false).mmul(z.transpose().mmul(yc));
        return new RidgeProbe(mean, scale, targetMean, w);
    }

    /** Predictions {@code [N, K]} for features {@code [N, D]}. */
    public INDArray predict(INDArray x) {
        return x.castTo(DataType.DOUBLE).subRowVector(mean).divRowVector(scale).mmul(weights).addRowVector(targetMean);
    }

    /** The weights on the standardised features, {@code [D, K]}. */
    public INDArray weights() {
        return weights.dup();
    }

    /**
     * R² on a held-out split of a probe for one continuous target, fitted on the training split.
     *
     * @param xTrain {@code [N, D]}
     * @param yTrain N values
     * @param xTest  {@code [N', D]}
     * @param yTest  N' values (not all equal)
     */
    public static double r2(INDArray xTrain, double[] yTrain, INDArray xTest, double[] yTest, double lambda) {
        RidgeProbe p = fit(xTrain, Nd4j.createFromArray(yTrain).reshape(-1, 1), lambda);
        double[] pred = p.predict(xTest).reshape(-1).toDoubleVector();
        double m = 0;
        for (double v : yTest) {
            m += v;
        }
        m /= yTest.length;
        double sse = 0;
        double sst = 0;
        for (int i = 0; i < yTest.length; i++) {
            sse += (yTest[i] - pred[i]) * (yTest[i] - pred[i]);
            sst += (yTest[i] - m) * (yTest[i] - m);
        }
        if (sst == 0) {
            throw new IllegalArgumentException("RidgeProbe: R² is undefined for a constant held-out target");
        }
        return 1 - sse / sst;
    }

    /**
     * Held-out accuracy of a probe for one class target (one-hot columns, prediction = the largest), fitted on the
     * training split.
     *
     * @param yTrain  classes 0..classes-1 of the training examples
     * @param yTest   classes of the held-out examples
     * @param classes K
     */
    public static double accuracy(INDArray xTrain, int[] yTrain, INDArray xTest, int[] yTest, int classes,
                                  double lambda) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, yTrain.length, classes);
        for (int i = 0; i < yTrain.length; i++) {
            y.putScalar(i, yTrain[i], 1.0);
        }
        INDArray scores = fit(xTrain, y, lambda).predict(xTest);
        int correct = 0;
        for (int i = 0; i < yTest.length; i++) {
            if (scores.getRow(i).argMax().getInt(0) == yTest[i]) {
                correct++;
            }
        }
        return correct / (double) yTest.length;
    }
}

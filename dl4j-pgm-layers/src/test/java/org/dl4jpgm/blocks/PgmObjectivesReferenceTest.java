package org.dl4jpgm.blocks;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * UFC (Eq. 8), PFC (Eq. 9) and UPR (Eq. 10), summed over iterations (Eq. 11), as the composite block computes them,
 * against a plain-Java computation from the block's own intermediate features (ũ, p̃, Î, I) and classifier weights,
 * on fixed random weights, with a padded step.
 */
class PgmObjectivesReferenceTest {

    private static final int B = 3;
    private static final int S = 3;
    private static final long D = 4;
    private static final long[] WIDTHS = {4, 3};
    private static final int N = 2;

    @Test
    void objectivesMatchIndependentComputation() {
        PgmOptions opts = PgmOptions.builder().width(D).iterations(N).learnerMode(LearnerMode.SEQUENCE).learnerHeads(2)
                .learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).build();
        PgmBlock block = new PgmBlock(opts, WIDTHS);
        Map<String, INDArray> arrays = PgmBlockParams.randomized(block, 7);

        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        arrays.forEach((k, v) -> vars.put(k, sd.var(k, v)));
        List<SDVariable> in = new ArrayList<>();
        List<SDVariable> masks = new ArrayList<>();
        Map<String, INDArray> feed = new HashMap<>();
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, S);
        mask.putScalar(1, S - 1, 0.0);
        for (int m = 0; m < WIDTHS.length; m++) {
            in.add(sd.placeHolder("x" + m, DataType.DOUBLE, -1, S, WIDTHS[m]));
            masks.add(sd.placeHolder("mask" + m, DataType.DOUBLE, -1, S));
            feed.put("x" + m, Nd4j.randn(DataType.DOUBLE, B, S, WIDTHS[m]));
            feed.put("mask" + m, mask);
        }
        PgmBlock.Outputs o = block.define(vars, in, masks, new long[]{S, S});
        List<String> names = new ArrayList<>(List.of(o.ufc.name(), o.pfc.name(), o.upr.name()));
        for (int m = 0; m < WIDTHS.length; m++) {
            names.add(o.projected.get(m).name());
            for (int i = 0; i < N; i++) {
                names.add(o.uniIterates.get(m).get(i).name());
                names.add(o.pairedIterates.get(m).get(i).name());
                names.add(o.reconstructions.get(m).get(i).name());
            }
        }
        Map<String, INDArray> out = sd.output(feed, names.toArray(new String[0]));

        int mCount = WIDTHS.length;
        for (int b = 0; b < B; b++) {
            double ufc = 0;
            double pfc = 0;
            double upr = 0;
            for (int i = 0; i < N; i++) {
                for (int m = 0; m < mCount; m++) {
                    double[] u = pooled(out.get(o.uniIterates.get(m).get(i).name()), mask, b);
                    double[] p = pooled(out.get(o.pairedIterates.get(m).get(i).name()), mask, b);
                    ufc += crossEntropy(affine(u, arrays.get(PgmBlock.UFC_W), arrays.get(PgmBlock.UFC_B)), m) / mCount;
                    pfc += (crossEntropy(affine(u, arrays.get(PgmBlock.PFC_W), arrays.get(PgmBlock.PFC_B)), 0)
                            + crossEntropy(affine(p, arrays.get(PgmBlock.PFC_W), arrays.get(PgmBlock.PFC_B)), 1))
                            / (2.0 * mCount);
                    INDArray target = out.get(o.projected.get(m).name());
                    INDArray rec = out.get(o.reconstructions.get(m).get(i).name());
                    double sum = 0;
                    double steps = 0;
                    for (int s = 0; s < S; s++) {
                        if (mask.getDouble(b, s) == 0) {
                            continue;
                        }
                        double sq = 0;
                        for (int d = 0; d < D; d++) {
                            double diff = target.getDouble(b, s, d) - rec.getDouble(b, s, d);
                            sq += diff * diff;
                        }
                        sum += sq / D;
                        steps++;
                    }
                    upr += sum / steps;
                }
            }
            assertEquals(ufc, out.get(o.ufc.name()).getDouble(b), 1e-10, "UFC of example " + b);
            assertEquals(pfc, out.get(o.pfc.name()).getDouble(b), 1e-10, "PFC of example " + b);
            assertEquals(upr, out.get(o.upr.name()).getDouble(b), 1e-10, "UPR of example " + b);
        }
    }

    /** Mean over the valid steps of example b: {@code [B, S, D]} -> {@code double[D]}. */
    private static double[] pooled(INDArray x, INDArray mask, int b) {
        double[] r = new double[(int) x.size(2)];
        double n = 0;
        for (int s = 0; s < x.size(1); s++) {
            if (mask.getDouble(b, s) == 0) {
                continue;
            }
            n++;
            for (int d = 0; d < r.length; d++) {
                r[d] += x.getDouble(b, s, d);
            }
        }
        for (int d = 0; d < r.length; d++) {
            r[d] /= n;
        }
        return r;
    }

    private static double[] affine(double[] x, INDArray w, INDArray bias) {
        double[] z = new double[(int) w.size(1)];
        for (int k = 0; k < z.length; k++) {
            z[k] = bias.getDouble(0, k);
            for (int d = 0; d < x.length; d++) {
                z[k] += x[d] * w.getDouble(d, k);
            }
        }
        return z;
    }

    /** {@code -log softmax(z)[k]}. */
    private static double crossEntropy(double[] z, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        return -(z[k] - max - Math.log(sum));
    }
}

package org.dl4jpgm.blocks;

import org.dl4jpgm.impl.QuietGradFunction;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UFC (Eq. 8, {@link UfcObjective}), PFC (Eq. 9, {@link PfcObjective}) and UPR (Eq. 10, {@link UprObjective}), summed
 * over iterations (Eq. 11, {@link PgmObjective}), as the composite block computes them,
 * against a plain-Java computation from the block's own intermediate features (ũ, p̃, Î, I) and classifier weights,
 * on fixed random weights, with a padded step; and with modalities missing for some examples (all-zero step-mask
 * rows): left out of the objectives, zero features, no influence of their data on anything.
 */
class PgmObjectivesReferenceTest {

    private static final int B = 3;
    private static final int S = 3;
    private static final long D = 4;
    private static final long[] WIDTHS = {4, 3};
    private static final int N = 2;

    @Test
    void objectivesMatchIndependentComputation() {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, S);
        mask.putScalar(1, S - 1, 0.0);
        checkAgainstReference(new INDArray[]{mask, mask}, inputs(5));
    }

    /** UPR summed over the valid steps ({@link UprSteps#SUM}) instead of averaged. */
    @Test
    void uprSummedOverStepsMatchesIndependentComputation() {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, S);
        mask.putScalar(1, S - 1, 0.0);
        Run mean = checkAgainstReference(new INDArray[]{mask, mask}, inputs(5), UprSteps.MEAN);
        Run sum = checkAgainstReference(new INDArray[]{mask, mask}, inputs(5), UprSteps.SUM);
        checkAgainstReference(missingMasks(), inputs(5), UprSteps.SUM);
        // example 0 has S valid steps in every modality: the sum is S times the mean
        assertEquals(S * mean.values.get("upr").getDouble(0), sum.values.get("upr").getDouble(0), 1e-10);
    }

    /**
     * Modality 0 is missing for example 0 and modality 1 for example 2 (all-zero step-mask rows), example 1 has a
     * padded step: the objectives average over the present modalities (UPR: M times their mean), as the reference
     * computes them, and the missing modality's features are exactly 0.
     */
    @Test
    void missingModalitiesAreLeftOutOfTheObjectives() {
        Run run = checkAgainstReference(missingMasks(), inputs(5));
        for (int[] mb : new int[][]{{0, 0}, {1, 2}}) {
            INDArray u = run.values.get("uni" + mb[0]).get(org.nd4j.linalg.indexing.NDArrayIndex.point(mb[1]));
            INDArray p = run.values.get("paired" + mb[0]).get(org.nd4j.linalg.indexing.NDArrayIndex.point(mb[1]));
            assertEquals(0.0, u.amaxNumber().doubleValue(), 0.0, "u of missing modality " + mb[0] + ", example " + mb[1]);
            assertEquals(0.0, p.amaxNumber().doubleValue(), 0.0, "p of missing modality " + mb[0] + ", example " + mb[1]);
        }
        for (INDArray g : run.gradients.values()) {
            assertTrue(!g.isInfinite().any() && !g.isNaN().any(), "finite gradients");
        }
    }

    /**
     * Replacing the data of the missing modality-example pairs by anything else (large random values) changes no
     * output of the other pairs, no objective and no parameter gradient.
     */
    @Test
    void missingDataHasNoInfluence() {
        Map<String, INDArray> feed = inputs(5);
        Run base = checkAgainstReference(missingMasks(), feed);
        Map<String, INDArray> changed = new HashMap<>(feed);
        Nd4j.getRandom().setSeed(99);
        for (int[] mb : new int[][]{{0, 0}, {1, 2}}) {
            INDArray x = feed.get("x" + mb[0]).dup();
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(mb[1])).assign(
                    Nd4j.randn(DataType.DOUBLE, S, WIDTHS[mb[0]]).mul(1000));
            changed.put("x" + mb[0], x);
        }
        Run other = checkAgainstReference(missingMasks(), changed);
        for (String k : base.values.keySet()) {
            if (k.startsWith("projected")) {
                continue;   // I_m itself is the changed data
            }
            assertEquals(0.0, base.values.get(k).sub(other.values.get(k)).amaxNumber().doubleValue(), 1e-12, k);
        }
        for (String k : base.gradients.keySet()) {
            assertEquals(0.0, base.gradients.get(k).sub(other.gradients.get(k)).amaxNumber().doubleValue(), 1e-12,
                    "gradient of " + k);
        }
    }

    private static INDArray[] missingMasks() {
        INDArray mask0 = Nd4j.ones(DataType.DOUBLE, B, S);
        mask0.getRow(0).assign(0.0);
        mask0.putScalar(1, S - 1, 0.0);
        INDArray mask1 = Nd4j.ones(DataType.DOUBLE, B, S);
        mask1.getRow(2).assign(0.0);
        mask1.putScalar(1, S - 1, 0.0);
        return new INDArray[]{mask0, mask1};
    }

    private static Map<String, INDArray> inputs(long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> feed = new HashMap<>();
        for (int m = 0; m < WIDTHS.length; m++) {
            feed.put("x" + m, Nd4j.randn(DataType.DOUBLE, B, S, WIDTHS[m]));
        }
        return feed;
    }

    /** Outputs by role (objectives, u_m, p_m, I_m) and the gradients of every parameter. */
    private record Run(Map<String, INDArray> values, Map<String, INDArray> gradients) {
    }

    /**
     * Runs the block with the given step masks, checks UFC, PFC and UPR of every example against the reference
     * (means over the present modalities; a modality is present for b when its mask row has a valid step).
     */
    private static Run checkAgainstReference(INDArray[] modalityMasks, Map<String, INDArray> inputs) {
        return checkAgainstReference(modalityMasks, inputs, UprSteps.MEAN);
    }

    private static Run checkAgainstReference(INDArray[] modalityMasks, Map<String, INDArray> inputs, UprSteps uprSteps) {
        PgmOptions opts = PgmOptions.builder().width(D).iterations(N).learnerMode(LearnerMode.SEQUENCE).learnerHeads(2)
                .learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).uprSteps(uprSteps).build();
        PgmBlock block = new PgmBlock(opts, WIDTHS);
        Map<String, INDArray> arrays = PgmBlockParams.randomized(block, 7);

        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        arrays.forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
        List<SDVariable> in = new ArrayList<>();
        List<SDVariable> masks = new ArrayList<>();
        Map<String, INDArray> feed = new HashMap<>(inputs);
        for (int m = 0; m < WIDTHS.length; m++) {
            in.add(sd.placeHolder("x" + m, DataType.DOUBLE, -1, S, WIDTHS[m]));
            masks.add(sd.placeHolder("mask" + m, DataType.DOUBLE, -1, S));
            feed.put("mask" + m, modalityMasks[m]);
        }
        PgmBlock.Outputs o = block.define(vars, in, masks, new long[]{S, S});
        List<String> names = new ArrayList<>(List.of(o.ufc.name(), o.pfc.name(), o.upr.name()));
        for (int m = 0; m < WIDTHS.length; m++) {
            names.add(o.projected.get(m).name());
            names.add(o.uni.get(m).name());
            names.add(o.paired.get(m).name());
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
            int present = 0;
            for (int m = 0; m < mCount; m++) {
                present += modalityMasks[m].getRow(b).sumNumber().doubleValue() > 0 ? 1 : 0;
            }
            for (int i = 0; i < N; i++) {
                for (int m = 0; m < mCount; m++) {
                    INDArray mask = modalityMasks[m];
                    if (mask.getRow(b).sumNumber().doubleValue() == 0) {
                        continue;   // missing for this example
                    }
                    double[] u = pooled(out.get(o.uniIterates.get(m).get(i).name()), mask, b);
                    double[] p = pooled(out.get(o.pairedIterates.get(m).get(i).name()), mask, b);
                    ufc += crossEntropy(affine(u, arrays.get(PgmBlock.UFC_W), arrays.get(PgmBlock.UFC_B)), m) / present;
                    pfc += (crossEntropy(affine(u, arrays.get(PgmBlock.PFC_W), arrays.get(PgmBlock.PFC_B)), 0)
                            + crossEntropy(affine(p, arrays.get(PgmBlock.PFC_W), arrays.get(PgmBlock.PFC_B)), 1))
                            / (2.0 * present);
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
                    upr += (uprSteps == UprSteps.SUM ? sum : sum / steps) * mCount / present;
                }
            }
            assertEquals(ufc, out.get(o.ufc.name()).getDouble(b), 1e-10, "UFC of example " + b);
            assertEquals(pfc, out.get(o.pfc.name()).getDouble(b), 1e-10, "PFC of example " + b);
            assertEquals(upr, out.get(o.upr.name()).getDouble(b), 1e-10, "UPR of example " + b);
        }

        Map<String, INDArray> values = new HashMap<>();
        values.put("ufc", out.get(o.ufc.name()));
        values.put("pfc", out.get(o.pfc.name()));
        values.put("upr", out.get(o.upr.name()));
        for (int m = 0; m < mCount; m++) {
            values.put("projected" + m, out.get(o.projected.get(m).name()));
            values.put("uni" + m, out.get(o.uni.get(m).name()));
            values.put("paired" + m, out.get(o.paired.get(m).name()));
        }
        SDVariable loss = o.ufc.sum().add(o.pfc.sum().mul(1.3)).add(o.upr.sum().mul(0.7));
        for (int m = 0; m < mCount; m++) {
            loss = loss.add(o.uni.get(m).mul(o.uni.get(m)).sum().mul(0.11 * (m + 1)))
                    .add(o.paired.get(m).sum().mul(0.05 * (m + 2)));
        }
        loss.markAsLoss();
        QuietGradFunction.ensure(sd, feed.keySet().toArray(new String[0]));
        return new Run(values, sd.calculateGradients(feed, arrays.keySet()));
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

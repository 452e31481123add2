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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paired-share penalty ({@link PgmOptions#getPairedShareWeight()}, {@link PgmObjective}): it changes no value the
 * block computes, and the gradient it adds is λ_s times the gradient of
 * {@code s(b) = (1 / M_b) Σ_m present Σ_i mean_{valid steps, channels} g_p(i)}, checked by central finite differences
 * of s computed in plain Java from the block's own soft gates, in double precision, with a padded step and with
 * modalities missing for some examples. With N = 1 and the default straight-through gates the share depends on the
 * projections and the partitioner only; with N = 2 the second iteration's gates depend on the learners too, through
 * the hard gates of the first, whose straight-through surrogate finite differences cannot see, so that case runs
 * with {@link GateGradient#NONE} (the exact derivative of the hard gates, 0).
 */
class PairedSharePenaltyTest {

    private static final int B = 3;
    private static final int S = 3;
    private static final long D = 4;
    private static final long[] WIDTHS = {4, 3};
    private static final double LAMBDA = 0.7;

    @Test
    void valuesAreUnchangedAndTheGradientIsLambdaTimesTheShareGradientWithPadding() {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, S);
        mask.putScalar(1, S - 1, 0.0);
        check(new INDArray[]{mask, mask.dup()}, 1, GateGradient.STRAIGHT_THROUGH);
        check(new INDArray[]{mask, mask.dup()}, 2, GateGradient.NONE);
    }

    @Test
    void missingModalitiesAreLeftOutOfTheShare() {
        INDArray mask0 = Nd4j.ones(DataType.DOUBLE, B, S);
        mask0.getRow(0).assign(0.0);
        mask0.putScalar(1, S - 1, 0.0);
        INDArray mask1 = Nd4j.ones(DataType.DOUBLE, B, S);
        mask1.getRow(2).assign(0.0);
        check(new INDArray[]{mask0, mask1}, 1, GateGradient.STRAIGHT_THROUGH);
        check(new INDArray[]{mask0, mask1}, 2, GateGradient.NONE);
    }

    @Test
    void aNegativeOrInfiniteWeightIsRefusedAndZeroIsThePapersObjective() {
        for (double bad : new double[]{-0.1, Double.POSITIVE_INFINITY, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PgmOptions.builder().pairedShareWeight(bad).build());
            assertTrue(e.getMessage().contains("pairedShareWeight must be finite and >= 0, found " + bad),
                    e.getMessage());
        }
        assertEquals(0.0, PgmOptions.builder().build().getPairedShareWeight());
        assertTrue(!new PgmObjective(PgmOptions.builder().pairedShareWeight(1).usePartitioner(false).build(), D, 2)
                .penalisesPairedShare(), "without the partitioner there is no paired gate to penalise");
    }

    private static void check(INDArray[] masks, int iterations, GateGradient gates) {
        Map<String, INDArray> feed = inputs(masks);
        Graph off = new Graph(0.0, iterations, gates, feed);
        Graph on = new Graph(LAMBDA, iterations, gates, feed);
        Map<String, INDArray> valuesOff = off.values();
        Map<String, INDArray> valuesOn = on.values();
        for (String k : valuesOff.keySet()) {
            assertEquals(0.0, valuesOff.get(k).sub(valuesOn.get(k)).amaxNumber().doubleValue(), 0.0,
                    "value of " + k + " with and without the penalty");
        }
        Map<String, INDArray> gOff = off.gradients();
        Map<String, INDArray> gOn = on.gradients();
        int checked = 0;
        for (String k : gOff.keySet()) {
            INDArray diff = gOn.get(k).sub(gOff.get(k)).div(LAMBDA);
            INDArray param = on.param(k);
            long n = param.length();
            for (long j = 0; j < n; j += Math.max(1, n / 4)) {
                double eps = 1e-6;
                double x = param.getDouble(j);
                param.putScalar(j, x + eps);
                double plus = on.totalShare();
                param.putScalar(j, x - eps);
                double minus = on.totalShare();
                param.putScalar(j, x);
                double fd = (plus - minus) / (2 * eps);
                assertEquals(fd, diff.getDouble(j), 1e-7 + 1e-5 * Math.abs(fd),
                        "d s / d " + k + "[" + j + "], N = " + iterations + ", " + gates);
                checked++;
            }
        }
        assertTrue(checked > 40, "entries checked: " + checked);
        String where = "N = " + iterations + ", " + gates;
        int paired = 0;
        for (String k : gOff.keySet()) {
            double change = gOn.get(k).sub(gOff.get(k)).norm2Number().doubleValue();
            if (k.endsWith(ModalPartitionerBlock.W_PAIRED) || k.endsWith(ModalPartitionerBlock.B_PAIRED)) {
                assertTrue(change > 1e-8, "the penalty reaches the paired gate's " + k + ", " + where);
                paired++;
            } else if (iterations == 1 && (k.endsWith(ModalPartitionerBlock.W_UNI)
                    || k.endsWith(ModalPartitionerBlock.B_UNI))) {
                assertEquals(0.0, change, 0.0, "the uni gate's " + k + " does not shape g_p, " + where);
            }
        }
        assertEquals(2 * WIDTHS.length, paired, "paired-gate parameters, one W_p and b_p per modality");
    }

    private static Map<String, INDArray> inputs(INDArray[] masks) {
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> feed = new HashMap<>();
        for (int m = 0; m < WIDTHS.length; m++) {
            feed.put("x" + m, Nd4j.randn(DataType.DOUBLE, B, S, WIDTHS[m]));
            feed.put("mask" + m, masks[m]);
        }
        return feed;
    }

    /** The block in a SameDiff graph whose loss is PFC's channel summed over the batch, and its soft gates. */
    private static final class Graph {
        private final SameDiff sd = SameDiff.create();
        private final Map<String, INDArray> feed;
        private final Map<String, INDArray> arrays;
        private final PgmBlock.Outputs o;
        private final int iterations;

        Graph(double lambda, int iterations, GateGradient gates, Map<String, INDArray> feed) {
            this.feed = feed;
            this.iterations = iterations;
            PgmOptions opts = PgmOptions.builder().width(D).iterations(iterations).learnerMode(LearnerMode.SEQUENCE)
                    .learnerHeads(2).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).gateGradient(gates)
                    .pairedShareWeight(lambda).build();
            PgmBlock block = new PgmBlock(opts, WIDTHS);
            this.arrays = PgmBlockParams.randomized(block, 7);
            Map<String, SDVariable> vars = new HashMap<>();
            arrays.forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
            List<SDVariable> in = new ArrayList<>();
            List<SDVariable> masks = new ArrayList<>();
            for (int m = 0; m < WIDTHS.length; m++) {
                in.add(sd.placeHolder("x" + m, DataType.DOUBLE, -1, S, WIDTHS[m]));
                masks.add(sd.placeHolder("mask" + m, DataType.DOUBLE, -1, S));
            }
            this.o = block.define(vars, in, masks, new long[]{S, S});
            o.pfc.sum().markAsLoss();
            QuietGradFunction.ensure(sd, feed.keySet().toArray(new String[0]));
        }

        INDArray param(String key) {
            return sd.getVariable(key).getArr();
        }

        /** The objectives and every modality's u_m, p_m, keyed by role (variable names differ between graphs). */
        Map<String, INDArray> values() {
            Map<String, SDVariable> roles = new HashMap<>(Map.of("ufc", o.ufc, "pfc", o.pfc, "upr", o.upr));
            for (int m = 0; m < WIDTHS.length; m++) {
                roles.put("uni" + m, o.uni.get(m));
                roles.put("paired" + m, o.paired.get(m));
            }
            Map<String, INDArray> out = sd.output(feed, roles.values().stream().map(SDVariable::name)
                    .toArray(String[]::new));
            Map<String, INDArray> byRole = new HashMap<>();
            roles.forEach((role, v) -> byRole.put(role, out.get(v.name()).dup()));
            return byRole;
        }

        Map<String, INDArray> gradients() {
            Map<String, INDArray> out = new HashMap<>();
            sd.calculateGradients(feed, arrays.keySet()).forEach((k, v) -> out.put(k, v.dup()));
            return out;
        }

        /** Σ_b s(b), from the soft paired gates of every modality and iteration, in plain Java. */
        double totalShare() {
            List<String> names = new ArrayList<>();
            for (int m = 0; m < WIDTHS.length; m++) {
                for (int i = 0; i < iterations; i++) {
                    names.add(o.pairedGates.get(m).get(i).name());
                }
            }
            Map<String, INDArray> out = sd.output(feed, names.toArray(new String[0]));
            double total = 0;
            for (int b = 0; b < B; b++) {
                double sum = 0;
                int present = 0;
                for (int m = 0; m < WIDTHS.length; m++) {
                    INDArray mask = feed.get("mask" + m);
                    double valid = mask.getRow(b).sumNumber().doubleValue();
                    if (valid == 0) {
                        continue;
                    }
                    present++;
                    for (int i = 0; i < iterations; i++) {
                        INDArray g = out.get(o.pairedGates.get(m).get(i).name());
                        double acc = 0;
                        for (int s = 0; s < S; s++) {
                            for (int d = 0; d < D; d++) {
                                acc += mask.getDouble(b, s) * g.getDouble(b, s, d);
                            }
                        }
                        sum += acc / (valid * D);
                    }
                }
                total += present == 0 ? 0 : sum / present;
            }
            return total;
        }
    }
}

package org.dl4jpgm.blocks;

import org.dl4jpgm.impl.QuietGradFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three penalties that act on L_P's gradient only ({@link PgmObjective}): paired share
 * ({@link PgmOptions#getPairedShareWeight()}), gate exclusivity ({@link PgmOptions#getGateExclusivityWeight()}) and
 * stream decorrelation ({@link PgmOptions#getStreamDecorrelationWeight()}). Each changes no value the block computes,
 * and the gradient it adds is λ times the gradient of its quantity, checked by central finite differences of that
 * quantity computed in plain Java from the block's own gates and learned features, in double precision, with a padded
 * step and with modalities missing for some examples.
 *
 * <p>Finite differences cannot see the straight-through surrogate of the hard gates (Eq. 4). The gate penalties at
 * N = 1 depend on the projections and the partitioner only, so they run with the default straight-through gates there;
 * with N = 2 the second iteration's gates depend on the learners through the first iteration's hard gates, and the
 * learned features of the decorrelation depend on the hard gates at every N, so those cases run with
 * {@link GateGradient#NONE} (the exact derivative of the hard gates, 0).
 */
class GatePenaltiesTest {

    private static final int B = 5;
    private static final int S = 3;
    private static final long D = 4;
    private static final long[] WIDTHS = {4, 3};
    private static final double LAMBDA = 0.7;

    /** A penalty: its option's key and how to set it. */
    enum Penalty {
        PAIRED_SHARE("pairedShareWeight", (b, w) -> b.pairedShareWeight(w)),
        GATE_EXCLUSIVITY("gateExclusivityWeight", (b, w) -> b.gateExclusivityWeight(w)),
        STREAM_DECORRELATION("streamDecorrelationWeight", (b, w) -> b.streamDecorrelationWeight(w));

        private final String key;
        private final BiFunction<PgmOptions.Builder, Double, PgmOptions.Builder> weight;

        Penalty(String key, BiFunction<PgmOptions.Builder, Double, PgmOptions.Builder> weight) {
            this.key = key;
            this.weight = weight;
        }

        boolean needsExactHardGates(int iterations) {
            return this == STREAM_DECORRELATION || iterations > 1;
        }
    }

    @ParameterizedTest
    @EnumSource(Penalty.class)
    void valuesAreUnchangedAndTheGradientIsLambdaTimesThePenaltysGradientWithPadding(Penalty penalty) {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, B, S);
        mask.putScalar(1, S - 1, 0.0);
        mask.putScalar(3, 0, 0.0);
        for (int n = 1; n <= 2; n++) {
            check(penalty, new INDArray[]{mask, mask.dup()}, n);
        }
    }

    @ParameterizedTest
    @EnumSource(Penalty.class)
    void missingModalitiesAreLeftOut(Penalty penalty) {
        INDArray mask0 = Nd4j.ones(DataType.DOUBLE, B, S);
        mask0.getRow(0).assign(0.0);
        mask0.putScalar(1, S - 1, 0.0);
        INDArray mask1 = Nd4j.ones(DataType.DOUBLE, B, S);
        mask1.getRow(2).assign(0.0);
        for (int n = 1; n <= 2; n++) {
            check(penalty, new INDArray[]{mask0, mask1}, n);
        }
    }

    @ParameterizedTest
    @EnumSource(Penalty.class)
    void aNegativeOrInfiniteWeightIsRefusedAndZeroIsThePapersObjective(Penalty penalty) {
        for (double bad : new double[]{-0.1, Double.POSITIVE_INFINITY, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> penalty.weight.apply(PgmOptions.builder(), bad).build());
            assertTrue(e.getMessage().contains(penalty.key + " must be finite and >= 0, found " + bad), e.getMessage());
        }
        PgmOptions defaults = PgmOptions.builder().build();
        assertEquals(0.0, defaults.getPairedShareWeight() + defaults.getGateExclusivityWeight()
                + defaults.getStreamDecorrelationWeight(), 0.0, "all off by default: the paper's L_P");
        PgmObjective noPartitioner = new PgmObjective(penalty.weight.apply(PgmOptions.builder(), 1.0)
                .usePartitioner(false).build(), D, 2);
        assertFalse(noPartitioner.penalisesPairedShare() || noPartitioner.penalisesGateExclusivity(),
                "without the partitioner there are no gates to penalise");
        PgmObjective noClassifiers = new PgmObjective(penalty.weight.apply(PgmOptions.builder(), 1.0)
                .usePartitioner(false).useUfc(false).usePfc(false).build(), D, 2);
        assertEquals(penalty == Penalty.STREAM_DECORRELATION, noClassifiers.start().classifies(),
                "the decorrelation needs the pooled features of every iteration, with or without the partitioner");
    }

    private static void check(Penalty penalty, INDArray[] masks, int iterations) {
        GateGradient gates = penalty.needsExactHardGates(iterations) ? GateGradient.NONE
                : GateGradient.STRAIGHT_THROUGH;
        String where = penalty + ", N = " + iterations + ", " + gates;
        Map<String, INDArray> feed = inputs(masks);
        Graph off = new Graph(penalty, 0.0, iterations, gates, feed);
        Graph on = new Graph(penalty, LAMBDA, iterations, gates, feed);
        Map<String, INDArray> valuesOff = off.values();
        Map<String, INDArray> valuesOn = on.values();
        for (String k : valuesOff.keySet()) {
            assertEquals(0.0, valuesOff.get(k).sub(valuesOn.get(k)).amaxNumber().doubleValue(), 0.0,
                    "value of " + k + " with and without the penalty, " + where);
        }
        Map<String, INDArray> gOff = off.gradients();
        Map<String, INDArray> gOn = on.gradients();
        int checked = 0;
        for (String k : gOff.keySet()) {
            INDArray diff = gOn.get(k).sub(gOff.get(k)).div(LAMBDA);
            INDArray param = on.param(k);
            long n = param.length();
            // the decorrelation's quantity runs the learners at every evaluation: fewer entries per array
            long samples = penalty == Penalty.STREAM_DECORRELATION ? 2 : 4;
            for (long j = 0; j < n; j += Math.max(1, n / samples)) {
                double eps = 1e-6;
                double x = param.getDouble(j);
                param.putScalar(j, x + eps);
                double plus = on.total();
                param.putScalar(j, x - eps);
                double minus = on.total();
                param.putScalar(j, x);
                double fd = (plus - minus) / (2 * eps);
                assertEquals(fd, diff.getDouble(j), 1e-7 + 1e-5 * Math.abs(fd), "d / d " + k + "[" + j + "], " + where);
                checked++;
            }
        }
        assertTrue(checked > 30, "entries checked: " + checked);
        assertReaches(penalty, iterations, gOff, gOn, where);
    }

    /** Which parameters the penalty must reach, and (paired share, N = 1) which it cannot. */
    private static void assertReaches(Penalty penalty, int iterations, Map<String, INDArray> gOff,
                                      Map<String, INDArray> gOn, String where) {
        int paired = 0;
        int uni = 0;
        int learners = 0;
        for (String k : gOff.keySet()) {
            double change = gOn.get(k).sub(gOff.get(k)).norm2Number().doubleValue();
            boolean isPaired = k.endsWith(ModalPartitionerBlock.W_PAIRED) || k.endsWith(ModalPartitionerBlock.B_PAIRED);
            boolean isUni = k.endsWith(ModalPartitionerBlock.W_UNI) || k.endsWith(ModalPartitionerBlock.B_UNI);
            if (change > 1e-8) {
                paired += isPaired ? 1 : 0;
                uni += isUni ? 1 : 0;
                learners += k.startsWith(PgmBlock.UNI_PREFIX) || k.startsWith(PgmBlock.PAIRED_PREFIX) ? 1 : 0;
            }
            if (penalty == Penalty.PAIRED_SHARE && iterations == 1 && isUni) {
                assertEquals(0.0, change, 0.0, "the uni gate's " + k + " does not shape g_p, " + where);
            }
        }
        int perGate = 2 * WIDTHS.length;
        switch (penalty) {
            case PAIRED_SHARE -> assertEquals(perGate, paired, "paired-gate parameters reached, " + where);
            case GATE_EXCLUSIVITY -> assertEquals(2 * perGate, paired + uni, "gate parameters reached, " + where);
            case STREAM_DECORRELATION -> assertTrue(learners > 0 && paired + uni > 0,
                    "the decorrelation reaches the learners (" + learners + ") and the partitioner (" + (paired + uni)
                            + "), " + where);
        }
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

    /** The block in a SameDiff graph whose loss is PFC's channel summed over the batch, and the penalty in Java. */
    private static final class Graph {
        private final SameDiff sd = SameDiff.create();
        private final Map<String, INDArray> feed;
        private final Map<String, INDArray> arrays;
        private final PgmBlock.Outputs o;
        private final Penalty penalty;
        private final int iterations;

        Graph(Penalty penalty, double lambda, int iterations, GateGradient gates, Map<String, INDArray> feed) {
            this.feed = feed;
            this.penalty = penalty;
            this.iterations = iterations;
            PgmOptions opts = penalty.weight.apply(PgmOptions.builder().width(D).iterations(iterations)
                    .learnerMode(LearnerMode.SEQUENCE).learnerHeads(2).learnerFfnSize(6).decoderHeads(2)
                    .decoderFfnSize(6).gateGradient(gates), lambda).build();
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

        /** The penalty's quantity summed over the batch (what the loss, PFC summed over the batch, carries). */
        double total() {
            List<String> names = new ArrayList<>();
            for (int m = 0; m < WIDTHS.length; m++) {
                for (int i = 0; i < iterations; i++) {
                    // only what the quantity needs: the learners' outputs cost far more than the gates
                    if (penalty == Penalty.STREAM_DECORRELATION) {
                        names.add(o.uniIterates.get(m).get(i).name());
                        names.add(o.pairedIterates.get(m).get(i).name());
                    } else {
                        names.add(o.uniGates.get(m).get(i).name());
                        names.add(o.pairedGates.get(m).get(i).name());
                    }
                }
            }
            Map<String, INDArray> out = sd.output(feed, names.toArray(new String[0]));
            return penalty == Penalty.STREAM_DECORRELATION ? B * decorrelation(out) : gateShares(out);
        }

        /** Σ_b of the mean over channels, valid steps, iterations and present modalities of the gate quantity. */
        private double gateShares(Map<String, INDArray> out) {
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
                        INDArray gu = out.get(o.uniGates.get(m).get(i).name());
                        INDArray gp = out.get(o.pairedGates.get(m).get(i).name());
                        double acc = 0;
                        for (int s = 0; s < S; s++) {
                            for (int d = 0; d < D; d++) {
                                double u = gu.getDouble(b, s, d);
                                double p = gp.getDouble(b, s, d);
                                double q = penalty == Penalty.PAIRED_SHARE ? p : u * p + (1 - u) * (1 - p);
                                acc += mask.getDouble(b, s) * q;
                            }
                        }
                        sum += acc / (valid * D);
                    }
                }
                total += present == 0 ? 0 : sum / present;
            }
            return total;
        }

        /** (1 / M) Σ_m Σ_i mean_{j, k} r_jk², r over the examples where m is present. */
        private double decorrelation(Map<String, INDArray> out) {
            double total = 0;
            for (int m = 0; m < WIDTHS.length; m++) {
                INDArray mask = feed.get("mask" + m);
                for (int i = 0; i < iterations; i++) {
                    double[][] u = standardised(pooled(out.get(o.uniIterates.get(m).get(i).name()), mask), mask);
                    double[][] p = standardised(pooled(out.get(o.pairedIterates.get(m).get(i).name()), mask), mask);
                    double n = Math.max(1, presentCount(mask));
                    double sq = 0;
                    for (int j = 0; j < D; j++) {
                        for (int k = 0; k < D; k++) {
                            double r = 0;
                            for (int b = 0; b < B; b++) {
                                r += u[b][j] * p[b][k];
                            }
                            r /= n;
                            sq += r * r;
                        }
                    }
                    total += sq / (D * D);
                }
            }
            return total / WIDTHS.length;
        }

        /** The mean over valid steps of {@code x [B, S, D]}: {@code [B][D]}, 0 where no step is valid. */
        private static double[][] pooled(INDArray x, INDArray mask) {
            double[][] r = new double[B][(int) D];
            for (int b = 0; b < B; b++) {
                double valid = mask.getRow(b).sumNumber().doubleValue();
                for (int d = 0; d < D; d++) {
                    double acc = 0;
                    for (int s = 0; s < S; s++) {
                        acc += mask.getDouble(b, s) * x.getDouble(b, s, d);
                    }
                    r[b][d] = valid == 0 ? 0 : acc / valid;
                }
            }
            return r;
        }

        private static int presentCount(INDArray mask) {
            int n = 0;
            for (int b = 0; b < B; b++) {
                n += mask.getRow(b).sumNumber().doubleValue() > 0 ? 1 : 0;
            }
            return n;
        }

        /** Channels centred and scaled over the present examples (variance + 1e-5), 0 for the others. */
        private static double[][] standardised(double[][] x, INDArray mask) {
            double n = Math.max(1, presentCount(mask));
            double[][] r = new double[B][(int) D];
            for (int d = 0; d < D; d++) {
                double mean = 0;
                for (int b = 0; b < B; b++) {
                    mean += present(mask, b) * x[b][d];
                }
                mean /= n;
                double var = 0;
                for (int b = 0; b < B; b++) {
                    double c = present(mask, b) * (x[b][d] - mean);
                    var += c * c;
                }
                var /= n;
                for (int b = 0; b < B; b++) {
                    r[b][d] = present(mask, b) * (x[b][d] - mean) / Math.sqrt(var + 1e-5);
                }
            }
            return r;
        }

        private static double present(INDArray mask, int b) {
            return mask.getRow(b).sumNumber().doubleValue() > 0 ? 1 : 0;
        }
    }
}

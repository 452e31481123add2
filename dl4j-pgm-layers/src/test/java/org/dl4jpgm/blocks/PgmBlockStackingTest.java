package org.dl4jpgm.blocks;

import org.dl4jpgm.impl.QuietGradFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PgmBlock#define} runs the shared learners, the decoder and the objectives once on all modalities of equal S,
 * stacked along the batch axis. This checks that the stacked graph computes exactly what one pass per modality
 * computes, forward (every per-modality output, gate and objective) and backward (the gradient of every parameter),
 * with modalities of unequal sequence lengths (two groups), padded steps, a modality without mask next to one with a
 * mask in the same group, and in both learner modes.
 */
class PgmBlockStackingTest {

    private static final int B = 3;
    /** S per modality: modalities 0 and 2 form one stacked group, modality 1 another. */
    private static final long[] SEQS = {3, 2, 3};
    private static final long[] WIDTHS = {4, 3, 5};
    private static final long D = 4;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(LearnerMode.SEQUENCE, PgmOptions.Carry.LEARNED, 2),
                Arguments.of(LearnerMode.FEATURE, PgmOptions.Carry.PARTITIONER, 2),
                Arguments.of(LearnerMode.SEQUENCE, PgmOptions.Carry.LEARNED, 1));
    }

    @ParameterizedTest(name = "{0} carry {1} N={2}")
    @MethodSource("cases")
    void stackedEqualsOnePassPerModality(LearnerMode mode, PgmOptions.Carry carry, int iterations) {
        PgmOptions opts = PgmOptions.builder().width(D).iterations(iterations).learnerMode(mode).learnerHeads(2)
                .tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).partitionerChunkSize(2)
                .carry(carry).build();
        Map<String, INDArray> params = PgmBlockParams.randomized(new PgmBlock(opts, WIDTHS), 11);
        Map<String, INDArray> feed = inputs();

        Run stacked = run(new PgmBlock(opts, WIDTHS, true), params, feed, iterations);
        Run reference = run(new PgmBlock(opts, WIDTHS, false), params, feed, iterations);

        assertTrue(stacked.opCount < reference.opCount, "stacking must shrink the graph: " + stacked.opCount
                + " ops stacked vs " + reference.opCount + " one pass per modality");
        assertEquals(reference.outputs.keySet(), stacked.outputs.keySet());
        for (String k : reference.outputs.keySet()) {
            assertClose(reference.outputs.get(k), stacked.outputs.get(k), "output " + k);
        }
        assertEquals(reference.gradients.keySet(), stacked.gradients.keySet());
        for (String k : reference.gradients.keySet()) {
            assertClose(reference.gradients.get(k), stacked.gradients.get(k), "gradient of " + k);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertNotNull(actual, what);
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + " shape");
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-10, what + ": max |difference| " + diff);
    }

    /** Outputs keyed by role (not by SameDiff name, which differs between the two graphs), and gradients. */
    private record Run(Map<String, INDArray> outputs, Map<String, INDArray> gradients, int opCount) {
    }

    private static Run run(PgmBlock block, Map<String, INDArray> params, Map<String, INDArray> feed, int iterations) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        params.forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
        List<SDVariable> in = new ArrayList<>();
        List<SDVariable> masks = new ArrayList<>();
        for (int m = 0; m < SEQS.length; m++) {
            in.add(sd.placeHolder("x" + m, DataType.DOUBLE, -1, SEQS[m], WIDTHS[m]));
            masks.add(feed.containsKey("mask" + m) ? sd.placeHolder("mask" + m, DataType.DOUBLE, -1, SEQS[m]) : null);
        }
        PgmBlock.Outputs o = block.define(vars, in, masks, SEQS);
        Map<String, SDVariable> roles = new LinkedHashMap<>();
        roles.put("ufc", o.ufc);
        roles.put("pfc", o.pfc);
        roles.put("upr", o.upr);
        for (int m = 0; m < SEQS.length; m++) {
            roles.put("uni" + m, o.uni.get(m));
            roles.put("paired" + m, o.paired.get(m));
            for (int i = 0; i < iterations; i++) {
                roles.put("uni" + m + "@" + i, o.uniIterates.get(m).get(i));
                roles.put("paired" + m + "@" + i, o.pairedIterates.get(m).get(i));
                roles.put("rec" + m + "@" + i, o.reconstructions.get(m).get(i));
                roles.put("gateU" + m + "@" + i, o.uniGates.get(m).get(i));
                roles.put("gateP" + m + "@" + i, o.pairedGates.get(m).get(i));
            }
        }
        // a loss touching every output, with distinct weights so that no error can cancel out
        SDVariable loss = o.ufc.sum().add(o.pfc.sum().mul(1.3)).add(o.upr.sum().mul(0.7));
        for (int m = 0; m < SEQS.length; m++) {
            loss = loss.add(o.uni.get(m).mul(o.uni.get(m)).sum().mul(0.11 * (m + 1)))
                    .add(o.paired.get(m).sum().mul(0.05 * (m + 2)));
        }
        loss.markAsLoss();
        int ops = sd.getOps().size();
        Map<String, INDArray> values = sd.output(feed, roles.values().stream().map(SDVariable::name)
                .toArray(String[]::new));
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        roles.forEach((role, v) -> outputs.put(role, values.get(v.name())));
        QuietGradFunction.ensure(sd, feed.keySet().toArray(new String[0]));
        Map<String, INDArray> grads = sd.calculateGradients(feed, params.keySet());
        return new Run(outputs, grads, ops);
    }

    /** Inputs for all modalities; masks with padding for modalities 0 and 1; modality 2 has no mask. */
    private static Map<String, INDArray> inputs() {
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> feed = new HashMap<>();
        for (int m = 0; m < SEQS.length; m++) {
            feed.put("x" + m, Nd4j.randn(DataType.DOUBLE, B, SEQS[m], WIDTHS[m]));
        }
        INDArray mask0 = Nd4j.ones(DataType.DOUBLE, B, SEQS[0]);
        mask0.putScalar(1, 2, 0.0);
        mask0.putScalar(2, 1, 0.0);
        mask0.putScalar(2, 2, 0.0);
        INDArray mask1 = Nd4j.ones(DataType.DOUBLE, B, SEQS[1]);
        mask1.putScalar(0, 1, 0.0);
        feed.put("mask0", mask0);
        feed.put("mask1", mask1);
        return feed;
    }
}

package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.LearnerMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Masks isolate partitions (Eq. 4-6): changing the values of the channels that a {@link MaskedLearnerLayer}'s hard gate
 * masks out (ĝ = 0) leaves its output unchanged, in both {@link LearnerMode}s, including a step where every channel is
 * masked; changing a kept channel (ĝ = 1) does change it.
 */
class MaskIsolationTest {

    private static final long D = 4;
    private static final long S = 3;
    private static final int MB = 3;
    /** Allowed difference; masked keys get weight exp(C) = 0 in double, so outputs are in fact bit-identical. */
    private static final double TOL = 1e-12;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<Arguments> cases() {
        return Stream.of(LearnerMode.values()).flatMap(m -> Stream.of(Arguments.of(m, 1), Arguments.of(m, 2)));
    }

    @ParameterizedTest(name = "{0} chunkSize={1}")
    @MethodSource("cases")
    void maskedChannelsDoNotReachTheOutput(LearnerMode mode, int chunkSize) {
        ComputationGraph g = TestGraphs.learner(D, S, RNNFormat.NCW, mode, chunkSize, 2);
        // [x ; g] in NCW: features 0..D-1 are x, D..2D-1 the soft gate (0.2 or 0.8, constant within chunks)
        INDArray in = TestGraphs.learnerInput(MB, D, S, RNNFormat.NCW, chunkSize, 17);
        for (long d = 0; d < D; d++) {
            in.putScalar(new long[]{0, D + d, 1}, 0.2);   // example 0, step 1: every channel masked
        }
        INDArray reference = output(g, in);
        assertEquals(0.0, maxAbs(reference, 0, 1), 0.0, "a fully masked step gives zero output");

        Random rnd = new Random(5);
        INDArray changed = in.dup();
        int masked = 0;
        for (long b = 0; b < MB; b++) {
            for (long s = 0; s < S; s++) {
                for (long d = 0; d < D; d++) {
                    if (in.getDouble(b, D + d, s) < 0.5) {
                        changed.putScalar(new long[]{b, d, s}, 1000 * rnd.nextGaussian());
                        masked++;
                    }
                }
            }
        }
        assertTrue(masked > MB * S, "the input masks some channels at every step, masked " + masked);
        INDArray after = output(g, changed);
        double diff = after.sub(reference).amaxNumber().doubleValue();
        assertTrue(diff <= TOL, mode + ": changing masked-out channels changed the output by " + diff);

        // a kept channel (gate 0.8) at example 1, step 0 does reach the output
        long kept = -1;
        for (long d = 0; d < D && kept < 0; d++) {
            if (in.getDouble(1, D + d, 0) > 0.5) {
                kept = d;
            }
        }
        assertTrue(kept >= 0, "example 1, step 0 keeps a channel");
        INDArray unmaskedChange = in.dup();
        unmaskedChange.putScalar(new long[]{1, kept, 0}, in.getDouble(1, kept, 0) + 1.0);
        double effect = output(g, unmaskedChange).sub(reference).amaxNumber().doubleValue();
        assertTrue(effect > 1e-6, mode + ": changing a kept channel must change the output, changed by " + effect);
    }

    private static INDArray output(ComputationGraph g, INDArray in) {
        return g.feedForward(in, false).get("learner").dup();
    }

    /** Largest |value| of example b at step s of an NCW activation. */
    private static double maxAbs(INDArray a, long b, long s) {
        double m = 0;
        for (long d = 0; d < a.size(1); d++) {
            m = Math.max(m, Math.abs(a.getDouble(b, d, s)));
        }
        return m;
    }
}

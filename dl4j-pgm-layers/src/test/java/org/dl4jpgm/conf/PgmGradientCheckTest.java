package org.dl4jpgm.conf;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J {@link GradientCheckUtil} in double precision for each PgM layer and vertex, and for the three chained, over
 * minibatch sizes 1 and 3, with and without sequence masks, both learner modes, N = 1 and 3, chunk sizes 1 and 2, and
 * NCW / NWC / feed-forward layouts. These pass only because the corrected runtimes undo DL4J M2.1's doubled gradients
 * ({@link org.dl4jpgm.impl.GradientScale}).
 */
class PgmGradientCheckTest {

    private static final long D = 4;
    private static final long S = 3;
    /** Entries checked per parameter array; keeps the suite fast on 2 cores. */
    private static final int MAX_PER_PARAM = 4;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Pairwise coverage of minibatch {1, 3} x mask {no, yes} x N {1, 3} x chunk {1, 2}, plus NWC and feed-forward. */
    static Stream<Arguments> partitionerCases() {
        return Stream.of(
                Arguments.of(1, false, 1, 1, RNNFormat.NCW, S),
                Arguments.of(3, true, 3, 2, RNNFormat.NCW, S),
                Arguments.of(1, true, 3, 1, RNNFormat.NCW, S),
                Arguments.of(3, false, 1, 2, RNNFormat.NCW, S),
                Arguments.of(3, true, 3, 2, RNNFormat.NWC, S),
                Arguments.of(3, false, 3, 1, RNNFormat.NCW, 0L));
    }

    @ParameterizedTest(name = "mb={0} masked={1} N={2} chunk={3} {4} S={5}")
    @MethodSource("partitionerCases")
    void partitioner(int mb, boolean masked, int iterations, int chunk, RNNFormat format, long seq) {
        ComputationGraph g = TestGraphs.partitioner(D, seq, format, iterations, chunk);
        check(g, new INDArray[]{TestGraphs.input(mb, D, seq, format, 7)}, mb, masked, format, seq);
    }

    /** Per mode: minibatch {1, 3} x mask {no, yes} x chunk {1, 2} pairwise, two stacked blocks, NWC, feed-forward. */
    static Stream<Arguments> learnerCases() {
        List<Arguments> cases = new ArrayList<>();
        for (LearnerMode mode : LearnerMode.values()) {
            cases.add(Arguments.of(mode, 1, false, 1, 1, RNNFormat.NCW, S));
            cases.add(Arguments.of(mode, 3, true, 2, 1, RNNFormat.NCW, S));
            cases.add(Arguments.of(mode, 1, true, 2, 2, RNNFormat.NWC, S));
            cases.add(Arguments.of(mode, 3, false, 1, 1, RNNFormat.NCW, 0L));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} mb={1} masked={2} chunk={3} layers={4} {5} S={6}")
    @MethodSource("learnerCases")
    void learner(LearnerMode mode, int mb, boolean masked, int chunk, int layers, RNNFormat format, long seq) {
        ComputationGraph g = TestGraphs.learner(D, seq, format, mode, chunk, layers);
        check(g, new INDArray[]{TestGraphs.learnerInput(mb, D, seq, format, chunk, 11)}, mb, masked, format, seq);
    }

    static Stream<Arguments> decoderCases() {
        return Stream.of(
                Arguments.of(1, false, RNNFormat.NCW, S),
                Arguments.of(3, true, RNNFormat.NCW, S),
                Arguments.of(3, true, RNNFormat.NWC, S),
                Arguments.of(3, false, RNNFormat.NCW, 0L));
    }

    @ParameterizedTest(name = "mb={0} masked={1} {2} S={3}")
    @MethodSource("decoderCases")
    void decoder(int mb, boolean masked, RNNFormat format, long seq) {
        ComputationGraph g = TestGraphs.decoder(D, seq, format);
        INDArray[] in = {TestGraphs.input(mb, D, seq, format, 3), TestGraphs.input(mb, D, seq, format, 4)};
        check(g, in, mb, masked, format, seq);
    }

    static Stream<Arguments> chainCases() {
        return Stream.of(LearnerMode.values()).flatMap(m -> Stream.of(Arguments.of(m, 1, false), Arguments.of(m, 3, true)));
    }

    /** Partitioner, learners and decoder chained: input gradients pass between the corrected layers and vertex. */
    @ParameterizedTest(name = "{0} mb={1} masked={2}")
    @MethodSource("chainCases")
    void chain(LearnerMode mode, int mb, boolean masked) {
        ComputationGraph g = TestGraphs.chain(D, S, RNNFormat.NCW, mode, GateGradient.NONE);
        check(g, new INDArray[]{TestGraphs.input(mb, D, S, RNNFormat.NCW, 5)}, mb, masked, RNNFormat.NCW, S);
    }

    private static void check(ComputationGraph g, INDArray[] inputs, int mb, boolean masked, RNNFormat format,
                              long seq) {
        INDArray labels = TestGraphs.input(mb, 2, seq, format, 99);
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(g).inputs(inputs)
                .labels(new INDArray[]{labels}).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                // every parameter array is checked, up to MAX_PER_PARAM entries of each (DL4J's subset mode)
                .subset(true).maxPerParam(MAX_PER_PARAM);
        if (masked) {
            INDArray m = TestGraphs.mask(mb, seq);
            INDArray[] masks = new INDArray[inputs.length];
            java.util.Arrays.fill(masks, m);
            c.inputMask(masks).labelMask(new INDArray[]{m});
        }
        assertTrue(GradientCheckUtil.checkGradients(c), "gradient check failed");
    }
}

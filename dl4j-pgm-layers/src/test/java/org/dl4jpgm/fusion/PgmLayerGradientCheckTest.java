package org.dl4jpgm.fusion;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.blocks.UprSteps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J gradient checks in double precision of the whole PgM fusion (projections, partitioners, learners, decoder,
 * UFC/PFC/UPR, the head and the objective output layer) with M = 2 and 3 modalities and N = 1 to 3 iterations,
 * at D = 4, with and without masks, and with modalities missing for some examples (an all-zero step-mask row, a
 * vector modality's {@code [B, 1]} mask 0). Hard gates use the exact (zero almost everywhere) gradient and the UPR target of a projected modality is
 * not detached: finite differences see neither a straight-through estimator nor a stop-gradient.
 *
 * <p>About two minutes on an idle 2-core machine: a forward pass of this graph costs DL4J M2.1's SameDiff a good
 * fraction of a second (thousands of tiny ops), hence the subset of parameter arrays.
 */
class PgmLayerGradientCheckTest {

    /**
     * One or two parameter arrays of every component are checked (2 entries each): checking all ~100 arrays would
     * take far too long at DL4J M2.1's SameDiff speed. Each
     * checked array's gradient passes through every later component (the objectives, the decoder, the learners,
     * the hard gates, the partitioner iterations, the projections, the head and both output layers).
     */
    private static final List<String> CHECKED = List.of("fusionPgm_projW1", "fusionPgm_projB1", "fusionPgm_part0partWu",
            "fusionPgm_part0partBp", "fusionPgm_part1partWp", "fusionPgm_uniL0attnWq", "fusionPgm_uniL0ffW1",
            "fusionPgm_uniL0attnWv", "fusionPgm_pairL0attnWv", "fusionPgm_pairL0ln2lnGain", "fusionPgm_decxattnWk",
            "fusionPgm_decxattnWo", "fusionPgm_decffW1",
            "fusionPgm_ufcW", "fusionPgm_pfcW", "fusionPgm_pfcB", "fusionHead_headUniffW1",
            "fusionHead_headPairEncattnWq", "fusionHead_headFuseffW2", "out_W");

    private static Set<String> allBut(ComputationGraph g, List<String> keep) {
        Set<String> all = new HashSet<>(g.paramTable().keySet());
        for (String k : keep) {
            assertTrue(all.contains(k), "parameter " + k + " exists; have " + all);
        }
        all.removeAll(keep);
        return all;
    }

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(2, 3, LearnerMode.SEQUENCE, 2, false, false, UprSteps.MEAN),
                Arguments.of(3, 1, LearnerMode.FEATURE, 1, false, false, UprSteps.MEAN),
                Arguments.of(3, 2, LearnerMode.SEQUENCE, 2, true, false, UprSteps.MEAN),
                Arguments.of(2, 2, LearnerMode.FEATURE, 2, false, true, UprSteps.MEAN),
                Arguments.of(3, 2, LearnerMode.SEQUENCE, 2, true, true, UprSteps.MEAN),
                Arguments.of(3, 2, LearnerMode.SEQUENCE, 2, true, true, UprSteps.SUM));
    }

    /**
     * @param sequences false: vector inputs {@code [mb, D_m]}; true: a mix, sequences {@code [mb, D_m, 3]} (NCW) with
     *                  a padded step in their masks for modalities 0 and 2 (stacked together inside the vertex) and a
     *                  vector {@code [mb, D_1]} for modality 1 (a one-step sequence inside, a group of its own)
     * @param missing   modalities missing for some examples: with sequences, modality 0 has no valid step for example 0
     *                  (an all-zero mask row) and the vector modality 1 is masked out ({@code [mb, 1]} mask 0) for
     *                  example 1; without, the vector modality 0 is masked out for example 0. Every example keeps at
     *                  least one modality, so the check sees the objectives' normalisation by the present modalities.
     * @param uprSteps  UPR's reduction over the valid steps
     */
    @ParameterizedTest(name = "M={0} N={1} {2} mb={3} mixed sequences={4} missing={5} UPR {6}")
    @MethodSource("cases")
    void composite(int modalities, int iterations, LearnerMode mode, int mb, boolean sequences, boolean missing,
                   UprSteps uprSteps) {
        long[] widths = {4, 3, 5};
        long[] seqs = {3, 1, 3};
        InputType[] types = new InputType[modalities];
        String[] names = new String[modalities];
        INDArray[] in = new INDArray[modalities];
        INDArray[] masks = sequences || missing ? new INDArray[modalities] : null;
        Nd4j.getRandom().setSeed(17);
        for (int m = 0; m < modalities; m++) {
            names[m] = "in" + m;
            if (sequences && m != 1) {
                types[m] = InputType.recurrent(widths[m], seqs[m]);
                in[m] = Nd4j.randn(DataType.DOUBLE, mb, widths[m], seqs[m]);
                masks[m] = Nd4j.ones(DataType.DOUBLE, mb, seqs[m]);
                masks[m].putScalar(mb - 1, seqs[m] - 1, 0.0);   // the last example's last step is padding
            } else {
                types[m] = InputType.feedForward(widths[m]);
                in[m] = Nd4j.randn(DataType.DOUBLE, mb, widths[m]);
                if (masks != null) {
                    masks[m] = Nd4j.ones(DataType.DOUBLE, mb, 1);
                }
            }
        }
        if (missing && sequences) {
            masks[0].getRow(0).assign(0.0);
            masks[1].putScalar(1, 0, 0.0);
        } else if (missing) {
            masks[0].putScalar(0, 0, 0.0);
        }
        PgmOptions opts = PgmOptions.builder().width(4).iterations(iterations).learnerMode(mode).learnerHeads(2)
                .tokenWidth(4).learnerFfnSize(4).decoderHeads(2).decoderFfnSize(4).partitionerChunkSize(2)
                .gateGradient(GateGradient.NONE).detachUprTarget(false).uprSteps(uprSteps).build();
        FusionSpec spec = FusionSpec.builder().pgm(opts).headHidden(4).headHeads(2).headFfnSize(4).modelUpdater(null)
                .learnerUpdater(null).decoderUpdater(null).build();
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs(names).setInputTypes(types);
        Fused f = PgmFusion.add(b, spec, names);
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .nOut(2).build(), f.output());
        ObjectiveOutput.attach(b, f, "out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        INDArray labels = Nd4j.randn(DataType.DOUBLE, mb, 2);
        INDArray alpha = Nd4j.valueArrayOf(new long[]{mb, 1}, 0.5, DataType.DOUBLE);
        GradientCheckUtil.GraphConfig c = new GradientCheckUtil.GraphConfig().net(g).inputs(in).inputMask(masks)
                .labels(new INDArray[]{labels, alpha}).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).subset(true).maxPerParam(2)
                .excludeParams(allBut(g, CHECKED));
        assertTrue(GradientCheckUtil.checkGradients(c), "gradient check failed");
    }
}

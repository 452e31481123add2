package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Degenerate inputs in single precision, as a user's graph trains: all-zero and constant sequences through the PgM
 * vertex (one modality projected, one not), in both learner modes, for 1 to 3 learner blocks and N = 1 to 3
 * iterations: the output, the score, every gradient, and the parameters and Adam state after 3 steps are finite. Then
 * the same with a modality missing for one example (an all-zero step-mask row). Before the fixes, all-zero inputs gave
 * gradients up to 1e44 (SEQUENCE learners: layer norms at zero variance) and 1e11 (FEATURE learners: the gate gradient
 * through the attention mask, times |C|), and a missing modality NaN (docs/design.md, "Missing modalities and
 * degenerate inputs").
 */
class DegenerateInputsTest {

    private static final int B = 3;
    private static final long S = 3;
    private static final long[] WIDTHS = {4, 3};
    /**
     * Bound on every gradient entry. Measured at most 60 here with the fixes, and
     * far above it without them (docs/design.md).
     */
    private static final double MAX_GRADIENT = 1e4;

    static Stream<Arguments> sizes() {
        return IntStream.rangeClosed(1, 3).boxed()
                .flatMap(layers -> IntStream.rangeClosed(1, 3).mapToObj(n -> Arguments.of(layers, n)));
    }

    @ParameterizedTest(name = "learner layers {0}, N = {1}")
    @MethodSource("sizes")
    void zeroAndConstantInputsStayFinite(int layers, int iterations) {
        for (LearnerMode mode : LearnerMode.values()) {
            for (double value : new double[]{0.0, 0.7}) {
                INDArray[] in = new INDArray[WIDTHS.length];
                for (int m = 0; m < in.length; m++) {
                    in[m] = Nd4j.valueArrayOf(new long[]{B, WIDTHS[m], S}, value, DataType.FLOAT);
                }
                trainAndCheck(mode, layers, iterations, in, null, mode + " inputs all " + value);
            }
        }
    }

    static Stream<Arguments> missingCases() {
        return Stream.of(Arguments.of(LearnerMode.FEATURE, 2, 3), Arguments.of(LearnerMode.SEQUENCE, 3, 2));
    }

    @ParameterizedTest(name = "{0}, learner layers {1}, N = {2}")
    @MethodSource("missingCases")
    void missingModalityStaysFinite(LearnerMode mode, int layers, int iterations) {
        Nd4j.getRandom().setSeed(3);
        INDArray[] in = new INDArray[WIDTHS.length];
        INDArray[] masks = new INDArray[WIDTHS.length];
        for (int m = 0; m < in.length; m++) {
            in[m] = Nd4j.randn(DataType.FLOAT, B, WIDTHS[m], S);
            masks[m] = Nd4j.ones(DataType.FLOAT, B, S);
        }
        masks[0].getRow(0).assign(0.0);      // modality 0 missing for example 0
        masks[1].putScalar(1, S - 1, 0.0);   // an ordinary padded step
        masks[1].getRow(2).assign(0.0);      // modality 1 missing for example 2
        trainAndCheck(mode, layers, iterations, in, masks, mode + " with missing modalities");
    }

    private static void trainAndCheck(LearnerMode mode, int layers, int iterations, INDArray[] in, INDArray[] masks,
                                      String what) {
        PgmOptions opts = PgmOptions.builder().width(4).iterations(iterations).learnerMode(mode).learnerLayers(layers)
                .learnerHeads(2).tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).build();
        FusionSpec spec = FusionSpec.builder().pgm(opts).headHidden(4).headHeads(2).headFfnSize(4).build();
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b")
                .setInputTypes(InputType.recurrent(WIDTHS[0], S), InputType.recurrent(WIDTHS[1], S));
        Fused f = PgmFusion.add(b, spec, "a", "b");
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nOut(2).build(), f.output());
        b.setOutputs("out");   // L_P through the vertex, α = 0.5 (LossWeights.JOINT)
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        INDArray labels = Nd4j.zeros(DataType.FLOAT, B, 2);
        labels.getColumn(0).assign(1.0);
        MultiDataSet ds = new MultiDataSet(in, new INDArray[]{labels}, masks, null);

        for (INDArray o : g.output(false, in, masks)) {
            assertFinite(o, what + ": output");
        }
        g.setInputs(in);
        g.setLayerMaskArrays(masks, null);
        g.setLabels(labels);
        g.computeGradientAndScore();
        assertTrue(Double.isFinite(g.score()), what + ": score " + g.score());
        double largest = 0;
        for (java.util.Map.Entry<String, INDArray> e : g.gradient().gradientForVariable().entrySet()) {
            assertFinite(e.getValue(), what + ": gradient of " + e.getKey());
            largest = Math.max(largest, e.getValue().amaxNumber().doubleValue());
        }
        System.out.printf("largest |gradient| %s, %d layers, N = %d: %.2e%n", what, layers, iterations, largest);
        assertTrue(largest < MAX_GRADIENT, what + ": largest |gradient| " + largest);
        g.clearLayerMaskArrays();
        for (int step = 0; step < 3; step++) {
            g.fit(ds);
        }
        assertFinite(g.params(), what + ": parameters after 3 Adam steps");
        assertFinite(g.getUpdater().getStateViewArray(), what + ": Adam state after 3 steps");
        assertTrue(Double.isFinite(g.score()), what + ": score after 3 steps " + g.score());
    }

    private static void assertFinite(INDArray a, String what) {
        assertTrue(!a.isNaN().any() && !a.isInfinite().any(), what + " finite (max |x| "
                + a.amaxNumber() + ")");
    }
}

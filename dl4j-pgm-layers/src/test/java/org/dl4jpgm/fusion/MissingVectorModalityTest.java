package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vector modality marked missing for one example by its DL4J feature mask {@code [B, 1]}, passed through a Dense
 * encoder to the PgM vertex: that modality's pooled u_m and p_m are exactly 0 for the example, the other examples'
 * outputs are those of an unmasked call, and the example's other modality and objectives do not depend on the
 * masked data.
 */
class MissingVectorModalityTest {

    private static final int B = 3;
    private static final long D = 4;

    @Test
    void maskedVectorModalityIsZeroAndWithoutInfluence() {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.feedForward(5), InputType.feedForward(3))
                .addLayer("encA", new DenseLayer.Builder().nOut(D).activation(Activation.TANH).build(), "a")
                .addLayer("encB", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "b");
        Fused f = PgmFusion.add(b, FusionFixtures.pgmSpec(FusionFixtures.smallPgm(LearnerMode.FEATURE, 2,
                GateGradient.STRAIGHT_THROUGH)), "encA", "encB");
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                .activation(Activation.SOFTMAX).build(), f.output());
        b.setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();

        Nd4j.getRandom().setSeed(4);
        INDArray a = Nd4j.randn(DataType.DOUBLE, B, 5);
        INDArray bIn = Nd4j.randn(DataType.DOUBLE, B, 3);
        INDArray maskA = Nd4j.ones(DataType.DOUBLE, B, 1);
        maskA.putScalar(1, 0, 0.0);                         // modality a missing for example 1
        INDArray[] masks = {maskA, Nd4j.ones(DataType.DOUBLE, B, 1)};

        INDArray plain = pgmOutput(g, new INDArray[]{a, bIn}, null);
        INDArray masked = pgmOutput(g, new INDArray[]{a, bIn}, masks);
        INDArray aChanged = a.dup();
        aChanged.getRow(1).assign(Nd4j.randn(DataType.DOUBLE, 1, 5).mul(100));
        INDArray maskedChanged = pgmOutput(g, new INDArray[]{aChanged, bIn}, masks);

        // channels: u_a [0, D), u_b [D, 2D), p_a [2D, 3D), p_b [3D, 4D), UFC, PFC, UPR
        INDArray row = masked.getRow(1);
        assertEquals(0.0, row.get(NDArrayIndex.interval(0, D)).amaxNumber().doubleValue(), 0.0, "u_a of example 1");
        assertEquals(0.0, row.get(NDArrayIndex.interval(2 * D, 3 * D)).amaxNumber().doubleValue(), 0.0,
                "p_a of example 1");
        assertTrue(row.get(NDArrayIndex.interval(D, 2 * D)).amaxNumber().doubleValue() > 0, "u_b of example 1 kept");
        for (int ex : new int[]{0, 2}) {
            assertEquals(0.0, plain.getRow(ex).sub(masked.getRow(ex)).amaxNumber().doubleValue(), 1e-12,
                    "example " + ex + " unchanged by the mask of example 1");
        }
        assertEquals(0.0, masked.sub(maskedChanged).amaxNumber().doubleValue(), 1e-12,
                "the masked data changes nothing");
        assertTrue(plain.getRow(1).sub(masked.getRow(1)).amaxNumber().doubleValue() > 1e-6,
                "the mask reaches the vertex");
    }

    private static INDArray pgmOutput(ComputationGraph g, INDArray[] in, INDArray[] masks) {
        g.setLayerMaskArrays(masks, null);
        Map<String, INDArray> acts = g.feedForward(in, false, false);
        g.clearLayerMaskArrays();
        return acts.get("fusionPgm").dup();
    }
}

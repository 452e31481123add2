package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drop-in API on a user's graph: LSTM encoders per modality, late fusion through a MergeVertex. */
class PgmFusionTest {

    private static FusionSpec spec() {
        return FusionFixtures.pgmSpec(FusionFixtures.smallPgm(LearnerMode.FEATURE, 2, GateGradient.STRAIGHT_THROUGH));
    }

    /** (a) One call adds PgM after the LSTM encoders of a graph under construction. */
    @Test
    void addToGraphBuilderWithLstmEncoders() {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(FusionFixtures.adam()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(FusionFixtures.inputTypes())
                .addLayer("encA", new LSTM.Builder().nOut(FusionFixtures.ENCODED).build(), "a")
                .addLayer("encB", new LSTM.Builder().nOut(4).build(), "b");
        Fused f = PgmFusion.add(b, spec().toBuilder().pgm(FusionFixtures.smallPgm(LearnerMode.SEQUENCE, 1,
                GateGradient.STRAIGHT_THROUGH).toBuilder().pooling(PgmOptions.Pooling.NONE).build()).build(),
                "encA", "encB");
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                .activation(Activation.SOFTMAX).build(), f.output());
        PgmFusion.setOutputs(b, f, "out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        assertEquals(List.of("out", "fusionLoss"), g.getConfiguration().getNetworkOutputs());
        MultiDataSetIterator data = FusionFixtures.data(16, 8, 3, DataType.FLOAT, true);
        MultiDataSet ds = data.next();
        INDArray[] out = g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
        assertArrayEquals(new long[]{8, 2}, out[0].shape());
        assertArrayEquals(new long[]{8, 3, FusionFixtures.SEQ}, out[1].shape(), "objective channels UFC, PFC, UPR per step");
        data.reset();
        INDArray before = g.params().dup();
        g.fit(new PgmDataSetIterator(data, true, new LossWeights(0.5, 1)));
        assertTrue(before.neq(g.params()).any(), "training changed the parameters");
    }

    /** (b) Replacing the MergeVertex of a trained graph keeps every other weight bit-identical. */
    @Test
    void replaceFusionOfTrainedGraphKeepsEveryOtherWeight() {
        ComputationGraph user = new ComputationGraph(FusionFixtures.lateFusion(DataType.FLOAT, FusionFixtures.adam()));
        user.init();
        MultiDataSetIterator data = FusionFixtures.data(32, 16, 1, DataType.FLOAT, true);
        user.fit(data);
        Map<String, INDArray> before = Map.of("encA", user.getLayer("encA").params().dup(),
                "encB", user.getLayer("encB").params().dup(), "dense", user.getLayer("dense").params().dup(),
                "out", user.getLayer("out").params().dup());

        ComputationGraph pgm = PgmFusion.replace(user, "fusion", spec(), FusionFixtures.inputTypes());
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            assertEquals(e.getValue(), pgm.getLayer(e.getKey()).params(), "weights of " + e.getKey() + " kept");
        }
        ComputationGraphConfiguration conf = pgm.getConfiguration();
        assertTrue(conf.getVertices().get("fusionPgm") instanceof PgmVertex);
        assertEquals(List.of("poolA", "poolB"), conf.getVertexInputs().get("fusionPgm"));
        assertEquals(List.of("out", "fusionLoss"), conf.getNetworkOutputs());
        assertEquals(List.of("fusionHead"), conf.getVertexInputs().get("dense"));
        data.reset();
        pgm.fit(new PgmDataSetIterator(data, true, new LossWeights(0.5, 1)));
        assertEquals(before.get("encA").length(), pgm.getLayer("encA").params().length());
    }

    /** (b) on a configuration: an MLP fusion (a dense layer fed by a merge) is replaced, merge and layer removed. */
    @Test
    void replaceMlpFusionOfConfiguration() {
        ComputationGraphConfiguration user = FusionFixtures.lateFusion(DataType.FLOAT, FusionFixtures.adam());
        ComputationGraphConfiguration replaced = PgmFusion.replace(user, "dense",
                spec().toBuilder().type(FusionType.CONCAT).build(), FusionFixtures.inputTypes());
        assertTrue(!replaced.getVertices().containsKey("dense") && !replaced.getVertices().containsKey("fusion"));
        assertEquals(List.of("fusionConcat"), replaced.getVertexInputs().get("out"));
        ComputationGraph g = new ComputationGraph(replaced);
        g.init();
        MultiDataSet ds = FusionFixtures.data(8, 8, 2, DataType.FLOAT, false).next();
        assertArrayEquals(new long[]{8, 2}, g.outputSingle(ds.getFeatures()).shape());
    }

    @Test
    void badUsageGetsClearMessages() {
        ComputationGraphConfiguration user = FusionFixtures.lateFusion(DataType.FLOAT, FusionFixtures.adam());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PgmFusion.replace(user, "noSuchVertex", spec(), FusionFixtures.inputTypes()));
        assertTrue(unknown.getMessage().contains("noSuchVertex") && unknown.getMessage().contains("encA"),
                unknown.getMessage());
        IllegalArgumentException notFusion = assertThrows(IllegalArgumentException.class,
                () -> PgmFusion.replace(user, "encA", spec(), FusionFixtures.inputTypes()));
        assertTrue(notFusion.getMessage().contains("encA"), notFusion.getMessage());

        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.recurrent(5, 4), InputType.recurrent(3, 6));
        IllegalArgumentException m1 = assertThrows(IllegalArgumentException.class, () -> PgmFusion.add(b, spec(), "a"));
        assertTrue(m1.getMessage().contains("M >= 2"), m1.getMessage());
        IllegalArgumentException unknownInput = assertThrows(IllegalArgumentException.class,
                () -> PgmFusion.add(b, spec(), "a", "c"));
        assertTrue(unknownInput.getMessage().contains("'c'"), unknownInput.getMessage());

        FusionSpec noPooling = spec().toBuilder().pgm(spec().getPgm().toBuilder().pooling(PgmOptions.Pooling.NONE)
                .build()).build();
        PgmFusion.add(b, noPooling, "a", "b");
        b.addLayer("out", new OutputLayer.Builder().nOut(2).build(), "fusionHead").setOutputs("out", "fusionLoss");
        Exception unequal = assertThrows(Exception.class, b::build);
        String msg = rootMessage(unequal);
        assertTrue(msg.contains("unequal") && msg.contains("Pooling.MEAN"), msg);

        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class, () -> new LossWeights(0, 0));
        assertTrue(weights.getMessage().contains("not both zero"), weights.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainerOptions.builder().alpha(0).beta(0).build());
    }

    private static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    @Test
    void elementWiseFusionIsReplaceable() {
        ComputationGraphConfiguration user = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.feedForward(4), InputType.feedForward(4))
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("out", new OutputLayer.Builder().nOut(2).build(), "sum").setOutputs("out").build();
        ComputationGraphConfiguration replaced = PgmFusion.replace(user, "sum", spec(), InputType.feedForward(4),
                InputType.feedForward(4));
        assertEquals(List.of("fusionHead"), replaced.getVertexInputs().get("out"));
        assertEquals(4, ((PgmHeadLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) replaced.getVertices()
                .get("fusionHead")).getLayerConf().getLayer()).getHidden(), "head width = the replaced fusion's width");
    }
}

package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.conf.PgmHeadLayer;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
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
        b.setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        assertEquals(List.of("out"), g.getConfiguration().getNetworkOutputs(), "no output added for PgM's objective");
        MultiDataSetIterator data = FusionFixtures.data(16, 8, 3, DataType.FLOAT, true);
        MultiDataSet ds = data.next();
        INDArray[] out = g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
        assertArrayEquals(new long[]{8, 2}, out[0].shape());
        assertEquals(1, out.length);
        g.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
        INDArray pgmOut = g.feedForward(ds.getFeatures(), false).get(f.pgmVertex());
        g.clearLayerMaskArrays();
        assertArrayEquals(new long[]{8, 2 * 2 * 4 + 3, FusionFixtures.SEQ}, pgmOut.shape(),
                "features and the objective channels UFC, PFC, UPR per step");
        data.reset();
        INDArray before = g.params().dup();
        g.fit(data);
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

        ComputationGraph pgm = PgmFusion.replace(user, "fusion", spec(), FusionFixtures.inputTypes()).graph();
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            assertEquals(e.getValue(), pgm.getLayer(e.getKey()).params(), "weights of " + e.getKey() + " kept");
        }
        ComputationGraphConfiguration conf = pgm.getConfiguration();
        assertTrue(PgmGraph.pgmLayer(conf, "fusionPgm") != null);
        assertEquals(List.of("fusionModalities"), conf.getVertexInputs().get("fusionPgm"));
        assertEquals(List.of("poolA", "poolB"), conf.getVertexInputs().get("fusionModalities"));
        assertEquals(List.of("out"), conf.getNetworkOutputs());
        assertEquals(List.of("fusionHead"), conf.getVertexInputs().get("dense"));
        data.reset();
        pgm.fit(data);
        assertEquals(before.get("encA").length(), pgm.getLayer("encA").params().length());
    }

    /** (b) on a configuration: an MLP fusion (a dense layer fed by a merge) is replaced, merge and layer removed. */
    @Test
    void replaceMlpFusionOfConfiguration() {
        ComputationGraphConfiguration user = FusionFixtures.lateFusion(DataType.FLOAT, FusionFixtures.adam());
        ComputationGraphConfiguration replaced = PgmFusion.replace(user, "dense",
                spec().toBuilder().type(FusionType.CONCAT).build(), FusionFixtures.inputTypes()).configuration();
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
        Exception unequal = assertThrows(IllegalArgumentException.class, () -> PgmFusion.add(b, noPooling, "a", "b"));
        String msg = unequal.getMessage();
        assertTrue(msg.contains("unequal") && msg.contains("Pooling.MEAN"), msg);

        IllegalArgumentException weights = assertThrows(IllegalArgumentException.class, () -> new LossWeights(0, 0));
        assertTrue(weights.getMessage().contains("not both zero"), weights.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainerOptions.builder().alpha(0).beta(0).build());
    }


    @Test
    void elementWiseFusionIsReplaceable() {
        ComputationGraphConfiguration user = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.feedForward(4), InputType.feedForward(4))
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b")
                .addLayer("out", new OutputLayer.Builder().nOut(2).build(), "sum").setOutputs("out").build();
        ComputationGraphConfiguration replaced = PgmFusion.replace(user, "sum", spec(), InputType.feedForward(4),
                InputType.feedForward(4)).configuration();
        assertEquals(List.of("fusionHead"), replaced.getVertexInputs().get("out"));
        assertEquals(4, ((PgmHeadLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) replaced.getVertices()
                .get("fusionHead")).getLayerConf().getLayer()).getHidden(), "head width = the replaced fusion's width");
    }

    /**
     * A vector modality ({@code [B, 5]}) and a padded sequence modality ({@code [B, 3, 4]} with a step mask) feed one
     * PgmLayer (the vector is a one-step sequence inside): the graph trains in both stages, predicts finite values,
     * a padded step's content does not change the prediction, and the partition statistics cover both modalities.
     * With pooling NONE the mix is refused with a message naming the way out.
     */
    @Test
    void vectorAndSequenceModalitiesMix() {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.FLOAT).updater(FusionFixtures.adam()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("vec", "seq").setInputTypes(InputType.feedForward(5), InputType.recurrent(3, 4));
        Fused f = PgmFusion.add(b, spec(), "vec", "seq");
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nOut(2).build(), f.output());
        b.setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();

        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(9);
        INDArray vec = org.nd4j.linalg.factory.Nd4j.randn(DataType.FLOAT, 8, 5);
        INDArray seq = org.nd4j.linalg.factory.Nd4j.randn(DataType.FLOAT, 8, 3, 4);
        INDArray mask = org.nd4j.linalg.factory.Nd4j.ones(DataType.FLOAT, 8, 4);
        mask.putScalar(0, 3, 0.0);
        mask.putScalar(1, 2, 0.0);
        mask.putScalar(1, 3, 0.0);
        INDArray labels = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 8, 2);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, i % 2, 1.0);
        }
        MultiDataSet ds = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{vec, seq}, new INDArray[]{labels},
                new INDArray[]{null, mask}, null);
        MultiDataSetIterator it = new org.nd4j.linalg.dataset.adapter.SingletonMultiDataSetIterator(ds);
        List<EpochRecord> history = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(1).stage2Epochs(2).build())
                .fit(new PgmGraph(g, f), it, it);
        assertEquals(3, history.size());
        assertTrue(Double.isFinite(history.get(2).taskLoss()), "task loss " + history.get(2));

        INDArray[] masks = {null, mask};
        INDArray out = g.output(false, new INDArray[]{vec, seq}, masks)[0];
        assertArrayEquals(new long[]{8, 2}, out.shape());
        assertTrue(Double.isFinite(out.sumNumber().doubleValue()), "finite predictions: " + out);
        INDArray changed = seq.dup();
        changed.putScalar(new long[]{0, 1, 3}, 100.0);   // example 0, step 3 is padding
        INDArray out2 = g.output(false, new INDArray[]{vec, changed}, masks)[0];
        assertEquals(0.0, out.sub(out2).amaxNumber().doubleValue(), 1e-6, "a padded step does not reach the output");

        List<PartitionStatistics.ModalityPartition> parts = PartitionStatistics.compute(g, f.pgmVertex(), it);
        assertEquals(2, parts.size());
        for (PartitionStatistics.ModalityPartition p : parts) {
            assertTrue(p.lastUni() >= 0 && p.lastUni() <= 1 && p.lastPaired() >= 0 && p.lastPaired() <= 1,
                    "shares in [0, 1]: " + p);
        }

        ComputationGraphConfiguration.GraphBuilder none = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("vec", "seq").setInputTypes(InputType.feedForward(5), InputType.recurrent(3, 4));
        FusionSpec noPooling = spec().toBuilder().pgm(spec().getPgm().toBuilder().pooling(PgmOptions.Pooling.NONE)
                .build()).build();
        String msg = assertThrows(IllegalArgumentException.class, () -> PgmFusion.add(none, noPooling, "vec", "seq"))
                .getMessage();
        assertTrue(msg.contains("input 0") && msg.contains("Pooling.MEAN"), msg);
    }
}

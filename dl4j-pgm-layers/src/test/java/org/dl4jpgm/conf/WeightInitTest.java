package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitConstant;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.dl4jpgm.blocks.ModalPartitionerBlock;
import org.dl4jpgm.blocks.MultiHeadAttentionBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PgM's layers and the decoder vertex draw their weight matrices from the configured weight initialisation: the
 * network's ({@code NeuralNetConfiguration.Builder.weightInit}), overridden by the layer's own, Xavier when neither is
 * set; the choice survives a JSON round trip.
 */
class WeightInitTest {

    private static ComputationGraph graph(NeuralNetConfiguration.Builder net, ModalPartitionerLayer.Builder part,
                                          UniPairedDecoderVertex.Builder dec) {
        ComputationGraphConfiguration conf = net.dataType(DataType.DOUBLE).graphBuilder().addInputs("in", "u", "p")
                .setInputTypes(TestGraphs.inputType(4, 3, RNNFormat.NCW), TestGraphs.inputType(4, 3, RNNFormat.NCW),
                        TestGraphs.inputType(4, 3, RNNFormat.NCW))
                .addLayer("part", part.chunkSize(2).build(), "in")
                .addVertex("dec", dec.heads(2).ffnSize(6).build(), "u", "p")
                .setOutputs("part", "dec").build();
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored, "JSON round trip");
        ComputationGraph g = new ComputationGraph(restored);
        g.init();
        return g;
    }

    private static INDArray param(ComputationGraph g, String vertex, String key) {
        return g.getVertex(vertex).paramTable(false).get(key);
    }

    private static void assertConstant(double expected, INDArray a, String what) {
        assertEquals(expected, a.minNumber().doubleValue(), 0.0, what);
        assertEquals(expected, a.maxNumber().doubleValue(), 0.0, what);
    }

    @Test
    void theNetworksWeightInitialisationIsUsed() {
        ComputationGraph g = graph(new NeuralNetConfiguration.Builder().weightInit(new WeightInitConstant(0.5)),
                new ModalPartitionerLayer.Builder(), new UniPairedDecoderVertex.Builder());
        assertConstant(0.5, param(g, "part", ModalPartitionerBlock.W_UNI), "partitioner W_u");
        assertConstant(0.5, param(g, "dec", "xattn" + MultiHeadAttentionBlock.WQ), "decoder W_q");
        assertConstant(0.0, param(g, "part", ModalPartitionerBlock.B_UNI), "biases stay zero");
    }

    @Test
    void aLayersOwnWeightInitialisationWins() {
        ComputationGraph g = graph(new NeuralNetConfiguration.Builder().weightInit(new WeightInitConstant(0.5)),
                new ModalPartitionerLayer.Builder().weightInit(WeightInit.ONES),
                new UniPairedDecoderVertex.Builder().weightInit(new WeightInitConstant(-0.25)));
        assertConstant(1.0, param(g, "part", ModalPartitionerBlock.W_PAIRED), "partitioner W_p");
        assertConstant(-0.25, param(g, "dec", "xattn" + MultiHeadAttentionBlock.WO), "decoder W_o");
    }

    @Test
    void xavierByDefault() {
        ComputationGraph g = graph(new NeuralNetConfiguration.Builder(), new ModalPartitionerLayer.Builder(),
                new UniPairedDecoderVertex.Builder());
        ModalPartitionerLayer part = (ModalPartitionerLayer) g.getLayer("part").conf().getLayer();
        assertEquals(new WeightInitXavier(), part.weightInit());
        assertTrue(param(g, "part", ModalPartitionerBlock.W_UNI).stdNumber().doubleValue() > 0, "random weights");
    }
}

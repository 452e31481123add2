package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Round trips of one graph that uses all three PgM components ({@link TestGraphs#chainConf}: partitioner, two masked
 * learners, decoder): the configuration survives JSON and YAML, and {@link ModelSerializer} save/restore gives
 * bit-identical outputs, parameters and Adam updater state, also after further training steps on both copies.
 */
class SerializationTest {

    private static final long D = 4;
    private static final long S = 3;
    private static final int MB = 3;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static ComputationGraphConfiguration conf(LearnerMode mode) {
        return TestGraphs.chainConf(D, S, RNNFormat.NCW, mode, GateGradient.STRAIGHT_THROUGH, new Adam(1e-2));
    }

    @ParameterizedTest
    @EnumSource(LearnerMode.class)
    void configurationSurvivesJsonAndYaml(LearnerMode mode) {
        ComputationGraphConfiguration conf = conf(mode);
        String json = conf.toJson();
        ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, fromJson, "JSON round trip");
        assertEquals(json, fromJson.toJson(), "re-serialized JSON");

        String yaml = conf.toYaml();
        ComputationGraphConfiguration fromYaml = ComputationGraphConfiguration.fromYaml(yaml);
        assertEquals(conf, fromYaml, "YAML round trip");
        assertEquals(yaml, fromYaml.toYaml(), "re-serialized YAML");
        assertEquals(json, fromYaml.toJson(), "YAML-restored configuration as JSON");

        // the restored configuration carries the PgM types and their options
        MaskedLearnerLayer learner = (MaskedLearnerLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                fromJson.getVertices().get("uniLearner")).getLayerConf().getLayer();
        assertEquals(mode, learner.getMode());
        assertEquals(D, learner.getWidth());
        assertEquals(2, learner.getChunkSize());
        assertInstanceOf(UniPairedDecoderVertex.class, fromYaml.getVertices().get("dec"));
        assertEquals(D, ((UniPairedDecoderVertex) fromYaml.getVertices().get("dec")).getWidth());
    }

    /** A decoder vertex given a name by its builder (for error messages) keeps it through JSON and YAML. */
    @Test
    void namedDecoderSurvivesJsonAndYaml() {
        ComputationGraphConfiguration conf = TestGraphs.builder(1, new NoOp()).addInputs("u", "p")
                .setInputTypes(InputType.recurrent(D, S), InputType.recurrent(D, S))
                .addVertex("dec", new UniPairedDecoderVertex.Builder().name("dec").heads(2).ffnSize(6).build(), "u", "p")
                .setOutputs("dec").build();
        String json = conf.toJson();
        ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, fromJson);
        assertEquals(json, fromJson.toJson());
        assertEquals("dec", ((UniPairedDecoderVertex) fromJson.getVertices().get("dec")).getName());
        ComputationGraphConfiguration fromYaml = ComputationGraphConfiguration.fromYaml(conf.toYaml());
        assertEquals(json, fromYaml.toJson());
    }

    /** FEATURE mode (the default) only: the save/restore path is the same for both modes, and each fit is slow. */
    @Test
    void modelSerializerRestoresIdenticalModel(@TempDir Path dir) throws IOException {
        ComputationGraph g = new ComputationGraph(conf(LearnerMode.FEATURE));
        g.init();
        MultiDataSet data = data();
        for (int i = 0; i < 2; i++) {
            g.fit(data);
        }
        File file = dir.resolve("chain.zip").toFile();
        ModelSerializer.writeModel(g, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertEquals(g.getConfiguration(), restored.getConfiguration(), "configuration");
        assertBitIdentical(g.params(), restored.params(), "parameters");
        assertBitIdentical(g.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(), "Adam state");
        assertIdenticalOutputs(g, restored, data);

        // training both copies the same way keeps them identical
        INDArray before = g.params().dup();
        for (int i = 0; i < 2; i++) {
            g.fit(data);
            restored.fit(data);
        }
        assertNotEquals(before, g.params(), "training changed the parameters");
        assertBitIdentical(g.params(), restored.params(), "parameters after training both");
        assertBitIdentical(g.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(),
                "Adam state after training both");
        assertIdenticalOutputs(g, restored, data);
    }

    /** Bit-identical outputs, with and without the sequence mask. */
    private static void assertIdenticalOutputs(ComputationGraph a, ComputationGraph b, MultiDataSet data) {
        INDArray[] in = data.getFeatures();
        assertBitIdentical(a.output(in)[0], b.output(in)[0], "output without masks");
        INDArray[] masks = data.getFeaturesMaskArrays();
        assertBitIdentical(a.output(false, in, masks)[0], b.output(false, in, masks)[0], "output with masks");
    }


    private static MultiDataSet data() {
        INDArray x = TestGraphs.input(MB, D, S, RNNFormat.NCW, 41);
        INDArray y = TestGraphs.input(MB, 2, S, RNNFormat.NCW, 42);
        INDArray mask = TestGraphs.mask(MB, S);
        return new MultiDataSet(new INDArray[]{x}, new INDArray[]{y}, new INDArray[]{mask}, new INDArray[]{mask});
    }
}

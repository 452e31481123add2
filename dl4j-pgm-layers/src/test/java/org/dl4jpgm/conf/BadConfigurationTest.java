package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.dl4jpgm.blocks.LearnerMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad configuration or input gives an exception whose message names the layer, what was expected and what came:
 * in the builders, while a graph infers widths from its input types, and at run time for the input arrays.
 */
class BadConfigurationTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Runs {@code code}, expects an exception and that the messages of it and its causes contain every fragment. */
    private static void assertFailsWith(Executable code, String... fragments) {
        Throwable t = assertThrows(Throwable.class, code);
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        for (String f : fragments) {
            assertTrue(all.toString().contains(f), "expected '" + f + "' in the message, got: " + all);
        }
    }

    // ---- builders

    @Test
    void partitionerChunkSizeMustDivideWidth() {
        assertFailsWith(() -> new ModalPartitionerLayer.Builder().name("visionPart").width(6).chunkSize(4).build(),
                "ModalPartitionerLayer 'visionPart'", "chunkSize must be >= 1 and divide the width D", "D = 6",
                "chunkSize = 4");
        assertFailsWith(() -> new ModalPartitionerLayer.Builder().name("visionPart").iterations(0).build(),
                "'visionPart'", "iterations N must be >= 1", "found 0");
    }

    @Test
    void learnerHeadsMustDivideWidth() {
        assertFailsWith(() -> new MaskedLearnerLayer.Builder().name("uniLearner").mode(LearnerMode.SEQUENCE).width(6)
                .heads(4).build(), "MaskedLearnerLayer 'uniLearner'", "heads must divide D", "D = 6", "heads = 4");
        assertFailsWith(() -> new MaskedLearnerLayer.Builder().name("uniLearner").mode(LearnerMode.FEATURE)
                .tokenWidth(6).heads(4).width(8).build(), "'uniLearner'", "heads must divide the token width",
                "tokenWidth = 6", "heads = 4");
    }

    @Test
    void learnerChunkSizeMustDivideWidth() {
        assertFailsWith(() -> new MaskedLearnerLayer.Builder().name("pairedLearner").mode(LearnerMode.FEATURE).width(6)
                .chunkSize(4).build(), "MaskedLearnerLayer 'pairedLearner'", "chunkSize must divide D", "D = 6",
                "chunkSize = 4");
    }

    @Test
    void learnerMaskConstantMustBeFiniteAndNegative() {
        assertFailsWith(() -> new MaskedLearnerLayer.Builder().name("uniLearner")
                .maskConstant(Double.NEGATIVE_INFINITY).build(), "'uniLearner'", "negative and finite", "-Infinity");
    }

    @Test
    void decoderHeadsMustDivideWidth() {
        assertFailsWith(() -> new UniPairedDecoderVertex.Builder().name("dec").width(6).heads(4).build(),
                "UniPairedDecoderVertex 'dec'", "heads must divide D", "D = 6", "heads = 4");
    }

    // ---- widths inferred from the graph's input types

    private static ComputationGraphConfiguration oneLayer(InputType type, Layer layer) {
        return TestGraphs.builder(1, new NoOp()).addInputs("in").setInputTypes(type).addLayer("bad", layer, "in")
                .setOutputs("bad").build();
    }

    @Test
    void inferredWidthNotDivisibleByChunkSize() {
        assertFailsWith(() -> oneLayer(InputType.recurrent(6, 3),
                        new ModalPartitionerLayer.Builder().name("bad").chunkSize(4).build()),
                "ModalPartitionerLayer 'bad'", "D = 6", "chunkSize = 4");
    }

    @Test
    void inferredWidthNotDivisibleByHeads() {
        assertFailsWith(() -> oneLayer(InputType.recurrent(12, 3), new MaskedLearnerLayer.Builder().name("bad")
                .mode(LearnerMode.SEQUENCE).heads(4).build()), "MaskedLearnerLayer 'bad'", "D = 6", "heads = 4");
        assertFailsWith(() -> TestGraphs.builder(1, new NoOp()).addInputs("u", "p")
                .setInputTypes(InputType.recurrent(6, 3), InputType.recurrent(6, 3))
                .addVertex("dec", new UniPairedDecoderVertex.Builder().name("dec").heads(4).build(), "u", "p")
                .setOutputs("dec").build(), "UniPairedDecoderVertex 'dec'", "D = 6", "heads = 4");
    }

    @Test
    void learnerInputMustHaveEvenWidth() {
        assertFailsWith(() -> oneLayer(InputType.recurrent(7, 3), new MaskedLearnerLayer.Builder().name("bad").build()),
                "MaskedLearnerLayer 'bad'", "even width 2D", "found width 7");
    }

    /**
     * The decoder's two inputs must agree. (A layer's width given to its builder is replaced by the graph's input type,
     * as DL4J does with {@code nIn}: GraphBuilder.build() always calls {@code setNIn} with override = true; a wrong
     * width then surfaces at run time, below.)
     */
    @Test
    void decoderInputTypesDisagree() {
        assertFailsWith(() -> TestGraphs.builder(1, new NoOp()).addInputs("u", "p")
                .setInputTypes(InputType.recurrent(4, 3), InputType.recurrent(6, 3))
                .addVertex("dec", new UniPairedDecoderVertex.Builder().name("dec").build(), "u", "p")
                .setOutputs("dec").build(), "UniPairedDecoderVertex 'dec'", "same kind and width");
    }

    // ---- run time

    @Test
    void wrongRankAtRunTime() {
        ComputationGraph g = TestGraphs.partitioner(4, 3, RNNFormat.NCW, 1, 1);
        assertFailsWith(() -> g.output(Nd4j.rand(DataType.DOUBLE, 2, 4, 3, 1)),
                "ModalPartitionerLayer 'part'", "expected input of rank 2 or 3", "found rank 4", "[2, 4, 3, 1]");
    }

    @Test
    void wrongWidthAtRunTime() {
        ComputationGraph g = TestGraphs.partitioner(4, 3, RNNFormat.NCW, 1, 1);
        assertFailsWith(() -> g.output(Nd4j.rand(DataType.DOUBLE, 2, 5, 3)),
                "ModalPartitionerLayer 'part'", "expected input [B, 4, S] (NCW) or [B, 4]", "found shape [2, 5, 3]");
        ComputationGraph learner = TestGraphs.learner(4, 3, RNNFormat.NCW, LearnerMode.SEQUENCE, 1, 1);
        assertFailsWith(() -> learner.output(Nd4j.rand(DataType.DOUBLE, 2, 6, 3)),
                "MaskedLearnerLayer 'learner'", "[B, 8, S]", "found shape [2, 6, 3]");
    }

    @Test
    void decoderInputsOfDifferentShapesAtRunTime() {
        ComputationGraph g = TestGraphs.decoder(4, 3, RNNFormat.NCW);
        assertFailsWith(() -> g.output(Nd4j.rand(DataType.DOUBLE, 2, 4, 3), Nd4j.rand(DataType.DOUBLE, 2, 5, 3)),
                "UniPairedDecoderVertex 'dec'", "[B, 4, S]", "found shape [2, 5, 3]");
    }
}

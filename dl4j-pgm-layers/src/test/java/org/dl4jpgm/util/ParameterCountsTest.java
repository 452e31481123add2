package org.dl4jpgm.util;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.MaskedLearnerBlock;
import org.dl4jpgm.blocks.TransformerEncoderBlock;
import org.dl4jpgm.conf.MaskedLearnerLayer;
import org.dl4jpgm.conf.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ParameterCounts} against the closed forms of the blocks' Javadoc, per vertex and per component, on the chained
 * graph of {@link TestGraphs#chainConf} (partitioner D = 4, chunk 2, N = 2; learners with E = 4 token width, F = 6,
 * chunk 2, one block; decoder F = 6); and the paper's Table 5 reference: one learner block at D = 768, FFN 3072 has
 * 7,087,872 parameters ("7.08 M"), from the closed form and from an instantiated SEQUENCE-mode learner layer.
 */
class ParameterCountsTest {

    private static final long D = 4;
    private static final long F = 6;
    private static final long E = 4;
    private static final long C = 2;
    private static final long T = D / C;

    /** One encoder block of width w, FFN f: {@code 4w² + 4w + 2wf + f + w + 4w}. */
    private static long encoderBlock(long w, long f) {
        return 4 * w * w + 4 * w + 2 * w * f + f + w + 4 * w;
    }

    @ParameterizedTest
    @EnumSource(LearnerMode.class)
    void chainMatchesClosedForms(LearnerMode mode) {
        ComputationGraph g = TestGraphs.chain(D, 3, RNNFormat.NCW, mode, GateGradient.NONE);
        ParameterCounts counts = ParameterCounts.of(g);
        System.out.println(mode + " chain:\n" + counts);

        assertEquals(2 * (D * T + T), counts.vertex("part"), "partitioner 2(DT + T)");
        assertEquals(Map.of("part", 2 * (D * T + T)), counts.components("part"));

        Map<String, Long> learner = new LinkedHashMap<>();
        long width = mode == LearnerMode.SEQUENCE ? D : E;
        if (mode == LearnerMode.FEATURE) {
            learner.put("tok", C * E + E + T * E);
            learner.put("out", E * C + C);
        }
        learner.put("L0attn", 4 * width * width + 4 * width);
        learner.put("L0ln1", 2 * width);
        learner.put("L0ff", 2 * width * F + F + width);
        learner.put("L0ln2", 2 * width);
        long learnerTotal = learner.values().stream().mapToLong(Long::longValue).sum();
        long closed = mode == LearnerMode.SEQUENCE ? encoderBlock(D, F)
                : C * E + E + T * E + encoderBlock(E, F) + E * C + C;
        assertEquals(closed, learnerTotal, "the component closed forms add up to the learner's closed form");
        for (String name : new String[]{"uniLearner", "pairedLearner"}) {
            assertEquals(closed, counts.vertex(name), name + " total");
            assertEquals(learner, counts.components(name), name + " components");
        }

        Map<String, Long> decoder = Map.of("xattn", 4 * D * D + 4 * D, "ln", 2 * D, "ff", 2 * D * F + F + F * D + D);
        assertEquals(decoder, counts.components("dec"), "decoder components");
        assertEquals(4 * D * D + 4 * D + 2 * D + 2 * D * F + F + F * D + D, counts.vertex("dec"), "decoder total");

        assertEquals(D * 2 + 2, counts.vertex("out"), "RnnOutputLayer D x 2 + 2");
        assertTrue(counts.components("out").isEmpty(), "no components for DL4J's own layers");
        // ComputationGraph.numParams() counts layers only, not SameDiff vertices: compare with the flat parameter vector
        assertEquals(g.params().length(), counts.total(), "total equals the length of the graph's parameter vector");
        assertEquals(7, counts.vertices().size(), "part, two subsets, two learners, decoder, output: "
                + counts.vertices());
    }

    @Test
    void componentNames() {
        assertEquals("L0attn", ParameterCounts.component("L0attnWq"));
        assertEquals("L1ln2", ParameterCounts.component("L1ln2lnGain"));
        assertEquals("L0ff", ParameterCounts.component("L0ffB2"));
        assertEquals("part", ParameterCounts.component("partBp"));
        assertEquals("tok", ParameterCounts.component("tokPos"));
        assertEquals("out", ParameterCounts.component("outW"));
        assertNull(ParameterCounts.component("W"));
    }

    @Test
    void paperTable5LearnerBlock() {
        long closedForm = 4L * 768 * 768 + 4 * 768 + 2L * 768 * 3072 + 3072 + 768 + 4 * 768;
        assertEquals(7_087_872L, closedForm, "closed form at D = 768, F = 3072");
        assertEquals(closedForm, new TransformerEncoderBlock("L0", 768, 12, 3072).numParams());
        assertEquals(closedForm, new MaskedLearnerBlock("", 768, LearnerMode.SEQUENCE, 1, 12, 3072, 1, 16, -1e4)
                .numParams());

        ComputationGraph g = ParameterCounts.referenceLearner(768, 3072, 12);
        assertEquals(DataType.FLOAT, g.params().dataType());
        assertTrue(g.getLayer("learner").conf().getLayer() instanceof MaskedLearnerLayer);
        assertEquals(closedForm, g.getLayer("learner").numParams(), "instantiated SEQUENCE-mode learner layer");
        ParameterCounts counts = ParameterCounts.of(g);
        assertEquals(closedForm, counts.vertex("learner"));
        assertEquals(4L * 768 * 768 + 4 * 768, counts.components("learner").get("L0attn"));
        String table = counts.toString();
        System.out.println(table);
        assertTrue(table.contains("7,087,872"), table);
    }
}

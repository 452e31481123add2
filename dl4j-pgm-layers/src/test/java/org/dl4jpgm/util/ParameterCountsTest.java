package org.dl4jpgm.util;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.FeedForwardBlock;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LayerNormBlock;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.LearnerSpec;
import org.dl4jpgm.blocks.LinearBlock;
import org.dl4jpgm.blocks.MaskedLearnerBlock;
import org.dl4jpgm.blocks.ModalPartitionerBlock;
import org.dl4jpgm.blocks.MultiHeadAttentionBlock;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmHeadBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.blocks.TransformerEncoderBlock;
import org.dl4jpgm.blocks.UniPairedDecoderBlock;
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
 * 7,087,872 parameters ("7.08 M"), from the closed form and from an instantiated SEQUENCE-mode learner layer. The
 * blocks derive their counts from the parameters they declare; the closed forms of their Javadoc are asserted here.
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

    private static LearnerSpec spec(LearnerMode mode, int layers, int heads, long ffn, int chunk, long tokenWidth) {
        return new LearnerSpec(mode, layers, heads, ffn, chunk, tokenWidth, -1e4, GateGradient.NONE);
    }

    /** Every block's derived count against the closed form in its Javadoc. */
    @Test
    void blockCountsAreTheClosedForms() {
        long e = 6;
        long f = 10;
        assertEquals(4 * e * e + 4 * e, new MultiHeadAttentionBlock("a", e, 2).numParams(), "attention 4E² + 4E");
        assertEquals(2 * e, new LayerNormBlock("n", e).numParams(), "layer norm 2E");
        assertEquals(5 * f + f + f * 3 + 3, new FeedForwardBlock("f", 5, f, 3).numParams(),
                "FFN in F + F + F out + out");
        assertEquals(5 * 3 + 3, new LinearBlock("w", "b", 5, 3).numParams(), "linear in out + out");
        assertEquals(2 * (e * 3 + 3), new ModalPartitionerBlock("p", e, 2).numParams(), "partitioner 2(DT + T), T = 3");
        assertEquals(encoderBlock(e, f), new TransformerEncoderBlock("L0", e, 2, f).numParams(), "encoder block");
        assertEquals(2 * encoderBlock(e, f), new MaskedLearnerBlock("", e, spec(LearnerMode.SEQUENCE, 2, 2, f, 1, 4))
                .numParams(), "SEQUENCE learner L (4D² + 4D + 2DF + F + D + 4D)");
        long c = 2;
        long t = e / c;
        assertEquals(c * E + E + t * E + 2 * encoderBlock(E, f) + E * c + c,
                new MaskedLearnerBlock("", e, spec(LearnerMode.FEATURE, 2, 2, f, (int) c, E)).numParams(),
                "FEATURE learner cE + E + TE + L(..) + Ec + c");
        assertEquals(4 * e * e + 4 * e + 2 * e + 2 * e * f + f + f * e + e,
                new UniPairedDecoderBlock("dec", e, 2, f, -1e4).numParams(),
                "decoder 4D² + 4D + 2D + 2DF + F + FD + D");
        int m = 3;
        long h = 4;
        long ffn = (m * e) * f + f + f * h + h;
        assertEquals(2 * ffn + 2 * encoderBlock(h, f) + (2 * h * f + f + f * h + h),
                new PgmHeadBlock(m, e, h, 2, f, -1e4).numParams(),
                "head: two FFNs MD -> F -> H, two encoders, 2H -> F -> H");
    }

    /** PgM's components (Table 5's rows) against their closed forms, with one modality projected. */
    @Test
    void pgmComponentsAreTheClosedForms() {
        long d = 4;
        long[] widths = {4, 7, 4};
        int m = widths.length;
        PgmOptions opts = PgmOptions.builder().width(d).partitionerChunkSize(2).learnerMode(LearnerMode.SEQUENCE)
                .learnerHeads(2).learnerFfnSize(F).decoderHeads(2).decoderFfnSize(F).build();
        PgmBlock block = new PgmBlock(opts, widths);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("projections", 7 * d + d);
        expected.put("partitioners", m * 2 * (d * 2 + 2));
        expected.put("uniLearner", encoderBlock(d, F));
        expected.put("pairedLearner", encoderBlock(d, F));
        expected.put("decoder", 4 * d * d + 4 * d + 2 * d + 2 * d * F + F + F * d + d);
        expected.put("ufcClassifier", d * m + m);
        expected.put("pfcClassifier", d * 2 + 2);
        assertEquals(expected, block.parameterCounts());
        assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(), block.numParams());

        PgmBlock shared = new PgmBlock(opts.toBuilder().sharedPartitioner(true).useUpr(false).build(), widths);
        assertEquals(2 * (d * 2 + 2), shared.parameterCounts().get("partitioners"), "one shared partitioner");
        assertEquals(0L, shared.parameterCounts().get("decoder"), "no decoder without UPR");
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
        assertEquals(closedForm, new MaskedLearnerBlock("", 768, spec(LearnerMode.SEQUENCE, 1, 12, 3072, 1, 16))
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

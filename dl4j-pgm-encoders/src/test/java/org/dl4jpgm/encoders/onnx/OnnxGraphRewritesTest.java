package org.dl4jpgm.encoders.onnx;

import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.dl4jpgm.encoders.onnx.OnnxGraphRewrites.intAttr;
import static org.dl4jpgm.encoders.onnx.OnnxGraphRewrites.intsAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rewrite on a small graph: it changes the structure as intended and ONNX Runtime computes the same
 * outputs before and after (the rewrites must not change what a graph computes).
 */
class OnnxGraphRewritesTest {

    private static final String[] S = new String[0];

    private static String[] v(String... s) {
        return s;
    }

    /** Applies a rewrite to a copy, checks ORT outputs are unchanged, returns the rewritten model. */
    private static Onnx.ModelProto rewriteKeepsOutputs(Onnx.ModelProto m, OnnxRewrite r, Map<String, INDArray> in,
                                                       int expectedChanges) throws Exception {
        Map<String, INDArray> before = OnnxTestGraphs.run(m, in);
        ValueShapes shapes = OnnxShapeProbe.probe(m, in);
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        assertEquals(expectedChanges, r.apply(g, shapes), "number of changes");
        Onnx.ModelProto out = OnnxTestGraphs.withGraph(m, g);
        Map<String, INDArray> after = OnnxTestGraphs.run(out, in);
        assertEquals(before.keySet(), after.keySet());
        for (String k : before.keySet()) {
            assertArrayEquals(before.get(k).shape(), after.get(k).shape(), k);
            assertEquals(0.0, before.get(k).castTo(DataType.DOUBLE).sub(after.get(k).castTo(DataType.DOUBLE))
                    .amaxNumber().doubleValue(), 1e-6, k);
        }
        return out;
    }

    private static long count(Onnx.ModelProto m, String op) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }

    private static INDArray rand(long... shape) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
    }

    @Test
    void constantsBecomeInitializers() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 3).output("y")
                .node("Constant", S, v("c"), Onnx.AttributeProto.newBuilder().setName("value")
                        .setType(Onnx.AttributeProto.AttributeType.TENSOR)
                        .setT(OnnxGraphRewrites.floatTensor(new long[]{3}, 1f, 2f, 3f)).build())
                .node("Constant", S, v("k"), Onnx.AttributeProto.newBuilder().setName("value_float")
                        .setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(0.5f).build())
                .node("Mul", v("x", "c"), v("t")).node("Add", v("t", "k"), v("y")).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::constantsToInitializers,
                Map.of("x", rand(2, 3)), 2);
        assertEquals(0, count(r, "Constant"));
        assertEquals(Set.of("c", "k"), Set.copyOf(r.getGraph().getInitializerList().stream()
                .map(Onnx.TensorProto::getName).toList()));
    }

    @Test
    void reduceGetsExplicitKeepDimsAndPositiveAxes() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().opset(11).input("x", -1, 4, 5).output("y")
                .node("ReduceMean", v("x"), v("y"), intsAttr("axes", -1)).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::reduceKeepDimsAndPositiveAxes,
                Map.of("x", rand(2, 4, 5)), 1);
        Onnx.NodeProto n = r.getGraph().getNode(0);
        assertEquals(1, OnnxGraphRewrites.attribute(n, "keepdims").getI());
        assertEquals(List.of(2L), OnnxGraphRewrites.attribute(n, "axes").getIntsList());
    }

    @Test
    void reduceOverAllAxesGetsAxesAndScalarReshape() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 4).output("y")
                .node("ReduceMax", v("x"), v("m"), intAttr("keepdims", 0))
                .node("Sub", v("x", "m"), v("y")).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::reduceAllToExplicitAxes,
                Map.of("x", rand(3, 4)), 1);
        Onnx.NodeProto n = r.getGraph().getNode(0);
        assertEquals(List.of(0L, 1L), OnnxGraphRewrites.attribute(n, "axes").getIntsList());
        assertEquals(1, OnnxGraphRewrites.attribute(n, "keepdims").getI());
        assertEquals("Reshape", r.getGraph().getNode(1).getOpType());
    }

    @Test
    void powOfTwoBecomesMul() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 3).output("y").output("z")
                .init("two", new long[0], 2f).init("three", new long[0], 3f)
                .node("Pow", v("x", "two"), v("y")).node("Pow", v("x", "three"), v("z")).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::powSquareToMul, Map.of("x", rand(2, 3)), 1);
        assertEquals(1, count(r, "Mul"));
        assertEquals(1, count(r, "Pow"), "x^3 stays a Pow");
        assertTrue(r.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().equals("two")),
                "the unused exponent is removed");
    }

    @Test
    void namesWithColonsAreSanitized() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 3).output("y")
                .init("onnx::MatMul_1", new long[]{3, 2}, 1, 2, 3, 4, 5, 6)
                .node("MatMul", v("x", "onnx::MatMul_1"), v("y")).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::sanitizeNames, Map.of("x", rand(2, 3)), 1);
        assertEquals("onnx__MatMul_1", r.getGraph().getInitializer(0).getName());
        assertEquals("onnx__MatMul_1", r.getGraph().getNode(0).getInput(1));
        Onnx.ModelProto clash = new OnnxTestGraphs().input("x", -1, 3).output("y")
                .node("Relu", v("x"), v("a:b")).node("Relu", v("a:b"), v("a_b")).node("Relu", v("a_b"), v("y"))
                .model();
        Onnx.GraphProto.Builder g = clash.getGraph().toBuilder();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OnnxGraphRewrites.sanitizeNames(g, ValueShapes.empty()));
        assertTrue(e.getMessage().contains("a:b"), e.getMessage());
    }

    @Test
    void importerLikeNamesAreRenamed() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().input("input_1", -1, 3).output("conv2d_19")
                .node("Relu", v("input_1"), v("model/relu:0")).node("Relu", v("model/relu:0"), v("conv2d_19"))
                .model();
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        assertEquals(2, OnnxGraphRewrites.renameImporterLikeNames(g, ValueShapes.empty()));
        assertEquals("input_1_onnx", g.getInput(0).getName());
        assertEquals("conv2d_19_onnx", g.getOutput(0).getName());
        assertEquals("model/relu:0", g.getNode(0).getOutput(0));
        assertEquals("conv2d_19_onnx", OnnxGraphRewrites.sameDiffName("conv2d_19"));
        assertEquals("onnx__MatMul_7", OnnxGraphRewrites.sameDiffName("onnx::MatMul_7"));
        assertEquals("last_hidden_state", OnnxGraphRewrites.sameDiffName("last_hidden_state"));
    }

    @Test
    void batchedMatMulBecomes2dAndKeepsTheBatchFree() throws Exception {
        float[] w = new float[4 * 5];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7) - 3;
        }
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 3, 4).output("y").init("w", new long[]{4, 5}, w)
                .node("MatMul", v("x", "w"), v("y")).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::matMulTo2d, Map.of("x", rand(2, 3, 4)), 1);
        assertEquals(2, count(r, "Reshape"));
        // the batch dimension stays free: the rewritten graph still agrees at another batch size
        INDArray x5 = rand(5, 3, 4);
        assertEquals(0.0, OnnxTestGraphs.run(m, Map.of("x", x5)).get("y")
                .sub(OnnxTestGraphs.run(r, Map.of("x", x5)).get("y")).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void unsqueezeOfScalarBecomesReshape() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().opset(11).input("x", -1, 3).output("y")
                .initLong("zero", new long[0], 0).initLong("five", new long[]{1}, 5)
                .node("Shape", v("x"), v("s")).node("Gather", v("s", "zero"), v("b"), intAttr("axis", 0))
                .node("Unsqueeze", v("b"), v("u"), intsAttr("axes", 0))
                .node("Concat", v("u", "five"), v("y"), intAttr("axis", 0)).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::unsqueezeScalarToReshape,
                Map.of("x", rand(2, 3)), 1);
        assertEquals(0, count(r, "Unsqueeze"));
        assertEquals(1, count(r, "Reshape"));
    }

    @Test
    void reshapeAllowZeroIsDroppedOnlyWhereSafe() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().opset(14).input("x", -1, 6).output("y")
                .initLong("shape", new long[]{3}, -1, 2, 3)
                .node("Reshape", v("x", "shape"), v("y"), intAttr("allowzero", 0)).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::dropReshapeAllowZero,
                Map.of("x", rand(2, 6)), 1);
        assertNull(OnnxGraphRewrites.attribute(r.getGraph().getNode(0), "allowzero"));
        Onnx.ModelProto zero = new OnnxTestGraphs().opset(14).input("x", -1, 6).output("y")
                .initLong("shape", new long[]{3}, 0, 2, 3)
                .node("Reshape", v("x", "shape"), v("y"), intAttr("allowzero", 1)).model();
        Onnx.GraphProto.Builder g = zero.getGraph().toBuilder();
        assertThrows(IllegalStateException.class, () -> OnnxGraphRewrites.dropReshapeAllowZero(g, ValueShapes.empty()));
    }

    @Test
    void pruneRemovesWhatOnlyOtherOutputsNeed() throws Exception {
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 3).output("y").output("pooled")
                .init("w", new long[]{3, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1)
                .node("Relu", v("x"), v("y")).node("MatMul", v("y", "w"), v("pooled")).model();
        Onnx.ModelProto r = rewriteKeepsOutputsAfterPrune(m);
        assertEquals(1, r.getGraph().getNodeCount());
        assertEquals(0, r.getGraph().getInitializerCount());
        assertEquals(1, r.getGraph().getOutputCount());
        assertThrows(IllegalArgumentException.class, () -> OnnxGraphRewrites.pruneToOutputs(Set.of("nope"))
                .apply(m.getGraph().toBuilder(), ValueShapes.empty()));
    }

    private static Onnx.ModelProto rewriteKeepsOutputsAfterPrune(Onnx.ModelProto m) throws Exception {
        INDArray x = rand(2, 3);
        Onnx.GraphProto.Builder g = m.getGraph().toBuilder();
        assertEquals(3, OnnxGraphRewrites.pruneToOutputs(Set.of("y")).apply(g, ValueShapes.empty()),
                "one output, one node, one initializer removed");
        Onnx.ModelProto r = OnnxTestGraphs.withGraph(m, g);
        assertEquals(0.0, OnnxTestGraphs.run(m, Map.of("x", x)).get("y")
                .sub(OnnxTestGraphs.run(r, Map.of("x", x)).get("y")).amaxNumber().doubleValue(), 0.0);
        return r;
    }

    @Test
    void conv1dBecomesConv2d() throws Exception {
        float[] w = new float[3 * 2 * 5];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 2, 20).output("y").init("w", new long[]{3, 2, 5}, w)
                .init("b", new long[]{3}, 0.1f, 0.2f, 0.3f)
                .node("Conv", v("x", "w", "b"), v("y"), intsAttr("kernel_shape", 5), intsAttr("strides", 2),
                        intsAttr("pads", 1, 1), intsAttr("dilations", 1)).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::conv1dTo2d, Map.of("x", rand(2, 2, 20)), 1);
        Onnx.NodeProto conv = r.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .findFirst().orElseThrow();
        assertEquals(List.of(1L, 5L), OnnxGraphRewrites.attribute(conv, "kernel_shape").getIntsList());
        assertEquals(List.of(0L, 1L, 0L, 1L), OnnxGraphRewrites.attribute(conv, "pads").getIntsList());
    }

    @Test
    void convWithoutBiasGetsZeroBias() throws Exception {
        float[] w = new float[4 * 1 * 3 * 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = i - 5;
        }
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 1, 6, 4).output("y")
                .init("w", new long[]{4, 1, 3, 1}, w)
                .node("Conv", v("x", "w"), v("y"), intsAttr("kernel_shape", 3, 1)).model();
        Onnx.ModelProto r = rewriteKeepsOutputs(m, OnnxGraphRewrites::convZeroBias, Map.of("x", rand(2, 1, 6, 4)), 1);
        assertEquals(3, r.getGraph().getNode(0).getInputCount());
    }

    @Test
    void preparerReportsEveryRewriteAndRejectsUnknownSkips() {
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 3).output("y")
                .init("two", new long[0], 2f).node("Pow", v("x", "two"), v("y")).model();
        OnnxGraphPreparer.Result r = OnnxGraphPreparer.builder().build().prepare(m, Map.of("x", rand(2, 3)));
        assertEquals(1, r.changes().get("powSquareToMul"));
        assertTrue(r.changes().keySet().containsAll(OnnxGraphPreparer.REWRITES.subList(1,
                OnnxGraphPreparer.REWRITES.size())), r.changes().toString());
        OnnxGraphPreparer.Result skipped = OnnxGraphPreparer.builder().skip("powSquareToMul").build()
                .prepare(m, Map.of("x", rand(2, 3)));
        assertEquals(1, count(skipped.model(), "Pow"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxGraphPreparer.builder().skip("noSuchRewrite").build());
        assertTrue(e.getMessage().contains("noSuchRewrite"));
    }
}

package org.dl4jpgm.impl;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.conf.MaskedLearnerLayer;
import org.dl4jpgm.conf.TestGraphs;
import org.dl4jpgm.conf.UniPairedDecoderVertex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which case of DL4J's SameDiff gradient bug holds (factor 2 = bug present, as in 1.0.0-M2.1; 1 = fixed), and that the
 * corrected runtimes return the true gradients either way: input and parameter gradients of a
 * {@link CorrectedSameDiffLayer} and a {@link CorrectedSameDiffGraphVertex} equal those of the same computation in a
 * plain {@link SameDiff} ({@code sd.calculateGradients}, which the bug does not affect), with the loss
 * {@code L = sum(y * eps)} so that {@code dL/dy = eps}.
 */
class GradientScaleTest {

    private static final long D = 4;
    private static final long S = 3;
    private static final int MB = 2;
    private static final double TOL = 1e-10;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void factorIsEitherTheKnownBugOrFixed() {
        double layer = GradientScale.layerFactor();
        double vertex = GradientScale.vertexFactor();
        for (double f : new double[]{layer, vertex}) {
            assertTrue(f == 2.0 || f == 1.0, "expected a gradient factor of exactly 2.0 (DL4J M2.1 bug) or 1.0 (fixed), "
                    + "measured " + f);
        }
        System.out.println("GradientScale: SameDiffLayer factor " + layer + " ("
                + (layer == 2.0 ? "DL4J's 2x gradient bug is present, corrected" : "bug fixed, no correction") + ")"
                + "; SameDiffVertex factor " + vertex + " ("
                + (vertex == 2.0 ? "bug present, corrected" : "bug fixed, no correction") + ")");
    }

    @Test
    void correctedLayerGradientsEqualPlainSameDiff() {
        ComputationGraph g = TestGraphs.learner(D, S, RNNFormat.NCW, LearnerMode.SEQUENCE, 1, 1);
        g.initGradientsView();
        INDArray x = TestGraphs.learnerInput(MB, D, S, RNNFormat.NCW, 1, 21);
        INDArray mask = TestGraphs.mask(MB, S);
        INDArray eps = TestGraphs.input(MB, D, S, RNNFormat.NCW, 22);

        Layer layer = g.getLayer("learner");
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, mgr);
        layer.setMaskArray(mask);
        layer.activate(true, mgr);
        Pair<Gradient, INDArray> dl4j = layer.backpropGradient(eps, mgr);

        MaskedLearnerLayer conf = (MaskedLearnerLayer) g.getLayer("learner").conf().getLayer();
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var("in", x.dup());   // a variable, so that SameDiff gives dL/dx
        SDVariable m = sd.placeHolder("mask", DataType.DOUBLE, -1, S);
        Map<String, SDVariable> params = variables(sd, layer.paramTable());
        SDVariable y = conf.defineLayer(sd, in, params, m);
        Map<String, INDArray> reference = gradients(sd, y, eps, Map.of("mask", mask), "in", params);

        assertClose(reference.get("in"), dl4j.getSecond(), "dL/dx of the layer");
        assertGradients(reference, dl4j.getFirst(), params.keySet(), "layer");
    }

    @Test
    void correctedVertexGradientsEqualPlainSameDiff() {
        ComputationGraph g = TestGraphs.decoder(D, S, RNNFormat.NCW);
        g.initGradientsView();
        INDArray uni = TestGraphs.input(MB, D, S, RNNFormat.NCW, 31);
        INDArray paired = TestGraphs.input(MB, D, S, RNNFormat.NCW, 32);
        INDArray mask = TestGraphs.mask(MB, S);
        INDArray eps = TestGraphs.input(MB, D, S, RNNFormat.NCW, 33);

        GraphVertex v = g.getVertex("dec");
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        v.setInputs(uni, paired);
        v.feedForwardMaskArrays(new INDArray[]{mask, mask}, org.deeplearning4j.nn.api.MaskState.Active, MB);
        v.doForward(true, mgr);
        v.setEpsilon(eps);
        Pair<Gradient, INDArray[]> dl4j = v.doBackward(false, mgr);

        UniPairedDecoderVertex conf = (UniPairedDecoderVertex) g.getConfiguration().getVertices().get("dec");
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> inputs = new LinkedHashMap<>();
        inputs.put(UniPairedDecoderVertex.INPUT_UNI, sd.var("u", uni.dup()));
        inputs.put(UniPairedDecoderVertex.INPUT_PAIRED, sd.var("p", paired.dup()));
        SDVariable m = sd.placeHolder("mask", DataType.DOUBLE, -1, S);
        Map<String, SDVariable> masks = Map.of(UniPairedDecoderVertex.INPUT_UNI, m, UniPairedDecoderVertex.INPUT_PAIRED, m);
        Map<String, SDVariable> params = variables(sd, v.paramTable(false));
        SDVariable y = conf.defineVertex(sd, inputs, params, masks);
        Map<String, INDArray> phs = Map.of("mask", mask);
        List<String> wanted = new ArrayList<>(List.of("u", "p"));
        wanted.addAll(params.keySet());
        Map<String, INDArray> reference = gradients(sd, y, eps, phs, wanted);

        assertClose(reference.get("u"), dl4j.getSecond()[0], "dL/d(uni) of the vertex");
        assertClose(reference.get("p"), dl4j.getSecond()[1], "dL/d(paired) of the vertex");
        assertGradients(reference, dl4j.getFirst(), params.keySet(), "vertex");
    }

    /** Plain SameDiff variables holding copies of the layer's parameter values. */
    private static Map<String, SDVariable> variables(SameDiff sd, Map<String, INDArray> table) {
        Map<String, SDVariable> params = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            params.put(e.getKey(), sd.var(e.getKey(), e.getValue().dup()));
        }
        assertTrue(params.size() > 0, "the layer under test has parameters");
        return params;
    }

    private static Map<String, INDArray> gradients(SameDiff sd, SDVariable y, INDArray eps, Map<String, INDArray> phs,
                                                   String input, Map<String, SDVariable> params) {
        List<String> wanted = new ArrayList<>(List.of(input));
        wanted.addAll(params.keySet());
        return gradients(sd, y, eps, phs, wanted);
    }

    /** Gradients of {@code L = sum(y * eps)} in plain SameDiff. */
    private static Map<String, INDArray> gradients(SameDiff sd, SDVariable y, INDArray eps, Map<String, INDArray> phs,
                                                   List<String> wanted) {
        SDVariable loss = y.mul(sd.constant(eps)).sum();
        sd.setLossVariables(loss);
        return sd.calculateGradients(new HashMap<>(phs), wanted);
    }

    private static void assertGradients(Map<String, INDArray> reference, Gradient dl4j, Iterable<String> keys,
                                        String what) {
        int checked = 0;
        for (String k : keys) {
            INDArray got = dl4j.gradientForVariable().get(k);
            assertNotNull(got, what + ": no gradient for parameter " + k + "; present " + dl4j.gradientForVariable().keySet());
            assertClose(reference.get(k), got, what + " parameter " + k);
            checked++;
        }
        assertEquals(dl4j.gradientForVariable().size(), checked, what + ": every parameter gradient compared");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertNotNull(expected, what + ": no reference gradient");
        assertTrue(expected.amaxNumber().doubleValue() > 0,
                what + ": reference gradient is identically zero, the comparison would be empty");
        INDArray e = expected.reshape(actual.shape());
        double scale = Math.max(1.0, e.amaxNumber().doubleValue());
        double diff = e.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= TOL * scale, what + ": expected the plain SameDiff gradient, max abs difference " + diff
                + " (a factor " + (actual.amaxNumber().doubleValue() / e.amaxNumber().doubleValue()) + " apart)");
    }
}

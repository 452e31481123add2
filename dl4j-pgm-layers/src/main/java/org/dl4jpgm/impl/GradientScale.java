package org.dl4jpgm.impl;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Measures, once per JVM, the factor by which DL4J's stock SameDiff layer and vertex runtimes scale the gradients
 * they return. DL4J 1.0.0-M2.1 returns exactly twice the true gradient (the external-errors path of the gradient graph
 * holds {@code add(g, g)}; docs/dl4j-m2.1-notes.md, SameDiff 1). The corrected runtimes
 * ({@link CorrectedSameDiffLayer}, {@link CorrectedSameDiffGraphVertex}) divide the incoming error by the measured
 * factor, so they stay right when DL4J fixes the bug (the factor then measures 1).
 *
 * <p>The probe is {@code y = w x} on one scalar, w = 3, x = 2, dL/dy = 1: the true dL/dx is 3 and dL/dw is 2.
 */
public final class GradientScale {

    private static final double W = 3.0;
    private static final double X = 2.0;
    private static volatile double layerFactor = Double.NaN;
    private static volatile double vertexFactor = Double.NaN;

    private GradientScale() {
    }

    /** Measured dL/dx of the stock {@code SameDiffLayer} runtime divided by the true dL/dx (2.0 in DL4J M2.1). */
    public static double layerFactor() {
        if (Double.isNaN(layerFactor)) {
            synchronized (GradientScale.class) {
                if (Double.isNaN(layerFactor)) {
                    layerFactor = QuietGradFunction.withoutOpLines(GradientScale::measureLayer);
                }
            }
        }
        return layerFactor;
    }

    /** Measured dL/dx of the stock {@code SameDiffGraphVertex} runtime divided by the true dL/dx. */
    public static double vertexFactor() {
        if (Double.isNaN(vertexFactor)) {
            synchronized (GradientScale.class) {
                if (Double.isNaN(vertexFactor)) {
                    vertexFactor = QuietGradFunction.withoutOpLines(GradientScale::measureVertex);
                }
            }
        }
        return vertexFactor;
    }

    private static double measureLayer() {
        ProbeLayer probe = new ProbeLayer();
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).layer(probe).build();
        INDArray params = Nd4j.create(DataType.DOUBLE, 1, 1);
        Layer layer = probe.instantiate(conf, null, 0, params, true, DataType.DOUBLE);
        layer.setBackpropGradientsViewArray(Nd4j.create(DataType.DOUBLE, 1, 1));
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(Nd4j.valueArrayOf(new long[]{1, 1}, X, DataType.DOUBLE), mgr);
        layer.activate(true, mgr);
        INDArray dLdx = layer.backpropGradient(Nd4j.ones(DataType.DOUBLE, 1, 1), mgr).getSecond();
        return checked(dLdx.getDouble(0) / W, "SameDiffLayer");
    }

    private static double measureVertex() {
        ProbeVertex probe = new ProbeVertex();
        INDArray params = Nd4j.create(DataType.DOUBLE, 1, 1);
        GraphVertex v = probe.instantiate(null, "gradientScaleProbe", 0, params, true, DataType.DOUBLE);
        v.setBackpropGradientsViewArray(Nd4j.create(DataType.DOUBLE, 1, 1));
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        v.setInputs(Nd4j.valueArrayOf(new long[]{1, 1}, X, DataType.DOUBLE));
        v.doForward(true, mgr);
        v.setEpsilon(Nd4j.ones(DataType.DOUBLE, 1, 1));
        INDArray dLdx = v.doBackward(false, mgr).getSecond()[0];
        return checked(dLdx.getDouble(0) / W, "SameDiffVertex");
    }

    private static double checked(double factor, String what) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalStateException("Gradient probe of DL4J's " + what + " runtime gave a factor of " + factor
                    + " (expected a positive finite number, 2 in DL4J 1.0.0-M2.1)");
        }
        return factor;
    }

    /** {@code y = w x}, w initialised to 3, run by DL4J's stock SameDiffLayer runtime. */
    static final class ProbeLayer extends SameDiffLayer {
        @Override
        public SDVariable defineLayer(SameDiff sd, SDVariable in, Map<String, SDVariable> p, SDVariable mask) {
            return in.mul(p.get("w"));
        }

        @Override
        public void defineParameters(SDLayerParams params) {
            params.addWeightParam("w", 1, 1);
        }

        @Override
        public void initializeParameters(Map<String, INDArray> params) {
            params.get("w").assign(W);
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType inputType) {
            return inputType;
        }
    }

    /** {@code y = w x}, w initialised to 3, run by DL4J's stock SameDiffGraphVertex runtime. */
    static final class ProbeVertex extends SameDiffVertex {
        @Override
        public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> in, Map<String, SDVariable> p,
                                       Map<String, SDVariable> masks) {
            return in.get("x").mul(p.get("w"));
        }

        @Override
        public void defineParametersAndInputs(SDVertexParams params) {
            params.defineInputs("x");
            params.addWeightParam("w", 1, 1);
        }

        @Override
        public void initializeParameters(Map<String, INDArray> params) {
            params.get("w").assign(W);
        }

        @Override
        public org.deeplearning4j.nn.conf.graph.GraphVertex clone() {
            return new ProbeVertex();
        }
    }
}

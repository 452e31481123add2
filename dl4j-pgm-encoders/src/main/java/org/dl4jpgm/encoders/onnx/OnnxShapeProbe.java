package org.dl4jpgm.encoders.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Measures the shape of every value of an ONNX graph by running it once in ONNX Runtime on sample inputs,
 * with every node output exposed as a graph output. This replaces ONNX shape inference (not available in
 * Java) for the rewrites that need ranks or fixed dimensions.
 */
public final class OnnxShapeProbe {

    private OnnxShapeProbe() {
    }

    /**
     * @param model  the model (not modified)
     * @param inputs sample value for every graph input that is not an initializer
     * @return shapes of graph inputs, initializers and every node output
     */
    public static ValueShapes probe(Onnx.ModelProto model, Map<String, INDArray> inputs) {
        Onnx.GraphProto g = model.getGraph();
        Map<String, long[]> shapes = new HashMap<>();
        for (Onnx.TensorProto init : g.getInitializerList()) {
            shapes.put(init.getName(), init.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
            shapes.put(e.getKey(), e.getValue().shape());
        }
        Set<String> outputs = new LinkedHashSet<>();
        for (Onnx.NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                if (!o.isEmpty()) {
                    outputs.add(o);
                }
            }
        }
        Onnx.GraphProto.Builder gb = g.toBuilder().clearOutput();
        for (String o : outputs) {
            gb.addOutput(Onnx.ValueInfoProto.newBuilder().setName(o));
        }
        byte[] bytes = model.toBuilder().setGraph(gb).build().toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(bytes, opts)) {
                for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
                    feed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
                }
                try (OrtSession.Result r = session.run(feed)) {
                    for (Map.Entry<String, OnnxValue> e : r) {
                        if (e.getValue().getInfo() instanceof TensorInfo) {
                            shapes.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("OnnxShapeProbe: ONNX Runtime could not run the graph '"
                    + g.getName() + "' on the sample inputs " + inputs.keySet() + ": " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        return new ValueShapes(shapes);
    }
}

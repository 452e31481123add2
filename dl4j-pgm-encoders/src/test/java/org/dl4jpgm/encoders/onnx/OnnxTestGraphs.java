package org.dl4jpgm.encoders.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds small ONNX graphs for the rewrite tests and runs them in ONNX Runtime. */
final class OnnxTestGraphs {

    private final Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("test");
    private int opset = 13;

    OnnxTestGraphs opset(int v) {
        opset = v;
        return this;
    }

    /** Float input; a negative dimension is symbolic. */
    OnnxTestGraphs input(String name, long... shape) {
        return input(name, Onnx.TensorProto.DataType.FLOAT, shape);
    }

    OnnxTestGraphs input(String name, Onnx.TensorProto.DataType type, long... shape) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (int i = 0; i < shape.length; i++) {
            Onnx.TensorShapeProto.Dimension.Builder d = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (shape[i] < 0) {
                d.setDimParam("d" + i);
            } else {
                d.setDimValue(shape[i]);
            }
            s.addDim(d);
        }
        g.addInput(Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s))));
        return this;
    }

    OnnxTestGraphs output(String name) {
        g.addOutput(Onnx.ValueInfoProto.newBuilder().setName(name));
        return this;
    }

    OnnxTestGraphs init(String name, long[] dims, float... v) {
        g.addInitializer(OnnxGraphRewrites.floatTensor(dims, v).toBuilder().setName(name));
        return this;
    }

    OnnxTestGraphs initLong(String name, long[] dims, long... v) {
        g.addInitializer(OnnxGraphRewrites.longTensor(dims, v).toBuilder().setName(name));
        return this;
    }

    OnnxTestGraphs node(String op, String[] in, String[] out, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(op + "_" + g.getNodeCount());
        for (String s : in) {
            n.addInput(s);
        }
        for (String s : out) {
            n.addOutput(s);
        }
        for (Onnx.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        g.addNode(n);
        return this;
    }

    Onnx.ModelProto model() {
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setGraph(g)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(opset)).build();
    }

    static Onnx.ModelProto withGraph(Onnx.ModelProto m, Onnx.GraphProto.Builder g) {
        return m.toBuilder().setGraph(g).build();
    }

    /** Runs the model in ONNX Runtime and returns every graph output. */
    static Map<String, INDArray> run(Onnx.ModelProto m, Map<String, INDArray> inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions())) {
            for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
                feed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
            }
            Map<String, INDArray> out = new LinkedHashMap<>();
            try (OrtSession.Result r = s.run(feed)) {
                r.forEach(e -> out.put(e.getKey(), OrtTensors.toNd4j((OnnxTensor) e.getValue())));
            }
            return out;
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }
}

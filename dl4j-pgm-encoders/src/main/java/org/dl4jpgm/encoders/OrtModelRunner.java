package org.dl4jpgm.encoders;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.dl4jpgm.encoders.onnx.OrtTensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@link ModelRunner} on ONNX Runtime for Java (CPU), full graph optimisation. */
public final class OrtModelRunner implements ModelRunner {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Path model;

    /** @param model the ONNX file */
    public OrtModelRunner(Path model) {
        this.model = model;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            this.session = env.createSession(model.toString(), opts);
        } catch (OrtException e) {
            throw new IllegalStateException("OrtModelRunner: ONNX Runtime could not load " + model + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, INDArray> run(Map<String, INDArray> inputs, String... outputs) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, INDArray> e : inputs.entrySet()) {
                feed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
            }
            try (OrtSession.Result r = session.run(feed, Set.of(outputs))) {
                Map<String, INDArray> out = new LinkedHashMap<>();
                for (String o : outputs) {
                    OnnxValue v = r.get(o).orElseThrow(() -> new IllegalStateException(
                            "OrtModelRunner: output '" + o + "' missing from the run of " + model));
                    out.put(o, OrtTensors.toNd4j((OnnxTensor) v));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("OrtModelRunner: run of " + model + " on inputs " + inputs.keySet()
                    + " failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public EncoderBackend backend() {
        return EncoderBackend.ONNX_RUNTIME;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}

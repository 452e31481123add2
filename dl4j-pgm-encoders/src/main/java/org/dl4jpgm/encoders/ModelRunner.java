package org.dl4jpgm.encoders;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Runs one model on named inputs; implemented by ONNX Runtime and by a converted SameDiff graph. */
public interface ModelRunner extends AutoCloseable {

    /**
     * @param inputs  inputs by their ONNX names
     * @param outputs outputs wanted, by their ONNX names
     * @return the outputs by their ONNX names
     */
    Map<String, INDArray> run(Map<String, INDArray> inputs, String... outputs);

    /** @return the backend */
    EncoderBackend backend();

    @Override
    void close();
}

package org.dl4jpgm.encoders;

import org.dl4jpgm.encoders.onnx.OnnxSameDiffConverter;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** {@link ModelRunner} on a converted SameDiff graph ({@link OnnxSameDiffConverter}). */
public final class SameDiffModelRunner implements ModelRunner {

    private final OnnxSameDiffConverter.Converted converted;

    /** @param converted the converted graph */
    public SameDiffModelRunner(OnnxSameDiffConverter.Converted converted) {
        this.converted = converted;
    }

    /** @return the conversion (graph, flatbuffers file, whether it was loaded) */
    public OnnxSameDiffConverter.Converted converted() {
        return converted;
    }

    /** @return the SameDiff graph, e.g. to embed the encoder in a larger graph or fine-tune it */
    public SameDiff sameDiff() {
        return converted.sameDiff();
    }

    @Override
    public Map<String, INDArray> run(Map<String, INDArray> inputs, String... outputs) {
        return converted.output(inputs, outputs);
    }

    @Override
    public EncoderBackend backend() {
        return EncoderBackend.SAMEDIFF;
    }

    @Override
    public void close() {
        // SameDiff holds no native session to release; arrays are freed by the GC / workspaces.
    }
}

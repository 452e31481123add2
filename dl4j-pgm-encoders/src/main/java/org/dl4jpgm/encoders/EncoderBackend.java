package org.dl4jpgm.encoders;

/**
 * Which engine runs an imported encoder. Both run the same ONNX model and agree to 1e-4 (tested).
 */
public enum EncoderBackend {
    /** ONNX Runtime for Java on the model as exported: the faster path, the default for feature extraction. */
    ONNX_RUNTIME,
    /** The SameDiff graph converted by {@code samediff-import-onnx}: use it when the encoder must sit inside
     * a DL4J/SameDiff graph (fine-tuning, gradients). */
    SAMEDIFF
}

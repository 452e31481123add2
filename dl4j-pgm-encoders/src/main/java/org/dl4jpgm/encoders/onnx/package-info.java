/**
 * ONNX to SameDiff conversion for {@code samediff-import-onnx} 1.0.0-M2.1: a generic graph preparation
 * pass ({@link org.dl4jpgm.encoders.onnx.OnnxGraphPreparer}) made of separately tested rewrites
 * ({@link org.dl4jpgm.encoders.onnx.OnnxGraphRewrites}), post-import fixes
 * ({@link org.dl4jpgm.encoders.onnx.SameDiffFixes}), and a converter that saves converted graphs as
 * SameDiff flatbuffers ({@link org.dl4jpgm.encoders.onnx.OnnxSameDiffConverter}). ONNX Runtime measures
 * value shapes ({@link org.dl4jpgm.encoders.onnx.OnnxShapeProbe}) and is the reference for verification.
 */
package org.dl4jpgm.encoders.onnx;

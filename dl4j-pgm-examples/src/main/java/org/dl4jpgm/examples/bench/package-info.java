/** Benchmarks: throughput of the SameDiff-converted encoders against ONNX Runtime. */
package org.dl4jpgm.examples.bench;

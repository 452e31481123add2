package org.dl4jpgm.encoders.onnx;

import onnx.Onnx;

/**
 * One edit of an ONNX graph, done on the protobuf before SameDiff import. A rewrite must keep the
 * graph's function (what ONNX Runtime computes from it) unchanged; it only changes how it is expressed,
 * so that {@code samediff-import-onnx} 1.0.0-M2.1 can import it.
 */
@FunctionalInterface
public interface OnnxRewrite {

    /**
     * Applies the rewrite in place.
     *
     * @param graph  the graph to edit
     * @param shapes shapes of the graph's values, measured on sample inputs (may be empty for rewrites
     *               that do not need them)
     * @return how many places were changed (0: the rewrite did not apply)
     */
    int apply(Onnx.GraphProto.Builder graph, ValueShapes shapes);
}

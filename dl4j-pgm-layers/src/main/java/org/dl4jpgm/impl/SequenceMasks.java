package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * All-ones masks with the shape DL4J uses for an input: {@code [B, S]} for recurrent input in either NCW
 * {@code [B, D, S]} or NWC {@code [B, S, D]} layout, {@code [B, 1]} for feed-forward {@code [B, D]}. DL4J M2.1's own
 * default takes the last axis as S, which is wrong for NWC (docs/dl4j-m2.1-notes.md, SameDiff 3).
 */
public final class SequenceMasks {

    private SequenceMasks() {
    }

    public static INDArray ones(DataType dataType, long[] inputShape, RNNFormat format) {
        if (inputShape.length == 2) {
            return Nd4j.ones(dataType, inputShape[0], 1);
        }
        if (inputShape.length == 3) {
            long seq = format == RNNFormat.NWC ? inputShape[1] : inputShape[2];
            return Nd4j.ones(dataType, inputShape[0], seq);
        }
        throw new IllegalArgumentException("Expected input of rank 2 [B, D] or rank 3 (" + format + "), found shape "
                + java.util.Arrays.toString(inputShape));
    }
}

package org.dl4jpgm.datavec.cache;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Computes the features of items [from, to) of a dataset: an array [to - from, ...]. */
@FunctionalInterface
public interface BatchExtractor {
    INDArray extract(int from, int to) throws Exception;
}

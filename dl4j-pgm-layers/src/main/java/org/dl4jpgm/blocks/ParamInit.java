package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Parameter initialisation shared by the blocks: the configured weight initialisation ({@link SdBlock}, Xavier by
 * default) for weight matrices, constants for biases and gains, except the attention output bias
 * ({@link MultiHeadAttentionBlock#BO}), drawn from N(0, 0.1²).
 */
final class ParamInit {

    private ParamInit() {
    }

    /**
     * Parameter keys must not contain '_': DL4J joins vertex name and parameter key with '_' and splits them again
     * at the last '_' when it applies updaters.
     */
    static String checkPrefix(String prefix) {
        if (prefix.indexOf('_') >= 0) {
            throw new IllegalArgumentException("Parameter key prefix must not contain '_' (DL4J splits parameter names "
                    + "at '_'), found '" + prefix + "'");
        }
        return prefix;
    }

    static INDArray get(Map<String, INDArray> params, String key) {
        INDArray a = params.get(key);
        if (a == null) {
            throw new IllegalStateException("Parameter '" + key + "' expected but not found; present: " + params.keySet());
        }
        return a;
    }

    /** A {@code [fanIn, fanOut]} weight matrix drawn from {@code init}, in place. */
    static void weights(Map<String, INDArray> params, String key, IWeightInit init) {
        INDArray w = get(params, key);
        long fanIn = w.size(0);
        long fanOut = w.size(w.rank() - 1);
        init.init(fanIn, fanOut, w.shape(), 'c', w);
    }

    static void constant(Map<String, INDArray> params, String key, double value) {
        get(params, key).assign(value);
    }

    /** Independent draws from N(0, std²), in place. */
    static void normal(Map<String, INDArray> params, String key, double std) {
        INDArray a = get(params, key);
        a.assign(Nd4j.randn(a.dataType(), a.shape()).muli(std));
    }
}

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The contract of a PgM building block: it declares its parameters ({@link #defineParameters}) and initialises them
 * ({@link #initializeParameters}); its parameter count follows from what it declares ({@link #numParams}). A block
 * made of other blocks registers them once ({@link CompositeBlock#addChild}) and gets all three from the registry.
 * The ops a block adds to a {@code SameDiff} differ by block (its {@code apply} / {@code step} / {@code define}), so
 * they are not part of the contract.
 *
 * <p>Weight matrices are drawn from the given {@link IWeightInit} ({@link #DEFAULT_WEIGHT_INIT}, Xavier, when none is
 * configured); biases, layer-norm gains and the attention output bias have fixed initialisations that the blocks
 * document.
 */
public interface SdBlock {

    /** The weight initialisation when none is configured: Xavier, DL4J's own default. */
    IWeightInit DEFAULT_WEIGHT_INIT = new WeightInitXavier();

    /** Declares this block's parameters, in a fixed order (the order lays out the flat parameter vector). */
    void defineParameters(SDLayerParams params);

    /**
     * Initialises this block's parameters in place.
     *
     * @param params     the arrays of every parameter {@link #defineParameters} declared (others may be present)
     * @param weightInit the distribution of weight matrices {@code [fanIn, fanOut]}
     */
    void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit);

    /** {@link #initializeParameters(Map, IWeightInit)} with {@link #DEFAULT_WEIGHT_INIT}. */
    default void initializeParameters(Map<String, INDArray> params) {
        initializeParameters(params, DEFAULT_WEIGHT_INIT);
    }

    /** The number of parameters, from the shapes {@link #defineParameters} declares. */
    default long numParams() {
        SDLayerParams declared = new SDLayerParams();
        defineParameters(declared);
        long n = 0;
        for (long[] shape : declared.getParamShapes().values()) {
            long size = 1;
            for (long s : shape) {
                size *= s;
            }
            n += size;
        }
        return n;
    }
}

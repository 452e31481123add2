package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Layer normalisation over the last axis of {@code [B, T, E]}; parameters gain and bias {@code [1, E]}: {@code 2E}. */
public final class LayerNormBlock implements SdBlock {

    public static final String GAIN = "lnGain";
    public static final String BIAS = "lnBias";

    private final String prefix;
    private final long width;

    public LayerNormBlock(String prefix, long width) {
        this.prefix = prefix;
        this.width = width;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(prefix + GAIN, 1, width);
        params.addBiasParam(prefix + BIAS, 1, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        ParamInit.constant(params, prefix + GAIN, 1.0);
        ParamInit.constant(params, prefix + BIAS, 0.0);
    }

    /** @param x {@code [B, T, E]} */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable x) {
        return SdOps.layerNorm(x, p.get(prefix + GAIN), p.get(prefix + BIAS), 2);
    }
}

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Position-wise feed-forward network {@code GELU(x W_1 + b_1) W_2 + b_2}: {@code [B, T, in] -> [B, T, out]}.
 * Parameters {@code W_1: [in, F]}, {@code b_1: [1, F]}, {@code W_2: [F, out]}, {@code b_2: [1, out]}:
 * {@code in F + F + F out + out}.
 */
public final class FeedForwardBlock implements SdBlock {

    public static final String W1 = "ffW1";
    public static final String B1 = "ffB1";
    public static final String W2 = "ffW2";
    public static final String B2 = "ffB2";

    private final String prefix;
    private final long in;
    private final long hidden;
    private final long out;

    public FeedForwardBlock(String prefix, long in, long hidden, long out) {
        if (in <= 0 || hidden <= 0 || out <= 0) {
            throw new IllegalArgumentException("FeedForwardBlock '" + prefix + "': widths must be positive; found in = "
                    + in + ", hidden = " + hidden + ", out = " + out);
        }
        this.prefix = prefix;
        this.in = in;
        this.hidden = hidden;
        this.out = out;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(prefix + W1, in, hidden);
        params.addBiasParam(prefix + B1, 1, hidden);
        params.addWeightParam(prefix + W2, hidden, out);
        params.addBiasParam(prefix + B2, 1, out);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        ParamInit.weights(params, prefix + W1, weightInit);
        ParamInit.weights(params, prefix + W2, weightInit);
        ParamInit.constant(params, prefix + B1, 0.0);
        ParamInit.constant(params, prefix + B2, 0.0);
    }

    /** @param x {@code [B, T, in]}; @param length T; computed on the {@code B T} rows {@code [B T, in]} */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable x, long length) {
        SDVariable h = SdOps.gelu(SdOps.affineRows(x.reshape(-1, in), p.get(prefix + W1), p.get(prefix + B1)));
        return SdOps.affineRows(h, p.get(prefix + W2), p.get(prefix + B2)).reshape(-1, length, out);
    }
}

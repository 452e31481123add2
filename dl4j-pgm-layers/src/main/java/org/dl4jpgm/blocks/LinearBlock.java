package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * An affine map over the last axis, {@code x W + b}: {@code [B, S, in] -> [B, S, out]}. Parameters
 * {@code W: [in, out]} (from the weight initialisation) and {@code b: [1, out]} (zero), under the given keys. PgM's
 * per-modality input projections and the UFC / PFC classifiers (Eq. 8, 9) are such maps.
 */
public final class LinearBlock implements SdBlock {

    private final String weightKey;
    private final String biasKey;
    private final long in;
    private final long out;

    public LinearBlock(String weightKey, String biasKey, long in, long out) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("LinearBlock '" + weightKey + "': widths must be positive; found in = "
                    + in + ", out = " + out);
        }
        this.weightKey = ParamInit.checkPrefix(weightKey);
        this.biasKey = ParamInit.checkPrefix(biasKey);
        this.in = in;
        this.out = out;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(weightKey, in, out);
        params.addBiasParam(biasKey, 1, out);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        ParamInit.weights(params, weightKey, weightInit);
        ParamInit.constant(params, biasKey, 0.0);
    }

    /**
     * @param x   {@code [B, S, in]}
     * @param seq S
     * @return {@code [B, S, out]}
     */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable x, long seq) {
        return SdOps.linear(x, p.get(weightKey), p.get(biasKey), seq);
    }

    /**
     * @param x {@code [N, in]}
     * @return {@code [N, out]}
     */
    public SDVariable applyToRows(Map<String, SDVariable> p, SDVariable x) {
        return SdOps.affineRows(x, p.get(weightKey), p.get(biasKey));
    }
}

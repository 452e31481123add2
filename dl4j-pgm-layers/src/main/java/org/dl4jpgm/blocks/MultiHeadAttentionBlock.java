package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Multi-head scaled dot-product attention with an additive key mask (Eq. 5):
 * {@code A = softmax(Q K^T / sqrt(d) + M)}, {@code out = concat_h(A_h V_h) W_o + b_o}.
 *
 * <p>Shapes: queries {@code [B, Tq, E]}, keys and values {@code [B, Tk, E]}, additive key mask {@code [B, Tk]}
 * (0 = attend, C = masked; see {@link GateMasks#additive}), output {@code [B, Tq, E]}. E must be divisible by the
 * number of heads H; each head has width E / H. Parameters: {@code W_q, W_k, W_v, W_o: [E, E]} and biases
 * {@code [1, E]}: {@code 4 E² + 4 E}.
 */
public final class MultiHeadAttentionBlock implements SdBlock {

    public static final String WQ = "Wq";
    public static final String BQ = "bq";
    public static final String WK = "Wk";
    public static final String BK = "bk";
    public static final String WV = "Wv";
    public static final String BV = "bv";
    public static final String WO = "Wo";
    public static final String BO = "bo";

    private final String prefix;
    private final long width;
    private final int heads;

    public MultiHeadAttentionBlock(String prefix, long width, int heads) {
        if (heads <= 0 || width <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("MultiHeadAttentionBlock '" + prefix + "': width E must be positive and "
                    + "divisible by the number of heads; found E = " + width + ", heads = " + heads);
        }
        this.prefix = prefix;
        this.width = width;
        this.heads = heads;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        for (String[] wb : new String[][]{{WQ, BQ}, {WK, BK}, {WV, BV}, {WO, BO}}) {
            params.addWeightParam(prefix + wb[0], width, width);
            params.addBiasParam(prefix + wb[1], 1, width);
        }
    }

    /**
     * Weights from the weight initialisation, zero biases, except the output bias {@code b_o}:
     * N(0, {@value #OUTPUT_BIAS_STD}²). With every bias 0, an all-zero input gives an all-zero attention output, so the post-norm layer norm after it sees a row
     * of zero variance, where its derivative is {@code 1 / sqrt(eps) = 316}; every later layer norm then sees zeros
     * too, and the gradient grows by about 1e5 per encoder block and iteration (1e44 at 3 blocks and 3 iterations,
     * docs/design.md, "Missing modalities and degenerate inputs"). A random {@code b_o} makes the first layer norm's
     * input vary over the features, and everything after it is normalised.
     */
    @Override
    public void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        for (String[] wb : new String[][]{{WQ, BQ}, {WK, BK}, {WV, BV}, {WO, BO}}) {
            ParamInit.weights(params, prefix + wb[0], weightInit);
            ParamInit.constant(params, prefix + wb[1], 0.0);
        }
        ParamInit.normal(params, prefix + BO, OUTPUT_BIAS_STD);
    }

    /** Standard deviation of the initial attention output bias. */
    public static final double OUTPUT_BIAS_STD = 0.1;

    /**
     * @param query         {@code [B, Tq, E]}
     * @param keyValue      {@code [B, Tk, E]}
     * @param keyMaskAdd    additive key mask {@code [B, Tk]}, or null for none
     * @param queryLength   Tq
     * @param keyLength     Tk
     * @return {@code [B, Tq, E]}
     */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable query, SDVariable keyValue, SDVariable keyMaskAdd,
                            long queryLength, long keyLength) {
        if (queryLength == 1 && keyLength == 1) {
            return singleKey(p, keyValue);
        }
        long headWidth = width / heads;
        SDVariable q = heads(SdOps.linear(query, p.get(prefix + WQ), p.get(prefix + BQ), queryLength), queryLength);
        SDVariable k = heads(SdOps.linear(keyValue, p.get(prefix + WK), p.get(prefix + BK), keyLength), keyLength);
        SDVariable v = heads(SdOps.linear(keyValue, p.get(prefix + WV), p.get(prefix + BV), keyLength), keyLength);
        SDVariable scores = q.getSameDiff().mmul(q, k, false, true, false).div(Math.sqrt(headWidth));
        if (keyMaskAdd != null) {
            scores = scores.add(keyMaskAdd.reshape(-1, 1, 1, keyLength));
        }
        SDVariable attention = SdOps.softmax(scores, 3);
        SDVariable context = attention.mmul(v).permute(0, 2, 1, 3).reshape(-1, queryLength, width);
        return SdOps.linear(context, p.get(prefix + WO), p.get(prefix + BO), queryLength);
    }

    /**
     * Attention over one key ({@code Tq = Tk = 1}, utterance-level vectors): the softmax over a single score is 1
     * whatever the score and the additive mask (C is finite), so the output is exactly {@code (x W_v + b_v) W_o + b_o}.
     * Computed that way, without the per-head batched products (each one costs ND4J M2.1 milliseconds at
     * {@code B H} tiny matrices), on the rows {@code [B, E]}. The output does not depend on {@code W_q, b_q, W_k, b_k}:
     * their exact gradient is zero, and SameDiff's gradient function has no variable for them; the runtimes
     * ({@code impl/CorrectedSameDiffLayer}, {@code impl/CorrectedSameDiffGraphVertex}) write zeros into their gradient
     * views (an earlier version added {@code 0 sum([W_q; b_q; W_k; b_k])} to the output instead, 4 % of a training step
     * at the paper's sizes).
     */
    private SDVariable singleKey(Map<String, SDVariable> p, SDVariable keyValue) {
        SDVariable v = SdOps.affineRows(keyValue.reshape(-1, width), p.get(prefix + WV), p.get(prefix + BV));
        return SdOps.affineRows(v, p.get(prefix + WO), p.get(prefix + BO)).reshape(-1, 1, width);
    }

    /** {@code [B, T, E] -> [B, H, T, E/H]}. */
    private SDVariable heads(SDVariable x, long length) {
        return x.reshape(-1, length, heads, width / heads).permute(0, 2, 1, 3);
    }
}

package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * The uni-paired decoder of PgM (Eq. 7): {@code Î = Decoder([ũ, p̃])}, a cross-attention block (queries from the
 * uni stream, keys and values from the paired stream, across S) followed by an FFN from the concatenation back to D:
 * <pre>
 *   h = LN(ũ + MHA(ũ, p̃, p̃; M_seq))
 *   Î = FFN([h ; p̃])          (2D -> F -> D)
 * </pre>
 * Shapes: ũ, p̃ {@code [B, S, D]}, sequence mask {@code [B, S]} (1 = real step) or null, output {@code [B, S, D]}
 * (zero at padded steps). Parameters: {@code 4D² + 4D + 2D + 2DF + F + FD + D}.
 */
public final class UniPairedDecoderBlock extends CompositeBlock {

    private final MultiHeadAttentionBlock crossAttention;
    private final LayerNormBlock norm;
    private final FeedForwardBlock ffn;
    private final double maskConstant;

    public UniPairedDecoderBlock(String prefix, long width, int heads, long ffnSize, double maskConstant) {
        ParamInit.checkPrefix(prefix);
        this.crossAttention = addChild(new MultiHeadAttentionBlock(prefix + "xattn", width, heads));
        this.norm = addChild(new LayerNormBlock(prefix + "ln", width));
        this.ffn = addChild(new FeedForwardBlock(prefix, 2 * width, ffnSize, width));
        this.maskConstant = maskConstant;
    }

    /**
     * @param uni     ũ {@code [B, S, D]}
     * @param paired  p̃ {@code [B, S, D]}
     * @param seqMask {@code [B, S]} or null
     * @param seq     S
     * @return Î {@code [B, S, D]}
     */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable uni, SDVariable paired, SDVariable seqMask, long seq) {
        // one step: attention over a single key ignores the mask (MultiHeadAttentionBlock#apply)
        SDVariable keyMask = seqMask == null || seq == 1 ? null : GateMasks.additive(seqMask, maskConstant);
        SDVariable h = norm.apply(p, uni.add(crossAttention.apply(p, uni, paired, keyMask, seq, seq)));
        SDVariable out = ffn.apply(p, h.getSameDiff().concat(2, h, paired), seq);
        return seqMask == null ? out : out.mul(SdOps.maskBSD(seqMask, seq));
    }
}

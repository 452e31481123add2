package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * One Transformer encoder block (post-norm, as in Vaswani et al. and the paper's learners):
 * {@code h = LN_1(x + MHA(x, x, x; M))}, {@code y = LN_2(h + FFN(h))}.
 *
 * <p>Shapes: {@code [B, T, E] -> [B, T, E]}; the additive key mask {@code M} is {@code [B, T]}. Parameters:
 * {@code 4 E^2 + 4 E} (attention) {@code + 2 E F + F + E} (FFN) {@code + 4 E} (two layer norms): at E = 768 and
 * F = 3072 that is 7,087,872, the paper's "7.08 M" per learner (Table 5).
 */
public final class TransformerEncoderBlock extends CompositeBlock {

    private final MultiHeadAttentionBlock attention;
    private final LayerNormBlock norm1;
    private final FeedForwardBlock ffn;
    private final LayerNormBlock norm2;

    public TransformerEncoderBlock(String prefix, long width, int heads, long ffnSize) {
        this.attention = addChild(new MultiHeadAttentionBlock(prefix + "attn", width, heads));
        this.norm1 = addChild(new LayerNormBlock(prefix + "ln1", width));
        this.ffn = addChild(new FeedForwardBlock(prefix, width, ffnSize, width));
        this.norm2 = addChild(new LayerNormBlock(prefix + "ln2", width));
    }

    /**
     * @param x          {@code [B, T, E]}
     * @param keyMaskAdd additive key mask {@code [B, T]} or null
     * @param length     T
     */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable x, SDVariable keyMaskAdd, long length) {
        SDVariable h = norm1.apply(p, x.add(attention.apply(p, x, x, keyMaskAdd, length, length)));
        return norm2.apply(p, h.add(ffn.apply(p, h, length)));
    }
}

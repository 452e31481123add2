package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * PgM's downstream fusion head (Eq. 13-14):
 * <pre>
 *   û = FFN_u([u_1 ; ... ; u_M])     p̂ = FFN_p([p_1 ; ... ; p_M])          (Eq. 13; M D -> F -> H)
 *   u_f = Transformer(û)              p_f = Transformer(p̂)                 (Eq. 13; self-attention across S)
 *   Î = FFN_f([u_f ; p_f])                                                 (Eq. 14; 2H -> F -> H)
 * </pre>
 * followed by a masked mean over steps; the prediction layer (Eq. 14's {@code Prediction}) is an ordinary DL4J output
 * layer after this block. (The paper's Eq. 13 writes {@code p_m1} twice; it means every modality.)
 *
 * <p>Input {@code [B, S, 2MD]} (uni features of every modality, then paired features, as a {@code PgmLayer} emits
 * them), step mask {@code [B, S]} or null; output {@code [B, H]}.
 */
public final class PgmHeadBlock extends CompositeBlock {

    private final long modalityWidth;
    private final int modalities;
    private final FeedForwardBlock uniFfn;
    private final FeedForwardBlock pairedFfn;
    private final TransformerEncoderBlock uniTransformer;
    private final TransformerEncoderBlock pairedTransformer;
    private final FeedForwardBlock fusionFfn;
    private final double maskConstant;

    /**
     * @param modalities    M
     * @param modalityWidth D
     * @param hidden        H, the width of the fused representation
     * @param heads         attention heads (must divide H)
     * @param ffnSize       F
     */
    public PgmHeadBlock(int modalities, long modalityWidth, long hidden, int heads, long ffnSize, double maskConstant) {
        this.modalities = modalities;
        this.modalityWidth = modalityWidth;
        long concat = modalities * modalityWidth;
        this.uniFfn = addChild(new FeedForwardBlock("headUni", concat, ffnSize, hidden));
        this.pairedFfn = addChild(new FeedForwardBlock("headPair", concat, ffnSize, hidden));
        this.uniTransformer = addChild(new TransformerEncoderBlock("headUniEnc", hidden, heads, ffnSize));
        this.pairedTransformer = addChild(new TransformerEncoderBlock("headPairEnc", hidden, heads, ffnSize));
        this.fusionFfn = addChild(new FeedForwardBlock("headFuse", 2 * hidden, ffnSize, hidden));
        this.maskConstant = maskConstant;
    }

    /**
     * @param x       {@code [B, S, 2MD]}
     * @param seqMask {@code [B, S]} or null
     * @param seq     S
     * @return {@code [B, H]}
     */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable x, SDVariable seqMask, long seq) {
        long concat = modalities * modalityWidth;
        // one step: attention over a single key ignores the mask (MultiHeadAttentionBlock#apply)
        SDVariable keyMask = seqMask == null || seq == 1 ? null : GateMasks.additive(seqMask, maskConstant);
        SDVariable u = uniFfn.apply(p, SdOps.sliceLastAxis(x, 0, concat), seq);
        SDVariable pr = pairedFfn.apply(p, SdOps.sliceLastAxis(x, concat, 2 * concat), seq);
        SDVariable uf = uniTransformer.apply(p, u, keyMask, seq);
        SDVariable pf = pairedTransformer.apply(p, pr, keyMask, seq);
        SDVariable fused = fusionFfn.apply(p, x.getSameDiff().concat(2, uf, pf), seq);
        return SdOps.maskedMeanOverSteps(fused, seqMask, seq);
    }
}

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A masked modal learner of PgM (Eq. 4-6): a stack of {@link TransformerEncoderBlock}s that sees only its own
 * partition of the features, selected by a hard gate ĝ (1 = the feature belongs to this learner's partition).
 * The uni-modal and the paired-modal learner are two instances with different prefixes.
 *
 * <p>Input x {@code [B, S, D]}, hard gate ĝ {@code [B, S, D]}, optional sequence mask {@code [B, S]} (1 = real step,
 * 0 = padding); output {@code [B, S, D]}, zero outside the partition and at padded steps. Changing x where ĝ = 0
 * never changes the output (in both modes).
 * <ul>
 *   <li>{@link LearnerMode#SEQUENCE}: {@code h = x ∘ ĝ}, L blocks of width D attending across S (padded steps
 *   masked as keys), output {@code h_L ∘ ĝ}. Parameters: {@code L (4D² + 4D + 2DF + F + D + 4D)}.</li>
 *   <li>{@link LearnerMode#FEATURE}: at each step the D features form T = D / c tokens of c values each; a token is
 *   embedded to width E ({@code W_e: [c, E]}, {@code b_e}, learned token positions {@code P: [T, E]}), L blocks of
 *   width E attend across the T tokens with key mask {@code (1 - ĝ_chunk) C}, a projection {@code W_out: [E, c]}
 *   gives the update, and the output is {@code (x + update) ∘ ĝ}. Parameters:
 *   {@code cE + E + TE + L(4E² + 4E + 2EF + F + E + 4E) + Ec + c}.</li>
 * </ul>
 */
public final class MaskedLearnerBlock extends CompositeBlock {

    public static final String TOKEN_W = "tokW";
    public static final String TOKEN_B = "tokB";
    public static final String TOKEN_POS = "tokPos";
    public static final String OUT_W = "outW";
    public static final String OUT_B = "outB";

    private final String prefix;
    private final long width;
    private final LearnerMode mode;
    private final int chunkSize;
    private final long tokenWidth;
    private final double maskConstant;
    private final boolean unscaledMaskGradient;
    private final List<TransformerEncoderBlock> blocks = new ArrayList<>();

    /**
     * @param prefix parameter key prefix
     * @param width  D
     * @param spec   mode, L, heads, F, c, E, C and the gate gradient
     */
    public MaskedLearnerBlock(String prefix, long width, LearnerSpec spec) {
        this.unscaledMaskGradient = spec.unscaledMaskGradient();
        this.prefix = ParamInit.checkPrefix(prefix);
        this.width = width;
        this.mode = spec.mode();
        this.chunkSize = spec.chunkSize();
        this.tokenWidth = spec.tokenWidth();
        this.maskConstant = spec.maskConstant();
        for (int l = 0; l < spec.layers(); l++) {
            blocks.add(addChild(new TransformerEncoderBlock(prefix + "L" + l, spec.modelWidth(width), spec.heads(),
                    spec.ffnSize(width))));
        }
    }

    /** T = D / c, the number of feature tokens (FEATURE mode). */
    public long tokens() {
        return width / chunkSize;
    }

    /** The FEATURE-mode token embedding and projection; the encoder blocks are children. */
    @Override
    protected void defineOwnParameters(SDLayerParams params) {
        if (mode == LearnerMode.FEATURE) {
            params.addWeightParam(prefix + TOKEN_W, chunkSize, tokenWidth);
            params.addBiasParam(prefix + TOKEN_B, 1, tokenWidth);
            params.addWeightParam(prefix + TOKEN_POS, tokens(), tokenWidth);
            params.addWeightParam(prefix + OUT_W, tokenWidth, chunkSize);
            params.addBiasParam(prefix + OUT_B, 1, chunkSize);
        }
    }

    @Override
    protected void initializeOwnParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        if (mode == LearnerMode.FEATURE) {
            ParamInit.weights(params, prefix + TOKEN_W, weightInit);
            ParamInit.constant(params, prefix + TOKEN_B, 0.0);
            ParamInit.weights(params, prefix + TOKEN_POS, weightInit);
            ParamInit.weights(params, prefix + OUT_W, weightInit);
            ParamInit.constant(params, prefix + OUT_B, 0.0);
        }
    }

    /**
     * @param x        {@code [B, S, D]}
     * @param hardGate ĝ {@code [B, S, D]}, 1 = this learner's partition
     * @param seqMask  {@code [B, S]} (1 = real step) or null
     * @param seq      S
     * @return {@code [B, S, D]}
     */
    public SDVariable apply(Map<String, SDVariable> p, SDVariable x, SDVariable hardGate, SDVariable seqMask, long seq) {
        SDVariable out = mode == LearnerMode.SEQUENCE
                ? applySequence(p, x, hardGate, seqMask, seq)
                : applyFeature(p, x, hardGate, seq);
        return seqMask == null ? out : out.mul(SdOps.maskBSD(seqMask, seq));
    }

    private SDVariable applySequence(Map<String, SDVariable> p, SDVariable x, SDVariable hardGate, SDVariable seqMask,
                                     long seq) {
        // one step: attention over a single key ignores the mask (MultiHeadAttentionBlock#apply)
        SDVariable keyMask = seqMask == null || seq == 1 ? null : GateMasks.additive(seqMask, maskConstant);
        SDVariable h = x.mul(hardGate);
        for (TransformerEncoderBlock b : blocks) {
            h = b.apply(p, h, keyMask, seq);
        }
        return h.mul(hardGate);
    }

    private SDVariable applyFeature(Map<String, SDVariable> p, SDVariable x, SDVariable hardGate, long seq) {
        long t = tokens();
        SDVariable tokens = x.reshape(-1, t, chunkSize);                         // [B*S, T, c]
        SDVariable chunkGate = GateMasks.toChunks(hardGate, width, chunkSize, seq).reshape(-1, t);   // [B*S, T]
        SDVariable keyMask = GateMasks.additive(chunkGate, maskConstant, unscaledMaskGradient);
        SDVariable h = SdOps.linear(tokens, p.get(prefix + TOKEN_W), p.get(prefix + TOKEN_B), t)
                .add(p.get(prefix + TOKEN_POS));
        for (TransformerEncoderBlock b : blocks) {
            h = b.apply(p, h, keyMask, t);
        }
        SDVariable update = SdOps.linear(h, p.get(prefix + OUT_W), p.get(prefix + OUT_B), t).reshape(-1, seq, width);
        return x.add(update).mul(hardGate);
    }
}

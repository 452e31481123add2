package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Hard gates and additive attention masks of PgM (Eq. 4 and 6).
 *
 * <p>Mask convention: a hard gate is 1 where the feature belongs to the partition (keep) and 0 where it is masked.
 * The additive mask is {@code M = (1 - ĝ) C} with a large negative finite {@code C} (paper: -10000), added to the
 * attention logits; never {@code -inf}, so that a fully masked row stays finite.
 */
public final class GateMasks {

    /** The paper's constant C of Eq. 4. */
    public static final double DEFAULT_MASK_CONSTANT = -10000.0;
    /** Threshold of the hard gate. */
    public static final double THRESHOLD = 0.5;

    private GateMasks() {
    }

    /**
     * {@code ĝ = 1[g > 0.5]}, with the gradient chosen by {@code mode}.
     *
     * @param softGate g, any shape, values in [0, 1]
     */
    public static SDVariable hard(SDVariable softGate, GateGradient mode) {
        SDVariable step = softGate.getSameDiff().math().step(softGate, THRESHOLD);
        if (mode == GateGradient.NONE) {
            return step;
        }
        return softGate.add(SdOps.stopGradient(step.sub(softGate)));
    }

    /**
     * Eq. 4: {@code M = (1 - ĝ) C}, with the exact gradient {@code -C} per unit of ĝ. For masks that carry no gradient
     * (step masks) or whose gradient is wanted exactly.
     *
     * @param hardGate ĝ, any shape, values in {0, 1}
     * @param c        the constant C (negative, finite)
     */
    public static SDVariable additive(SDVariable hardGate, double c) {
        return hardGate.rsub(1.0).mul(c);
    }

    /**
     * Eq. 4: {@code M = (1 - ĝ) C}. With {@code unscaled} false the forward value is the same, but the gradient that
     * reaches ĝ (the straight-through estimator's path to the partitioner) is 1 per unit of ĝ instead of
     * {@code -C = 10000}: {@code M = stopGradient((1 - ĝ) C) + (ĝ - stopGradient(ĝ))}. The exact derivative of a hard
     * gate is zero, so the scale of this path is a choice; |C| times the attention-score gradient, compounded over the
     * iterations (the next partitioner reads the learned features), blew the gradient up to 1e11 on all-zero inputs
     * (docs/design.md, "Missing modalities and degenerate inputs").
     *
     * @param hardGate ĝ, any shape, values in {0, 1}
     * @param c        the constant C (negative, finite)
     * @param unscaled true: the exact gradient {@code -C} ({@link GateGradient#STRAIGHT_THROUGH_UNSCALED})
     */
    public static SDVariable additive(SDVariable hardGate, double c, boolean unscaled) {
        if (unscaled) {
            return additive(hardGate, c);
        }
        return SdOps.stopGradient(additive(hardGate, c)).add(hardGate.sub(SdOps.stopGradient(hardGate)));
    }

    /**
     * Reduces a feature-level gate {@code [B, S, D]} to chunk level {@code [B, S, T]} (T = D / chunkSize) by averaging
     * over each chunk; exact when the gate is constant inside chunks (a partitioner with the same chunk size).
     */
    public static SDVariable toChunks(SDVariable gate, long width, int chunkSize, long seq) {
        if (chunkSize == 1) {
            return gate;
        }
        long chunks = width / chunkSize;
        return SdOps.mulLastAxis(gate, SdOps.chunkExpansion(chunks, chunkSize).transpose().div(chunkSize), seq);
    }
}

package org.dl4jpgm.blocks;

import java.util.Objects;

/**
 * The hyperparameters of a masked modal learner (Eq. 5-6, {@link MaskedLearnerBlock}), one value for the uni and the
 * paired learner of {@link PgmOptions#learnerSpec()} and for a {@code MaskedLearnerLayer}.
 *
 * @param mode         the reading of the attention mask
 * @param layers       L, stacked Transformer encoder blocks (>= 1)
 * @param heads        attention heads; must divide D (SEQUENCE) or E (FEATURE)
 * @param ffnSize      F, hidden width of each block's FFN; 0 = 4 x the model width ({@link #ffnSize(long)})
 * @param chunkSize    c, features per token (FEATURE only); must divide D
 * @param tokenWidth   E, token embedding width (FEATURE only)
 * @param maskConstant C of Eq. 4 (negative, finite)
 * @param gateGradient the gradient through the hard gate; {@link GateGradient#STRAIGHT_THROUGH_UNSCALED} also passes
 *                     the exact {@code -C} through the FEATURE-mode key mask
 */
public record LearnerSpec(LearnerMode mode, int layers, int heads, long ffnSize, int chunkSize, long tokenWidth,
                          double maskConstant, GateGradient gateGradient) {

    public LearnerSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(gateGradient, "gateGradient");
    }

    /** The width the encoder blocks run at: D in SEQUENCE mode, E in FEATURE mode. */
    public long modelWidth(long width) {
        return mode == LearnerMode.SEQUENCE ? width : tokenWidth;
    }

    /** F, with the default 4 x the model width resolved. */
    public long ffnSize(long width) {
        return ffnSize > 0 ? ffnSize : 4 * modelWidth(width);
    }

    /**
     * Checks that D suits the heads and the chunk size, the one check of a learner's width (PgM's options and the
     * learner layer both use it).
     *
     * @param owner the configuration, for the message (e.g. {@code "MaskedLearnerLayer 'uni'"})
     * @param width D
     * @throws IllegalArgumentException naming the owner, the mode, D and the offending value
     */
    public void checkWidth(String owner, long width) {
        String p = owner + ": ";
        if (mode == LearnerMode.SEQUENCE && width % heads != 0) {
            throw new IllegalArgumentException(p + "in SEQUENCE mode the number of heads must divide D; found D = "
                    + width + ", heads = " + heads);
        }
        if (mode == LearnerMode.FEATURE) {
            if (width % chunkSize != 0) {
                throw new IllegalArgumentException(p + "in FEATURE mode chunkSize must divide D; found D = " + width
                        + ", chunkSize = " + chunkSize);
            }
            if (tokenWidth % heads != 0) {
                throw new IllegalArgumentException(p + "in FEATURE mode the number of heads must divide the token "
                        + "width; found tokenWidth = " + tokenWidth + ", heads = " + heads);
            }
        }
    }

    /** Whether the FEATURE-mode key mask passes the exact {@code -C} to the gate ({@link GateMasks#additive}). */
    public boolean unscaledMaskGradient() {
        return gateGradient == GateGradient.STRAIGHT_THROUGH_UNSCALED;
    }
}

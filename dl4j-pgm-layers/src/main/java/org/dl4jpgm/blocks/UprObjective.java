package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Uni-paired reconstruction, Eq. 10: the decoder's {@code Î_m = Decoder([ũ_m, p̃_m])} (Eq. 7,
 * {@link UniPairedDecoderBlock}) should give back the modality's representation I_m. Per example b:
 * <pre>
 *   L_UPR(b) = Σ_m mean_{valid s} ||I_m(b, s) - Î_m(b, s)||² / D     ({@link UprSteps#MEAN}, the default)
 *   L_UPR(b) = Σ_m  Σ_{valid s}   ||I_m(b, s) - Î_m(b, s)||² / D     ({@link UprSteps#SUM}, Eq. 10's norm over the sequence)
 * </pre>
 * With modalities missing for b, the sum over the M_b present ones is scaled by {@code M / M_b} (M times their mean,
 * the sum's scale when all are present). No parameters of its own: the decoder serves UPR alone, and
 * {@link PgmBlock} defines it only with UPR.
 */
public final class UprObjective {

    private final long width;
    private final int modalities;
    private final UprSteps steps;

    /**
     * @param width      D
     * @param modalities M
     * @param steps      the reduction over a sequence's valid steps
     */
    public UprObjective(long width, int modalities, UprSteps steps) {
        this.width = width;
        this.modalities = modalities;
        this.steps = steps;
    }

    /**
     * The reconstruction errors of one group of G stacked modalities, summed over the group (a missing modality has no
     * valid step and adds 0).
     *
     * @param target  I_m {@code [G B, S, D]}, stacked
     * @param rec     Î_m {@code [G B, S, D]}, stacked
     * @param mask    step masks {@code [G B, S]} or null
     * @param present {@code [G B]} or null
     * @return {@code [B]}
     */
    public SDVariable groupSum(SDVariable target, SDVariable rec, SDVariable mask, long seq, int groupSize,
                               SDVariable present) {
        SDVariable diff = target.sub(rec);
        SDVariable perStep = diff.mul(diff).sum(true, 2).div(width);                 // [G B, S, 1]
        SDVariable reduced = steps == UprSteps.SUM ? SdOps.maskedSumOverSteps(perStep, mask, seq)
                : SdOps.maskedMeanOverSteps(perStep, mask, seq);
        return ModalityGroups.sumOverGroup(ModalityGroups.onlyPresent(reduced.reshape(-1), present, 1), groupSize);
    }

    /**
     * Eq. 10 over the present modalities.
     *
     * @param sum     the {@link #groupSum}s of every group {@code [B]}
     * @param present M_b ({@code [B]}, at least 1), or null: all M present (the sum itself)
     * @return {@code [B]}
     */
    public SDVariable scaled(SDVariable sum, SDVariable present) {
        return present == null ? sum : sum.mul(modalities).div(present);
    }
}

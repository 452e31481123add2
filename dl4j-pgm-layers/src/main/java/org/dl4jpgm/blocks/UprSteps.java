package org.dl4jpgm.blocks;

/**
 * How UPR (Eq. 10) reduces a sequence modality's per-step reconstruction errors {@code ||I_m(s) - Î_m(s)||² / D}.
 * Eq. 10 writes {@code ||I_m - Î_m||²₂ / d_h} for the whole representation; for a sequence that norm is a sum over
 * steps, whose scale grows with the number of valid steps, while UFC and PFC (Eq. 8-9) read pooled features and do not.
 * Both readings are offered; docs/results.md ("The UPR convention") measures them.
 */
public enum UprSteps {
    /** The mean over valid steps: the per-step error, on the scale of UFC and PFC whatever S is. */
    MEAN,
    /** The sum over valid steps: Eq. 10's norm over the whole sequence, S times the mean for S valid steps. */
    SUM
}

package org.dl4jpgm.examples.transfer;

/**
 * The host models' own hyperparameters (the widths, epochs and learning rates come from the shared training options,
 * {@link org.dl4jpgm.examples.experiment.TrainingSettings}). Immutable, Jackson-safe (a record); {@link #DEFAULTS}
 * holds the values of the original papers' reference settings where they apply.
 *
 * @param ulgmBound      Self-MM: bound H of the generated uni-modal labels, clamped to [-H, H] (MOSI's label range:
 *                       3)
 * @param ulgmExcludeZero Self-MM: whether examples with label 0 are left out of the positive class centre (MMSA's
 *                       {@code excludeZero}, true)
 * @param uniTaskWeight  Self-MM: weight of each uni-modal task loss next to the multimodal one (1)
 * @param cpcWeight      MMIM: weight η of each CPC term (InfoNCE) in the loss (MMIM's default 0.1)
 * @param attentionHeads MulT: heads of each cross-modal attention block (MulT: 8 at width 40; 2 at this width)
 */
public record HostOptions(double ulgmBound, boolean ulgmExcludeZero, double uniTaskWeight, double cpcWeight,
                          int attentionHeads) {

    /** The defaults listed above. */
    public static final HostOptions DEFAULTS = new HostOptions(3.0, true, 1.0, 0.1, 2);

    /**
     * @throws IllegalArgumentException naming the bad value
     */
    public HostOptions {
        if (!(ulgmBound > 0) || !(uniTaskWeight >= 0) || !(cpcWeight >= 0) || attentionHeads < 1) {
            throw new IllegalArgumentException("HostOptions: expected ulgmBound > 0, uniTaskWeight >= 0, cpcWeight >= 0, "
                    + "attentionHeads >= 1; found ulgmBound = " + ulgmBound + ", uniTaskWeight = " + uniTaskWeight
                    + ", cpcWeight = " + cpcWeight + ", attentionHeads = " + attentionHeads);
        }
    }
}

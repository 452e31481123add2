package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

/** How the gradient passes through a hard gate {@code ĝ = 1[g > 0.5]} (Eq. 4). */
public enum GateGradient {
    /**
     * Straight-through estimator: the forward pass uses the hard gate, the backward pass the soft gate's gradient
     * ({@code ĝ = g + stopGradient(1[g > 0.5] - g)}). The default: it lets the learners' losses train the partitioner.
     * Through an additive attention mask {@code (1 - ĝ) C} the path passes 1 per unit of gate, not |C|
     * ({@link GateMasks#additive(SDVariable, double, boolean)}).
     */
    STRAIGHT_THROUGH,
    /**
     * The straight-through estimator as first implemented: like {@link #STRAIGHT_THROUGH} for the gates, but the
     * gradient through an additive attention mask {@code M = (1 - ĝ) C} is the exact {@code -C} per unit of gate
     * (10000 with the paper's C), not 1 (see {@link GateMasks#additive(SDVariable, double, boolean)}). Compounded over
     * iterations it reaches 1e11 on all-zero inputs (docs/design.md, "Missing modalities and degenerate inputs");
     * kept for comparison only. Honoured by the learners ({@link LearnerSpec}).
     */
    STRAIGHT_THROUGH_UNSCALED,
    /**
     * The exact gradient of the hard gate, which is zero almost everywhere. For gradient checks of a whole graph
     * (finite differences cannot see a straight-through estimator) and for freezing the partition.
     */
    NONE
}

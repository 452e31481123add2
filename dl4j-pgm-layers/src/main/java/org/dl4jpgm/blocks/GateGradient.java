package org.dl4jpgm.blocks;

/** How the gradient passes through a hard gate {@code ĝ = 1[g > 0.5]} (Eq. 4). */
public enum GateGradient {
    /**
     * Straight-through estimator: the forward pass uses the hard gate, the backward pass the soft gate's gradient
     * ({@code ĝ = g + stopGradient(1[g > 0.5] - g)}). The default: it lets the learners' losses train the partitioner.
     */
    STRAIGHT_THROUGH,
    /**
     * The exact gradient of the hard gate, which is zero almost everywhere. For gradient checks of a whole graph
     * (finite differences cannot see a straight-through estimator) and for freezing the partition.
     */
    NONE
}

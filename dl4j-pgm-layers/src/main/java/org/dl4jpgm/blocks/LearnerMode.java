package org.dl4jpgm.blocks;

/**
 * The two readings of the paper's attention mask {@code M ∈ R^(S x D)} added to {@code Q K^T} (Eq. 5-6); see
 * docs/model-spec.md, "Learners".
 */
public enum LearnerMode {
    /**
     * The literal reading: attention runs across feature channels, grouped into chunks of {@code chunkSize}, as
     * tokens (per time step); {@code M = (1 - ĝ) C} is a key mask over those tokens, so a learner attends only to its
     * own partition. Works for utterance-level inputs (S = 1).
     */
    FEATURE,
    /**
     * Ordinary attention across the S time steps; the partition is enforced by multiplying the learner's input and
     * output by ĝ (channel masking). The sequence mask is the key mask.
     */
    SEQUENCE
}

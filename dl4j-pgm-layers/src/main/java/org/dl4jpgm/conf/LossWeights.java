package org.dl4jpgm.conf;


/**
 * The loss PgM is trained on, Eq. 12, and its weights:
 * <pre>
 *   L_D = α L_P + β L_T
 * </pre>
 * with L_P PgM's objective (Eq. 11, {@link org.dl4jpgm.blocks.PgmObjective}, per example, averaged over the batch) and
 * L_T the task loss. Training runs in two stages (Sec. 4.2, {@link #forStage}): stage 1 pre-trains on L_P alone,
 * {@link #PRETRAINING} {@code (1, 0)}; stage 2 trains on both with the configured weights (paper: {@link #JOINT}
 * {@code (0.5, 1)}). A graph computes L_D without an extra output or labels: {@link org.dl4jpgm.fusion.PgmGraph#setLossWeights} sets α on
 * the PgM vertex, whose backward pass adds {@code α ∇L_P}, and β on the task outputs' losses
 * ({@link WeightedLoss}).
 *
 * @param alpha weight of PgM's objective L_P (>= 0)
 * @param beta  weight of the task loss L_T (>= 0)
 */
public record LossWeights(double alpha, double beta) {

    public LossWeights {
        if (!(alpha >= 0) || !(beta >= 0) || Double.isInfinite(alpha) || Double.isInfinite(beta) || alpha + beta == 0) {
            throw new IllegalArgumentException("LossWeights: α and β must be finite, >= 0 and not both zero; found α = "
                    + alpha + ", β = " + beta);
        }
    }

    /** Stage 1 of the paper's training: PgM's objective alone. */
    public static final LossWeights PRETRAINING = new LossWeights(1, 0);
    /** Stage 2 of the paper's training (Sec. 4.2): {@code 0.5 L_P + L_T}; what a graph with PgM trains on by default. */
    public static final LossWeights JOINT = new LossWeights(0.5, 1);

    /**
     * The weights of a stage of the two-stage training: {@link #PRETRAINING} in stage 1, {@code joint} in stage 2.
     *
     * @param stage 1 or 2
     * @param joint the weights of stage 2
     */
    public static LossWeights forStage(int stage, LossWeights joint) {
        return switch (stage) {
            case 1 -> PRETRAINING;
            case 2 -> joint;
            default -> throw new IllegalArgumentException("LossWeights: the training has stages 1 and 2, found "
                    + stage);
        };
    }

    /** The task loss alone (for measuring it). */
    public static LossWeights taskOnly() {
        return new LossWeights(0, 1);
    }
}

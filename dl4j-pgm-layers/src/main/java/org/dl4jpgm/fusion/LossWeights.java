package org.dl4jpgm.fusion;

/**
 * The weights of Eq. 12, {@code L_D = α L_P + β L_T}. Stage 1 of the paper's training is {@link #PRETRAINING}
 * {@code (1, 0)} (PgM's objective alone), stage 2 {@link #JOINT} {@code (0.5, 1)}. On a graph they are set by
 * {@link PgmGraph#setLossWeights}: α on the PgM vertex, β on the task outputs' losses ({@link WeightedLoss}).
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

    /** The task loss alone (for measuring it). */
    public static LossWeights taskOnly() {
        return new LossWeights(0, 1);
    }
}

package org.dl4jpgm.conf;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * A task output's loss times β, Eq. 12's weight of the task loss L_T: score, per-example scores and gradient of the
 * wrapped loss, each multiplied by {@link #getWeight()}. {@link org.dl4jpgm.fusion.PgmGraph#setLossWeights} puts it around the loss of
 * every output layer of a graph with PgM and changes its weight between the stages; it is part of the layer's
 * configuration, so the weight in effect is saved and restored with the model (JSON, ModelSerializer).
 *
 * <p>A weight on the loss, not on the label mask: DL4J's losses also multiply their output by the mask, so a mask of β
 * gives {@code β²}-weighted terms for some losses.
 */
public class WeightedLoss implements ILossFunction {

    @JsonProperty
    private ILossFunction loss;
    @JsonProperty
    private double weight = 1.0;

    /** For JSON. */
    protected WeightedLoss() {
    }

    /**
     * @param loss   the task loss
     * @param weight β, finite and &ge; 0
     */
    public WeightedLoss(ILossFunction loss, double weight) {
        this.loss = Objects.requireNonNull(loss, "loss");
        setWeight(weight);
    }

    /** The wrapped task loss. */
    public ILossFunction getLoss() {
        return loss;
    }

    /** β. */
    public double getWeight() {
        return weight;
    }

    /** Sets β (finite, &ge; 0). */
    public void setWeight(double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("WeightedLoss: expected a finite weight >= 0, found " + weight);
        }
        this.weight = weight;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return weight * loss.computeScore(labels, preOutput, activationFn, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return weighted(loss.computeScoreArray(labels, preOutput, activationFn, mask));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return weighted(loss.computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        Pair<Double, INDArray> p = loss.computeGradientAndScore(labels, preOutput, activationFn, mask, average);
        return new Pair<>(weight * p.getFirst(), weighted(p.getSecond()));
    }

    /**
     * {@code values} times β, in place; unchanged where β is 1 (the same values: x times 1 is x), which saves an op
     * through ND4J's executioner at every step of a task loss of weight 1.
     */
    private INDArray weighted(INDArray values) {
        return weight == 1.0 ? values : values.muli(weight);
    }

    @Override
    public String name() {
        return weight + " x " + loss.name();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightedLoss w && w.getClass() == getClass() && Double.compare(w.weight, weight) == 0
                && Objects.equals(w.loss, loss);
    }

    @Override
    public int hashCode() {
        return Objects.hash(loss, weight);
    }

    @Override
    public String toString() {
        return "WeightedLoss(" + weight + ", " + loss + ")";
    }
}

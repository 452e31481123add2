package org.dl4jpgm.examples.experiment;

/**
 * {@code settings} with another learning rate for the model part of every fusion ({@link #getModelLearningRate()},
 * and {@link #getBaselineLearningRate()}: a sweep trains every fusion at every rate), everything else as given: one
 * point of a learning-rate sweep.
 *
 * @param settings the settings swept
 * @param rate     the model part's Adam learning rate
 */
public record ModelRate(TrainingSettings settings, double rate) implements DelegatingTrainingSettings {

    public ModelRate {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("ModelRate: a learning rate must be positive and finite, found " + rate);
        }
    }

    @Override public TrainingSettings delegate() { return settings; }
    @Override public double getModelLearningRate() { return rate; }
    @Override public double getBaselineLearningRate() { return rate; }
}

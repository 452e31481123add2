package org.dl4jpgm.examples.experiment;

import org.dl4jpgm.blocks.LearnerMode;

import java.nio.file.Path;

/**
 * {@code settings} with another learning rate for the model part of every fusion ({@link #getModelLearningRate()},
 * and {@link #getBaselineLearningRate()}: a sweep trains every fusion at every rate), everything else as given: one
 * point of a learning-rate sweep.
 *
 * @param settings the settings swept
 * @param rate     the model part's Adam learning rate
 */
public record ModelRate(TrainingSettings settings, double rate) implements TrainingSettings {

    public ModelRate {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("ModelRate: a learning rate must be positive and finite, found " + rate);
        }
    }

    @Override public double getModelLearningRate() { return rate; }
    @Override public double getBaselineLearningRate() { return rate; }
    @Override public int getWidth() { return settings.getWidth(); }
    @Override public int getIterations() { return settings.getIterations(); }
    @Override public LearnerMode getLearnerMode() { return settings.getLearnerMode(); }
    @Override public org.dl4jpgm.blocks.UprSteps getUprSteps() { return settings.getUprSteps(); }
    @Override public int getBatchSize() { return settings.getBatchSize(); }
    @Override public int getStage1Epochs() { return settings.getStage1Epochs(); }
    @Override public int getStage2Epochs() { return settings.getStage2Epochs(); }
    @Override public double getLearnerLearningRate() { return settings.getLearnerLearningRate(); }
    @Override public double getDecoderLearningRate() { return settings.getDecoderLearningRate(); }
    @Override public boolean isHeadInputNormalized() { return settings.isHeadInputNormalized(); }
    @Override public int getHeadWarmup() { return settings.getHeadWarmup(); }
    @Override public double getHeadDropout() { return settings.getHeadDropout(); }
    @Override public double getBaselineDropout() { return settings.getBaselineDropout(); }
    @Override public Path getCheckpointDir() { return settings.getCheckpointDir(); }
    @Override public boolean isResume() { return settings.isResume(); }
    @Override public double getAlpha() { return settings.getAlpha(); }
    @Override public double getBeta() { return settings.getBeta(); }
    @Override public Path getStatsFile() { return settings.getStatsFile(); }
}

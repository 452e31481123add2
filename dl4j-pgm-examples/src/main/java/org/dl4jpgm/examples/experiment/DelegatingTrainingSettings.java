package org.dl4jpgm.examples.experiment;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.UprSteps;

import java.nio.file.Path;

/**
 * {@link TrainingSettings} that forward every setting to {@link #delegate()}: a main's options, which hold the training
 * options every main shares, and a point of a learning-rate sweep ({@link ModelRate}), which changes one of them.
 * Implementors override only what they change, so a setting added to {@link TrainingSettings} reaches every main
 * through this one place; a forwarding method missing here would fall back to {@link TrainingSettings}'s default and
 * drop the option silently ({@code DelegatingTrainingSettingsTest} checks that every setting is forwarded).
 */
public interface DelegatingTrainingSettings extends TrainingSettings {

    /** The settings forwarded to. */
    TrainingSettings delegate();

    @Override default int getWidth() { return delegate().getWidth(); }
    @Override default int getIterations() { return delegate().getIterations(); }
    @Override default LearnerMode getLearnerMode() { return delegate().getLearnerMode(); }
    @Override default UprSteps getUprSteps() { return delegate().getUprSteps(); }
    @Override default int getBatchSize() { return delegate().getBatchSize(); }
    @Override default int getStage1Epochs() { return delegate().getStage1Epochs(); }
    @Override default int getStage2Epochs() { return delegate().getStage2Epochs(); }
    @Override default double getModelLearningRate() { return delegate().getModelLearningRate(); }
    @Override default double getBaselineLearningRate() { return delegate().getBaselineLearningRate(); }
    @Override default double getLearnerLearningRate() { return delegate().getLearnerLearningRate(); }
    @Override default double getDecoderLearningRate() { return delegate().getDecoderLearningRate(); }
    @Override default int getHeadWarmup() { return delegate().getHeadWarmup(); }
    @Override default double getFinalLearningRateFraction() { return delegate().getFinalLearningRateFraction(); }
    @Override default double getHeadDropout() { return delegate().getHeadDropout(); }
    @Override default double getBaselineDropout() { return delegate().getBaselineDropout(); }
    @Override default double getPairedShareWeight() { return delegate().getPairedShareWeight(); }
    @Override default double getGateExclusivityWeight() { return delegate().getGateExclusivityWeight(); }
    @Override default double getStreamDecorrelationWeight() { return delegate().getStreamDecorrelationWeight(); }
    @Override default boolean isHeadInputNormalized() { return delegate().isHeadInputNormalized(); }
    @Override default Path getCheckpointDir() { return delegate().getCheckpointDir(); }
    @Override default boolean isResume() { return delegate().isResume(); }
    @Override default double getAlpha() { return delegate().getAlpha(); }
    @Override default double getBeta() { return delegate().getBeta(); }
    @Override default Path getStatsFile() { return delegate().getStatsFile(); }
}

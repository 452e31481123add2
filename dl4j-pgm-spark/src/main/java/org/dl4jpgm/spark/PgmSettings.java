package org.dl4jpgm.spark;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.examples.MainJob;
import org.dl4jpgm.examples.mainjob.TrainingSettings;

/**
 * The main job's graph settings ({@link TrainingSettings}) as plain values: what {@code ExperimentRunner} needs to
 * build the graph and, for the single-machine reference, to train it. The defaults are the main job's.
 */
public final class PgmSettings implements TrainingSettings {

    private int width = 32;
    private int iterations = 1;
    private LearnerMode learnerMode = LearnerMode.SEQUENCE;
    private int batchSize = 128;
    private int stage1Epochs = 1;
    private int stage2Epochs = 18;
    private double modelLearningRate = MainJob.MODEL_LR;
    private double learnerLearningRate = MainJob.LEARNER_LR;
    private double decoderLearningRate = MainJob.DECODER_LR;

    public PgmSettings width(int d) {
        width = d;
        return this;
    }

    public PgmSettings iterations(int n) {
        iterations = n;
        return this;
    }

    public PgmSettings learnerMode(LearnerMode m) {
        learnerMode = m;
        return this;
    }

    public PgmSettings batchSize(int b) {
        batchSize = b;
        return this;
    }

    public PgmSettings epochs(int stage1, int stage2) {
        stage1Epochs = stage1;
        stage2Epochs = stage2;
        return this;
    }

    public PgmSettings learningRates(double model, double learner, double decoder) {
        modelLearningRate = model;
        learnerLearningRate = learner;
        decoderLearningRate = decoder;
        return this;
    }

    @Override
    public int getWidth() {
        return width;
    }

    @Override
    public int getIterations() {
        return iterations;
    }

    @Override
    public LearnerMode getLearnerMode() {
        return learnerMode;
    }

    @Override
    public int getBatchSize() {
        return batchSize;
    }

    @Override
    public int getStage1Epochs() {
        return stage1Epochs;
    }

    @Override
    public int getStage2Epochs() {
        return stage2Epochs;
    }

    @Override
    public double getModelLearningRate() {
        return modelLearningRate;
    }

    @Override
    public double getLearnerLearningRate() {
        return learnerLearningRate;
    }

    @Override
    public double getDecoderLearningRate() {
        return decoderLearningRate;
    }
}

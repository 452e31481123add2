package org.dl4jpgm.examples.experiment;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.UprSteps;

/**
 * What {@link ExperimentRunner} and {@link FusionChoice#spec} need to build and train a model: the widths, PgM's
 * iterations and learner mode, the batch size, the epochs of the two stages, the learning rates and the loss weights.
 * Implemented by the training options every main shares ({@link org.dl4jpgm.examples.cli.TrainingOptions}).
 */
public interface TrainingSettings {

    /** Common model width D (PgM's width, the head's hidden width, the dense layer before the output). */
    int getWidth();

    /** PgM iterations N (paper: 3). */
    int getIterations();

    /** Attention-mask reading of PgM's learners (docs/design.md). */
    LearnerMode getLearnerMode();

    /** UPR's reduction over a sequence's valid steps (Eq. 10). Default {@link UprSteps#MEAN}. */
    default UprSteps getUprSteps() {
        return UprSteps.MEAN;
    }

    /** Minibatch size B. */
    int getBatchSize();

    /** PgM pre-training epochs, stage 1 (L_P only; paper: 20). */
    int getStage1Epochs();

    /** Joint training epochs, stage 2 (0.5 L_P + L_T; paper: 50); the only stage of a baseline. */
    int getStage2Epochs();

    /** Adam learning rate of everything but PgM's learners and decoder (every baseline's only one). */
    double getModelLearningRate();

    /**
     * Adam learning rate of a baseline's graph (its only one), where the baselines are tuned apart from PgM; the
     * default: {@link #getModelLearningRate()}, one rate for every fusion.
     */
    default double getBaselineLearningRate() {
        return getModelLearningRate();
    }

    /** Adam learning rate of PgM's two learners (paper: 1e-4). */
    double getLearnerLearningRate();

    /** Adam learning rate of PgM's decoder (paper: 1e-3). */
    double getDecoderLearningRate();

    /**
     * K, the stage-2 iterations over which the learning rate of PgM's task path (the normalisation before its head,
     * the head, and the dense and output layers after it: what stage 1 leaves untrained) ramps linearly from
     * {@code lr / K} to the model part's rate {@code lr} ({@code org.dl4jpgm.train.StageTwoWarmup}); counted from stage
     * 2's first batch, so stage 1's iterations do not consume it. 0 (the default) = no warm-up, training as before the
     * option. Baselines are not affected.
     */
    default int getHeadWarmup() {
        return 0;
    }

    /**
     * F of a cosine decay of every learning rate of a graph (model part, learners, decoder, head; a baseline's) over
     * stage 2, from its value at stage 2's first batch to F times it at the end ({@code org.dl4jpgm.train.StageTwoDecay});
     * stage 1 keeps its rates, and a head warm-up is multiplied by the decay. 1 (the default) = no decay, training as
     * before the option.
     */
    default double getFinalLearningRateFraction() {
        return 1;
    }

    /**
     * Probability with which each of PgM's standardised features is dropped before its head in training
     * ({@code FusionSpec.headDropout}); 0 (the default) = no dropout layer, the graph as before the option.
     */
    default double getHeadDropout() {
        return 0;
    }

    /**
     * Probability with which each unit of a baseline's fused output is dropped in training
     * ({@code FusionSpec.baselineDropout}, the baselines' counterpart of {@link #getHeadDropout()}); 0 (the default) =
     * no dropout layer. PgM is not affected.
     */
    default double getBaselineDropout() {
        return 0;
    }

    /**
     * λ_s of PgM's paired-share penalty ({@code PgmOptions.pairedShareWeight}, not in the paper); 0 (the default) = off,
     * the paper's objective.
     */
    default double getPairedShareWeight() {
        return 0;
    }

    /**
     * λ_x of PgM's gate-exclusivity penalty ({@code PgmOptions.gateExclusivityWeight}, not in the paper); 0 (the
     * default) = off, the paper's objective.
     */
    default double getGateExclusivityWeight() {
        return 0;
    }

    /**
     * λ_d of PgM's stream-decorrelation penalty ({@code PgmOptions.streamDecorrelationWeight}, not in the paper); 0 (the
     * default) = off, the paper's objective.
     */
    default double getStreamDecorrelationWeight() {
        return 0;
    }

    /**
     * Whether PgM's features are standardised (a {@code BatchNormalization} layer) before its head
     * ({@code FusionSpec.headInputNormalized}; docs/design.md, "The head after stage 1").
     */
    boolean isHeadInputNormalized();

    /**
     * Folder of the training checkpoints: each (fusion, seed) run writes its per-epoch checkpoint into a sub-folder
     * named after them ({@link ExperimentRunner#checkpointFolder}). Default null: no checkpoints.
     */
    default java.nio.file.Path getCheckpointDir() {
        return null;
    }

    /**
     * Whether each run first resumes from its latest checkpoint under {@link #getCheckpointDir()} (a finished run then
     * trains nothing). Default false.
     */
    default boolean isResume() {
        return false;
    }

    /** Weight α of PgM's objective L_P in stage 2 (Eq. 12). Default the trainer's (0.5). */
    default double getAlpha() {
        return org.dl4jpgm.conf.LossWeights.JOINT.alpha();
    }

    /** Weight β of the task loss L_T in stage 2 (Eq. 12). Default the trainer's (1). */
    default double getBeta() {
        return org.dl4jpgm.conf.LossWeights.JOINT.beta();
    }

    /**
     * File of DL4J's training statistics ({@code StatsListener} into a {@code FileStatsStorage}), opened by DL4J's
     * training UI. Default null: none.
     */
    default java.nio.file.Path getStatsFile() {
        return null;
    }
}

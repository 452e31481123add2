package org.dl4jpgm.examples.cli;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.UprSteps;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.fusion.FusionSpec;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The training options every main shares (a picocli {@code @Mixin}), and the class the presets
 * ({@code presets/*.json}, {@link Presets}) are read into: the JSON keys are the field names. The values start from the
 * main's base preset ({@link Presets#CPU}; the task mains {@link Presets#TASKS} over it, the main job
 * {@link Presets#MAIN_JOB}), so each default is written
 * once, in a preset file; {@code --preset NAME|FILE.json} applies a preset over the base, and the options given on the
 * command line override both ({@link Cli#parse}). The usage shows the values in effect before the command line.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class TrainingOptions implements TrainingSettings {

    /** A preset by name ({@link Presets#NAMES}) or a JSON file; applied by {@link Cli}. */
    @JsonIgnore
    @Option(names = "--preset", paramLabel = "NAME|FILE", order = 100,
            description = {"training settings from a preset: cpu, tasks, mainjob, quick, paper (the paper's, Sec. 4.2) "
                    + "or a JSON file with keys of presets/cpu.json; the options given here override it; with --help the "
                    + "defaults shown are the preset's"})
    String preset;

    /** Common model width D (paper: 768). */
    @Option(names = "--width", paramLabel = "D", order = 101, converter = Converters.PositiveInt.class,
            description = "common model width (default ${DEFAULT-VALUE})")
    int width;

    /** PgM iterations N (paper: 3). */
    @Option(names = "--iterations", paramLabel = "N", order = 102, converter = Converters.PositiveInt.class,
            description = "PgM iterations (default ${DEFAULT-VALUE})")
    int iterations;

    /** Attention-mask reading of PgM's learners (docs/design.md, "Learner mode measured in the main job"). */
    @Option(names = "--learner-mode", paramLabel = "MODE", order = 103, converter = Converters.LearnerModes.class,
            description = "FEATURE or SEQUENCE (default ${DEFAULT-VALUE})")
    LearnerMode learnerMode;

    /** UPR's reduction over a sequence's valid steps (Eq. 10; docs/results.md, "The UPR convention"). */
    @Option(names = "--upr-steps", paramLabel = "MEAN|SUM", order = 103, converter = Converters.UprStepChoices.class,
            description = "UPR over a sequence's valid steps: their MEAN or SUM (default ${DEFAULT-VALUE})")
    UprSteps uprSteps;

    /**
     * λ_s of PgM's paired-share penalty (not in the paper; docs/results.md, "Partition recovery"): the mean soft paired
     * gate times λ_s joins the gradient of L_P. 0 = off.
     */
    @Option(names = "--paired-share-weight", paramLabel = "W", order = 103,
            converter = Converters.NonNegativeReal.class,
            description = "weight of a penalty on the share of channels in PgM's paired stream (not in the paper; "
                    + "its gradient joins L_P's); 0 = off (default ${DEFAULT-VALUE})")
    double pairedShareWeight;

    /**
     * λ_x of PgM's gate-exclusivity penalty (not in the paper; docs/results.md, "Partition recovery"): the soft share of
     * channels in both streams or in neither times λ_x joins the gradient of L_P. 0 = off.
     */
    @Option(names = "--gate-exclusivity-weight", paramLabel = "W", order = 103,
            converter = Converters.NonNegativeReal.class,
            description = "weight of a penalty on the channels PgM's partitioner gives to both streams or to neither "
                    + "(not in the paper; its gradient joins L_P's); 0 = off (default ${DEFAULT-VALUE})")
    double gateExclusivityWeight;

    /**
     * λ_d of PgM's stream-decorrelation penalty (not in the paper; docs/results.md, "Partition recovery"): the mean
     * squared correlation between the pooled uni and paired features of a modality times λ_d joins the gradient of
     * L_P. 0 = off.
     */
    @Option(names = "--stream-decorrelation-weight", paramLabel = "W", order = 103,
            converter = Converters.NonNegativeReal.class,
            description = "weight of a penalty on the correlation between PgM's uni and paired features of a modality "
                    + "(not in the paper; its gradient joins L_P's); 0 = off (default ${DEFAULT-VALUE})")
    double streamDecorrelationWeight;

    /** PgM pre-training epochs, stage 1 (L_P only; paper: 20). */
    @Option(names = "--stage1-epochs", paramLabel = "N", order = 104, converter = Converters.NonNegativeInt.class,
            description = "PgM pre-training epochs, L_P only (default ${DEFAULT-VALUE})")
    int stage1Epochs;

    /** Joint training epochs, stage 2 (0.5 L_P + L_T, Eq. 12; paper: 50); the only stage of a baseline. */
    @Option(names = "--stage2-epochs", paramLabel = "N", order = 105, converter = Converters.PositiveInt.class,
            description = "joint training epochs, α L_P + β L_T, the only stage of a baseline (default ${DEFAULT-VALUE})")
    int stage2Epochs;

    /** Minibatch size B. */
    @Option(names = "--batch", paramLabel = "B", order = 106, converter = Converters.PositiveInt.class,
            description = "minibatch size (default ${DEFAULT-VALUE})")
    int batchSize;

    /** Adam learning rate of every fusion's model part (paper: 3e-4; higher by default: few epochs). */
    @Option(names = "--lr", paramLabel = "R", order = 107, converter = Converters.PositiveReal.class,
            description = "Adam learning rate of the model part (default ${DEFAULT-VALUE})")
    double lr;

    /**
     * Adam learning rate of a baseline's graph (its fusion and every layer around it), where the baselines are tuned
     * apart from PgM (docs/results.md, "The main job's defaults, chosen on the validation split"). 0 = {@link #lr}.
     */
    @Option(names = "--baseline-lr", paramLabel = "R", order = 107, converter = Converters.NonNegativeReal.class,
            description = "Adam learning rate of a baseline's graph; 0 = --lr (default ${DEFAULT-VALUE})")
    double baselineLr;

    /** Adam learning rate of PgM's two learners (paper: 1e-4). */
    @Option(names = "--learner-lr", paramLabel = "R", order = 108, converter = Converters.PositiveReal.class,
            description = "Adam learning rate of PgM's learners (default ${DEFAULT-VALUE})")
    double learnerLr;

    /** Adam learning rate of PgM's decoder (paper: 1e-3). */
    @Option(names = "--decoder-lr", paramLabel = "R", order = 109, converter = Converters.PositiveReal.class,
            description = "Adam learning rate of PgM's decoder (default ${DEFAULT-VALUE})")
    double decoderLr;

    /** Weight α of PgM's objective L_P in stage 2 (Eq. 12; paper 0.5). */
    @Option(names = "--alpha", paramLabel = "A", order = 110, converter = Converters.NonNegativeReal.class,
            description = "weight of PgM's objective in stage 2 (default ${DEFAULT-VALUE})")
    double alpha;

    /** Weight β of the task loss L_T in stage 2 (Eq. 12; paper 1). */
    @Option(names = "--beta", paramLabel = "B", order = 111, converter = Converters.NonNegativeReal.class,
            description = "weight of the task loss in stage 2 (default ${DEFAULT-VALUE})")
    double beta;

    /** PgM's features standardised before its head (not in the paper; docs/design.md, "The head after stage 1"). */
    @Option(names = "--head-norm", paramLabel = "yes|no", arity = "1", order = 112, converter = Converters.YesNo.class,
            description = "standardise PgM's features (BatchNormalization) before its head (default ${DEFAULT-VALUE})")
    boolean headNorm;

    /**
     * Stage-2 iterations of a linear learning-rate warm-up of PgM's head (the layers after its features), counted from
     * stage 2's first batch (not in the paper; docs/results.md, "A warm-up of PgM's head in stage 2"). 0 = none.
     */
    @Option(names = "--head-warmup", paramLabel = "K", order = 113, converter = Converters.NonNegativeInt.class,
            description = "stage-2 iterations over which the learning rate of PgM's head (the layers after its "
                    + "features) ramps linearly from lr/K to lr; 0 = none (default ${DEFAULT-VALUE})")
    int headWarmup;

    /**
     * F of a cosine decay of every learning rate over stage 2, to F times its value at the last batch (not in the
     * paper; docs/results.md, "A cosine decay over stage 2"). 1 = none.
     */
    @Option(names = "--final-lr-fraction", paramLabel = "F", order = 113, converter = Converters.Fraction.class,
            description = "every learning rate decays over stage 2 (cosine, from its value to F times it; stage 1 "
                    + "and the head's warm-up are kept); 1 = no decay (default ${DEFAULT-VALUE})")
    double finalLrFraction;

    /**
     * Probability with which each of PgM's standardised features is dropped before its head in training (not in the
     * paper; docs/results.md, "A warm-up of PgM's head in stage 2"). 0 = none.
     */
    @Option(names = "--head-dropout", paramLabel = "P", order = 114, converter = Converters.DropProbability.class,
            description = "dropout on PgM's features before its head, the probability of dropping each; 0 = none "
                    + "(default ${DEFAULT-VALUE})")
    double headDropout;

    /**
     * Probability with which each unit of a baseline's fused output is dropped in training, the baselines'
     * counterpart of {@link #headDropout} (docs/results.md, "A longer stage 2 with dropout, for every fusion"). 0 = none.
     */
    @Option(names = "--baseline-dropout", paramLabel = "P", order = 114, converter = Converters.DropProbability.class,
            description = "dropout on a baseline's fused output before the layers that read it, the probability of "
                    + "dropping each; 0 = none (default ${DEFAULT-VALUE})")
    double baselineDropout;

    /** Folder of per-epoch training checkpoints, one sub-folder per fusion and seed. Default none. */
    @JsonIgnore
    @Option(names = "--checkpoint-dir", paramLabel = "DIR", order = 115,
            description = "write a training checkpoint after every epoch into DIR/<fusion>-seed<seed> (default: none)")
    Path checkpointDir;

    /** Resume every run from its latest checkpoint under {@link #checkpointDir}. */
    @JsonIgnore
    @Option(names = "--resume", order = 116,
            description = "continue every run from its latest checkpoint in --checkpoint-dir (a finished run trains "
                    + "nothing; default: start afresh)")
    boolean resume;

    /** DL4J training statistics file (StatsListener into a FileStatsStorage) for DL4J's training UI. Default none. */
    @JsonIgnore
    @Option(names = "--stats", paramLabel = "FILE", order = 117,
            description = "write DL4J's training statistics (StatsListener, FileStatsStorage) with PgM's objectives to "
                    + "FILE, for DL4J's training UI (default: none)")
    Path stats;

    /** The options of the {@link Presets#CPU} preset. */
    public TrainingOptions() {
        this(Presets.CPU);
    }

    /** The options of the base presets {@code bases}, applied in order. */
    public TrainingOptions(String... bases) {
        for (String b : bases) {
            Presets.apply(this, b);
        }
    }

    /**
     * Checks every value (a preset gives them unchecked).
     *
     * @param source where the values came from, for the message (e.g. {@code preset paper.json})
     * @throws IllegalArgumentException naming the source, the key and the value
     */
    void check(String source) {
        require(width >= 1, source, "width", width, "a whole number >= 1");
        require(iterations >= 1, source, "iterations", iterations, "a whole number >= 1");
        require(learnerMode != null, source, "learnerMode", learnerMode, "FEATURE or SEQUENCE");
        require(uprSteps != null, source, "uprSteps", uprSteps, "MEAN or SUM");
        require(Converters.isNonNegative(pairedShareWeight), source, "pairedShareWeight", pairedShareWeight,
                "a finite number >= 0");
        require(Converters.isNonNegative(gateExclusivityWeight), source, "gateExclusivityWeight",
                gateExclusivityWeight, "a finite number >= 0");
        require(Converters.isNonNegative(streamDecorrelationWeight), source, "streamDecorrelationWeight",
                streamDecorrelationWeight, "a finite number >= 0");
        require(stage1Epochs >= 0, source, "stage1Epochs", stage1Epochs, "a whole number >= 0");
        require(stage2Epochs >= 1, source, "stage2Epochs", stage2Epochs, "a whole number >= 1");
        require(batchSize >= 1, source, "batchSize", batchSize, "a whole number >= 1");
        require(Converters.isPositive(lr), source, "lr", lr, "a finite number > 0");
        require(Converters.isNonNegative(baselineLr), source, "baselineLr", baselineLr, "a finite number >= 0");
        require(Converters.isPositive(learnerLr), source, "learnerLr", learnerLr, "a finite number > 0");
        require(Converters.isPositive(decoderLr), source, "decoderLr", decoderLr, "a finite number > 0");
        require(Converters.isNonNegative(alpha), source, "alpha", alpha, "a finite number >= 0");
        require(Converters.isNonNegative(beta), source, "beta", beta, "a finite number >= 0");
        require(headWarmup >= 0, source, "headWarmup", headWarmup, "a whole number >= 0");
        require(Converters.isFraction(finalLrFraction), source, "finalLrFraction", finalLrFraction,
                "a number >= 0 and <= 1");
        require(FusionSpec.isDropProbability(headDropout), source, "headDropout", headDropout,
                "a number >= 0 and < 1");
        require(FusionSpec.isDropProbability(baselineDropout), source, "baselineDropout", baselineDropout,
                "a number >= 0 and < 1");
        require(alpha + beta > 0, source, "alpha", alpha, "alpha and beta not both 0");
    }

    private static void require(boolean ok, String source, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(source + ": key '" + key + "' expects " + expected + ", found " + value);
        }
    }

    /** The preset named on the command line (null = none). */
    public String getPreset() { return preset; }
    @Override public int getWidth() { return width; }
    @Override public int getIterations() { return iterations; }
    @Override public LearnerMode getLearnerMode() { return learnerMode; }
    @Override public UprSteps getUprSteps() { return uprSteps; }
    @Override public double getPairedShareWeight() { return pairedShareWeight; }
    @Override public double getGateExclusivityWeight() { return gateExclusivityWeight; }
    @Override public double getStreamDecorrelationWeight() { return streamDecorrelationWeight; }
    @Override public int getStage1Epochs() { return stage1Epochs; }
    @Override public int getStage2Epochs() { return stage2Epochs; }
    @Override public int getBatchSize() { return batchSize; }
    @Override public boolean isHeadInputNormalized() { return headNorm; }
    @Override public int getHeadWarmup() { return headWarmup; }
    @Override public double getFinalLearningRateFraction() { return finalLrFraction; }
    @Override public double getHeadDropout() { return headDropout; }
    @Override public double getBaselineDropout() { return baselineDropout; }
    @Override public double getModelLearningRate() { return lr; }
    @Override public double getBaselineLearningRate() { return baselineLr > 0 ? baselineLr : lr; }
    @Override public double getLearnerLearningRate() { return learnerLr; }
    @Override public double getDecoderLearningRate() { return decoderLr; }
    @Override public double getAlpha() { return alpha; }
    @Override public double getBeta() { return beta; }
    @Override public Path getCheckpointDir() { return checkpointDir; }
    @Override public boolean isResume() { return resume; }
    @Override public Path getStatsFile() { return stats; }
}

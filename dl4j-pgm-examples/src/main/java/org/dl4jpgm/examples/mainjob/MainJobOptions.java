package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.ProjectHome;
import org.dl4jpgm.blocks.LearnerMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The main job's options, parsed from a plain {@code String[]} ({@link #parse}). Every option has a documented default;
 * {@link #usage()} lists them. {@code --quick} switches the defaults that were not given explicitly to a run of about
 * a minute (fewer epochs, examples and seeds).
 */
public final class MainJobOptions implements TrainingSettings {

    /** Dataset directory in the project's layout (null = the embedded digits-speech set). */
    private Path dataset;
    /** Target to train on (null = the descriptor's default target, {@code label}). */
    private String target;
    /** Fusions to run, by {@link FusionChoice} name (null = {@link FusionChoice#DEFAULT_LIST}). */
    private List<String> fusions;
    /** Seeds per fusion (results are mean ± std over seeds). Default 3, quick 1. */
    private Integer seeds;
    /** PgM pre-training epochs (stage 1). Default 1, quick 1. */
    private Integer stage1Epochs;
    /** Joint training epochs (stage 2; the only stage of a baseline). Default 18, quick 2. */
    private Integer stage2Epochs;
    /** Attention-mask reading of PgM's learners. Default SEQUENCE (measured: docs/design.md, "Learner mode measured in the main job"). */
    private LearnerMode learnerMode = LearnerMode.SEQUENCE;
    /** Common model width D. Default 32. */
    private int width = 32;
    /** PgM iterations N. Default 1. */
    private int iterations = 1;
    /** Minibatch size B. Default 128. */
    private int batchSize = 128;
    /** Adam learning rates: model part, PgM's learners, PgM's decoder (defaults: the main job's constants). */
    private final LearningRates learningRates = new LearningRates();
    /** At most this many training examples (0 = all). Default all, quick 128. */
    private Integer maxTrain;
    /** At most this many test examples (0 = all). Default all, quick 128. */
    private Integer maxTest;
    /** Training split name. */
    private String trainSplit = "train";
    /** Evaluation split name. */
    private String testSplit = "test";
    /** Where the PNG figures go. Default {@code mainjob-out} under {@link ProjectHome#dir()}. */
    private Path out = ProjectHome.resolve("mainjob-out");
    /** Folder of per-epoch training checkpoints, one sub-folder per fusion and seed. Default null: none. */
    private Path checkpointDir;
    /** Resume every run from its latest checkpoint under {@link #checkpointDir}. Default false. */
    private boolean resume;
    /** A run of about a minute. */
    private boolean quick;
    /** Print the usage and exit. */
    private boolean help;

    /** The command named in error messages. */
    private static final String COMMAND = "MainJob";

    private MainJobOptions() {
    }

    /**
     * Parses {@code [DATASET_DIR] [--option value ...]}.
     *
     * @throws IllegalArgumentException naming the bad option or value
     */
    public static MainJobOptions parse(String... args) {
        MainJobOptions o = new MainJobOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                if (o.dataset != null) {
                    throw new IllegalArgumentException("MainJob: expected one dataset directory, found a second argument '"
                            + a + "' (after '" + o.dataset + "')");
                }
                o.dataset = Path.of(a);
                continue;
            }
            switch (a) {
                case "--help", "-h" -> o.help = true;
                case "--quick" -> o.quick = true;
                case "--resume" -> o.resume = true;
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("MainJob: option " + a + " expects a value, found none");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--target" -> o.target = v;
                        case "--fusions" -> o.fusions = List.of(v.split(","));
                        case "--seeds" -> o.seeds = positive(a, v);
                        case "--stage1-epochs" -> o.stage1Epochs = nonNegative(a, v);
                        case "--stage2-epochs" -> o.stage2Epochs = positive(a, v);
                        case "--learner-mode" -> o.learnerMode = learnerMode(v);
                        case "--width" -> o.width = positive(a, v);
                        case "--iterations" -> o.iterations = positive(a, v);
                        case "--batch" -> o.batchSize = positive(a, v);
                        case "--lr", "--learner-lr", "--decoder-lr" -> o.learningRates.parse(COMMAND, a, v);
                        case "--max-train" -> o.maxTrain = nonNegative(a, v);
                        case "--max-test" -> o.maxTest = nonNegative(a, v);
                        case "--train-split" -> o.trainSplit = v;
                        case "--test-split" -> o.testSplit = v;
                        case "--out" -> o.out = Path.of(v);
                        case "--checkpoint-dir" -> o.checkpointDir = Path.of(v);
                        default -> throw new IllegalArgumentException("MainJob: unknown option " + a + "; see --help");
                    }
                }
            }
        }
        if (o.resume && o.checkpointDir == null) {
            throw new IllegalArgumentException("MainJob: option --resume needs --checkpoint-dir DIR, found none");
        }
        if (o.fusions != null) {
            for (String f : o.fusions) {
                FusionChoice.parse(f.trim());
            }
        }
        return o;
    }

    private static LearnerMode learnerMode(String v) {
        return OptionValues.choice(COMMAND, "--learner-mode", v, LearnerMode.class);
    }

    private static int positive(String option, String v) {
        return OptionValues.positive(COMMAND, option, v);
    }

    private static int nonNegative(String option, String v) {
        return OptionValues.nonNegative(COMMAND, option, v);
    }

    /** The command line help. */
    public static String usage() {
        return String.join("\n",
                "usage: MainJob [DATASET_DIR] [options]",
                "  DATASET_DIR            a dataset in the project layout (dataset.json, <split>/*.npy, labels.csv);",
                "                         default: the embedded digits-speech set",
                "  --target NAME          target to predict (default: the dataset's default target 'label')",
                "  --fusions LIST         comma-separated, from " + FusionChoice.NAMES,
                "                         UNIMODAL = one run per modality, UNI:<modality> = one modality",
                "                         (default: " + String.join(",", FusionChoice.DEFAULT_LIST) + ")",
                "  --seeds N              seeds per fusion, results are mean ± std (default 3; quick 1)",
                "  --stage1-epochs N      PgM pre-training epochs (default 1; quick 1)",
                "  --stage2-epochs N      joint training epochs, the only stage of a baseline (default 18; quick 2)",
                "  --learner-mode MODE    FEATURE or SEQUENCE (default SEQUENCE)",
                "  --width D              common model width (default 32)",
                "  --iterations N         PgM iterations (default 1)",
                "  --batch B              minibatch size (default 128)",
                "  --lr R                 Adam learning rate of every fusion's model part (default "
                        + org.dl4jpgm.examples.MainJob.MODEL_LR + ")",
                "  --learner-lr R         Adam learning rate of PgM's learners (default "
                        + org.dl4jpgm.examples.MainJob.LEARNER_LR + ")",
                "  --decoder-lr R         Adam learning rate of PgM's decoder (default "
                        + org.dl4jpgm.examples.MainJob.DECODER_LR + ")",
                "  --max-train N          at most N training examples, 0 = all (default all; quick 128)",
                "  --max-test N           at most N test examples, 0 = all (default all; quick 128)",
                "  --train-split NAME     training split (default train)",
                "  --test-split NAME      evaluation split (default test)",
                "  --out DIR              where the PNG figures go (default " + ProjectHome.resolve("mainjob-out") + ")",
                "  --checkpoint-dir DIR   write a training checkpoint after every epoch into DIR/<fusion>-seed<seed>",
                "                         (default: none)",
                "  --resume               continue every run from its latest checkpoint in --checkpoint-dir (a",
                "                         finished run trains nothing; default: start afresh)",
                "  --quick                a run of about a minute (fewer epochs, examples, seeds)",
                "  --help                 this text");
    }

    public Path getDataset() { return dataset; }
    public String getTarget() { return target; }
    public List<String> getFusions() { return fusions == null ? FusionChoice.DEFAULT_LIST : fusions; }
    public int getSeeds() { return seeds != null ? seeds : (quick ? 1 : 3); }
    @Override public int getStage1Epochs() { return stage1Epochs != null ? stage1Epochs : (quick ? 1 : 1); }
    @Override public int getStage2Epochs() { return stage2Epochs != null ? stage2Epochs : (quick ? 2 : 18); }
    @Override public LearnerMode getLearnerMode() { return learnerMode; }
    @Override public int getWidth() { return width; }
    @Override public int getIterations() { return iterations; }
    @Override public int getBatchSize() { return batchSize; }
    @Override public double getModelLearningRate() { return learningRates.model(); }
    @Override public double getLearnerLearningRate() { return learningRates.learner(); }
    @Override public double getDecoderLearningRate() { return learningRates.decoder(); }
    public int getMaxTrain() { return maxTrain != null ? maxTrain : (quick ? 128 : 0); }
    public int getMaxTest() { return maxTest != null ? maxTest : (quick ? 128 : 0); }
    public String getTrainSplit() { return trainSplit; }
    public String getTestSplit() { return testSplit; }
    public Path getOut() { return out; }
    @Override public Path getCheckpointDir() { return checkpointDir; }
    @Override public boolean isResume() { return resume; }
    public boolean isQuick() { return quick; }
    public boolean isHelp() { return help; }

    /** The fusion choices, UNIMODAL expanded over the given modality names. */
    public List<FusionChoice> fusionChoices(List<String> modalities) {
        List<FusionChoice> r = new ArrayList<>();
        for (String f : getFusions()) {
            r.addAll(FusionChoice.parse(f.trim()).expand(modalities));
        }
        return r;
    }
}

package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.examples.mainjob.FusionChoice;
import org.dl4jpgm.examples.mainjob.LearningRates;
import org.dl4jpgm.examples.mainjob.OptionValues;
import org.dl4jpgm.examples.mainjob.TrainingSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options every task main shares, parsed from {@code DATA_DIR [--option value ...]}; each option is a documented
 * field with its default, and {@link #usage()} lists them with the task's own. Subclasses add the task's options
 * ({@link #taskOption}). Defaults are sized for a CPU (a few epochs, D = 32, N = 1); the paper's setting is
 * {@code --width 768 --iterations 3 --stage1-epochs 20 --stage2-epochs 50} (Sec. 4.2).
 */
public abstract class TaskOptions implements TrainingSettings {

    /** The dataset folder as distributed (the one positional argument; required unless {@code --help}). */
    private Path data;
    /**
     * The model, by {@link FusionChoice} name: PGM (default), one of its Table 3 ablations (NO_PARTITIONER, NO_UFC,
     * NO_PFC, NO_UPR) or a Table 2 baseline (CONCAT, ADD, MAX, LINEAR, MLP, UNI:&lt;modality&gt;).
     */
    private String fusion = "PGM";
    /** Common model width D. Default 32 (paper: 768). */
    private int width = 32;
    /** PgM iterations N. Default 1 (paper: 3). */
    private int iterations = 1;
    /** Attention-mask reading of PgM's learners. Default SEQUENCE (docs/design.md, "Learner mode measured"). */
    private LearnerMode learnerMode = LearnerMode.SEQUENCE;
    /** PgM pre-training epochs, stage 1 (L_P only). Default 1 (paper: 20). */
    private int stage1Epochs = 1;
    /** Joint training epochs, stage 2 (0.5 L_P + L_T, Eq. 12). Default 3 (paper: 50). */
    private int stage2Epochs = 3;
    /** Minibatch size B. Default 64. */
    private int batchSize = 64;
    /** Adam learning rates: model part, PgM's learners, PgM's decoder (defaults: the main job's). */
    private final LearningRates learningRates = new LearningRates();
    /** Seed of the initialisation and of the shuffling. Default 42. */
    private long seed = 42;
    /** At most this many training examples (the first ones), 0 = all. Default 0. */
    private int maxTrain;
    /** At most this many evaluation examples (the first ones), 0 = all. Default 0. */
    private int maxTest;
    /** The split evaluated. Default {@code test}. */
    private String testSplit = "test";
    /** Bad records: FAIL (default) stops at the first with an error naming it; SKIP leaves them out and counts them. */
    private BadRecordPolicy badRecords = BadRecordPolicy.FAIL;
    /**
     * Standardise every modality per dimension with the training split's mean and deviation
     * ({@link org.dl4jpgm.datavec.layout.FeatureStandardizer}) before training. Default yes: on unnormalised features
     * (MELD's openSMILE audio) PgM's UPR otherwise rises every epoch (docs/design.md, "UPR on vector modalities").
     */
    private boolean standardize = true;
    /** Output folder: the exported layout ({@code <out>/layout}), the results ({@code <out>/results.md}). */
    private Path out;
    /** Folder of per-epoch training checkpoints ({@code <dir>/<fusion>-seed<seed>}). Default null: none. */
    private Path checkpointDir;
    /** Resume training from the latest checkpoint under {@link #checkpointDir}. Default false. */
    private boolean resume;
    /** Print the usage and exit. */
    private boolean help;
    /** Print the stack trace of an error after its one-line message. Default off. */
    private boolean verbose;

    /** @param defaultOut the task's default output folder, e.g. {@code tasks-out/msa} */
    protected TaskOptions(Path defaultOut) {
        this.out = defaultOut;
    }

    /** The command name used in messages and the usage, e.g. {@code MsaMain}. */
    protected abstract String command();

    /** Usage lines of {@code DATA_DIR}: what the folder holds. */
    protected abstract List<String> dataUsage();

    /** Usage lines of the task's own options. */
    protected abstract List<String> taskUsage();

    /**
     * Parses one task option.
     *
     * @return false if {@code option} is not one of the task's
     * @throws IllegalArgumentException for a bad value, naming the option and the value
     */
    protected abstract boolean taskOption(String option, String value);

    /**
     * Parses {@code args} into this object.
     *
     * @throws IllegalArgumentException naming the bad argument, option or value
     */
    protected final void parseArgs(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                if (data != null) {
                    throw new IllegalArgumentException(command() + ": expected one data directory, found a second "
                            + "argument '" + a + "' (after '" + data + "')");
                }
                data = Path.of(a);
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (a.equals("--verbose")) {
                verbose = true;
                continue;
            }
            if (a.equals("--resume")) {
                resume = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(command() + ": option " + a + " expects a value, found none");
            }
            String v = args[++i];
            switch (a) {
                case "--fusion" -> fusion = fusion(v);
                case "--width" -> width = positive(a, v);
                case "--iterations" -> iterations = positive(a, v);
                case "--learner-mode" -> learnerMode = choice(a, v, LearnerMode.class);
                case "--stage1-epochs" -> stage1Epochs = nonNegative(a, v);
                case "--stage2-epochs" -> stage2Epochs = positive(a, v);
                case "--batch" -> batchSize = positive(a, v);
                case "--lr", "--learner-lr", "--decoder-lr" -> learningRates.parse(command(), a, v);
                case "--seed" -> seed = nonNegative(a, v);
                case "--max-train" -> maxTrain = nonNegative(a, v);
                case "--max-test" -> maxTest = nonNegative(a, v);
                case "--test-split" -> testSplit = v;
                case "--bad-records" -> badRecords = choice(a, v, BadRecordPolicy.class);
                case "--standardize" -> standardize = yesNo(a, v);
                case "--out" -> out = Path.of(v);
                case "--checkpoint-dir" -> checkpointDir = Path.of(v);
                default -> {
                    if (!taskOption(a, v)) {
                        throw new IllegalArgumentException(command() + ": unknown option " + a + "; see --help");
                    }
                }
            }
        }
        if (data == null && !help) {
            throw new IllegalArgumentException(command() + ": expected a data directory as the first argument, found "
                    + "none; see --help");
        }
    }

    /** The splits the task's export writes, in order (the values {@code --test-split} accepts). */
    protected abstract List<String> splits();

    /** The modalities the task's export writes (the {@code <modality>} of {@code UNI:<modality>}). */
    protected abstract List<String> modalities();

    /**
     * Checks that DATA_DIR holds what the task reads (the files the options name), before anything is read.
     *
     * @throws TaskOptionException naming the missing path and the option that chose it
     */
    protected abstract void checkData();

    /**
     * Whether the task can train {@code choice} (default: every fusion).
     *
     * @return null if it can, else the reason it cannot
     */
    protected String unsupported(FusionChoice choice) {
        return null;
    }

    /**
     * Checks every option against the task and the data folder before any export or feature extraction: the data
     * folder exists, {@code --out} (and any other output folder) lies outside it, {@code --test-split} is a split the
     * export writes, {@code UNI:<modality>} names one of its modalities, the task supports the fusion, and the files the
     * task reads are there.
     *
     * @throws TaskOptionException naming the option, its value and what is accepted
     */
    public void validate() {
        Path d = data.toAbsolutePath().normalize();
        if (!Files.exists(d)) {
            throw new TaskOptionException(command() + ": DATA_DIR " + data + ": expected a data folder, found nothing "
                    + "at that path" + (data.isAbsolute() ? "" : " (relative to " + Path.of("").toAbsolutePath() + ")"));
        }
        for (Path o : outputFolders()) {
            Path n = o.toAbsolutePath().normalize();
            if (n.startsWith(d)) {
                throw new TaskOptionException(command() + ": output folder " + o + " lies inside the data folder "
                        + data + "; the task mains never write into a data folder (choose another --out)");
            }
        }
        if (checkpointDir != null && checkpointDir.toAbsolutePath().normalize().startsWith(d)) {
            throw new TaskOptionException(command() + ": --checkpoint-dir " + checkpointDir + " lies inside the data "
                    + "folder " + data + "; the task mains never write into a data folder");
        }
        if (resume && checkpointDir == null) {
            throw new TaskOptionException(command() + ": --resume needs --checkpoint-dir DIR, found none");
        }
        if (!splits().contains(testSplit)) {
            throw new TaskOptionException(command() + ": --test-split expects one of the splits the export writes "
                    + splits() + ", found '" + testSplit + "'");
        }
        FusionChoice c = FusionChoice.parse(fusion);
        if (c.modality() != null && !modalities().contains(c.modality())) {
            throw new TaskOptionException(command() + ": --fusion " + fusion + " names modality '" + c.modality()
                    + "', expected one of " + modalities());
        }
        String why = unsupported(c);
        if (why != null) {
            throw new TaskOptionException(command() + ": --fusion " + fusion + ": " + why);
        }
        checkData();
    }

    /** The folders the task writes: {@code --out} (subclasses add theirs). */
    protected List<Path> outputFolders() {
        return List.of(out);
    }

    /**
     * A file the task reads, relative to DATA_DIR or absolute.
     *
     * @param option the option that named it (or a description of the default), for the message
     * @throws TaskOptionException naming the path when it is not a regular file
     */
    protected final Path requireFile(Path file, String option) {
        Path p = data.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new TaskOptionException(command() + ": " + option + ": expected the file " + p + ", found "
                    + (Files.exists(p) ? "a folder" : "nothing at that path"));
        }
        return p;
    }

    private String fusion(String v) {
        try {
            FusionChoice c = FusionChoice.parse(v.trim());
            if (c.modality() == null && c.type() == org.dl4jpgm.fusion.FusionType.UNIMODAL) {
                throw new IllegalArgumentException("UNIMODAL is one run per modality");
            }
            return v.trim();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(command() + ": --fusion expects one model (PGM, NO_PARTITIONER, NO_UFC, "
                    + "NO_PFC, NO_UPR, CONCAT, ADD, MAX, LINEAR, MLP or UNI:<modality>), found '" + v + "' ("
                    + e.getMessage() + ")");
        }
    }

    private boolean yesNo(String option, String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new IllegalArgumentException(command() + ": " + option + " expects yes or no, found '" + v
                    + "'");
        };
    }

    /** Parses an enum constant (case-insensitive), naming the option and the accepted values on error. */
    protected final <E extends Enum<E>> E choice(String option, String v, Class<E> type) {
        return OptionValues.choice(command(), option, v, type);
    }

    /** Parses a whole number &ge; 1, naming the option on error. */
    protected final int positive(String option, String v) {
        return OptionValues.positive(command(), option, v);
    }

    /** Parses a whole number &ge; 0, naming the option on error. */
    protected final int nonNegative(String option, String v) {
        return OptionValues.nonNegative(command(), option, v);
    }

    /** The command line help. */
    public final String usage() {
        List<String> l = new ArrayList<>();
        l.add("usage: " + command() + " DATA_DIR [options]");
        l.addAll(dataUsage());
        l.addAll(taskUsage());
        l.addAll(List.of(
                "  --fusion NAME          PGM (default), a Table 3 ablation NO_PARTITIONER | NO_UFC | NO_PFC | NO_UPR,",
                "                         or a Table 2 baseline CONCAT | ADD | MAX | LINEAR | MLP | UNI:<modality>",
                "  --width D              common model width (default 32; paper 768)",
                "  --iterations N         PgM iterations (default 1; paper 3)",
                "  --learner-mode MODE    FEATURE or SEQUENCE (default SEQUENCE)",
                "  --stage1-epochs N      PgM pre-training epochs, L_P only (default 1; paper 20)",
                "  --stage2-epochs N      joint training epochs, 0.5 L_P + L_T (default 3; paper 50)",
                "  --batch B              minibatch size (default 64)",
                "  --lr, --learner-lr, --decoder-lr R",
                "                         Adam learning rates of the model part, PgM's learners, PgM's decoder",
                "                         (defaults as the main job: " + org.dl4jpgm.examples.MainJob.MODEL_LR + ", "
                        + org.dl4jpgm.examples.MainJob.LEARNER_LR + ", " + org.dl4jpgm.examples.MainJob.DECODER_LR + ")",
                "  --seed S               seed of initialisation and shuffling (default 42)",
                "  --max-train N          at most N training examples, 0 = all (default 0)",
                "  --max-test N           at most N evaluation examples, 0 = all (default 0)",
                "  --test-split NAME      split evaluated (default test)",
                "  --bad-records POLICY   FAIL (default: stop at the first bad record) or SKIP (leave out, count)",
                "  --standardize yes|no   standardise each feature dimension with the train split's mean and",
                "                         deviation before training (default yes)",
                "  --out DIR              exported layout, results.md and results.json go here, never inside",
                "                         DATA_DIR (default " + out + ")",
                "  --checkpoint-dir DIR   write a training checkpoint after every epoch into DIR/<fusion>-seed<seed>",
                "                         (default: none)",
                "  --resume               continue training from the latest checkpoint in --checkpoint-dir",
                "                         (default: start afresh)",
                "  --verbose              print the stack trace of an error after its message",
                "  --help                 this text",
                "exit status: 0 done, 1 the data could not be read (the message names file and place), 2 bad option"));
        return String.join("\n", l);
    }

    /**
     * Every option with the value in effect (given or default), by its command-line name, for the provenance written
     * next to the results.
     */
    public final Map<String, Object> values() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("DATA_DIR", data.toAbsolutePath().normalize().toString());
        v.put("--fusion", fusion);
        v.put("--width", width);
        v.put("--iterations", iterations);
        v.put("--learner-mode", learnerMode.name());
        v.put("--stage1-epochs", stage1Epochs);
        v.put("--stage2-epochs", stage2Epochs);
        v.put("--batch", batchSize);
        v.put("--lr", getModelLearningRate());
        v.put("--learner-lr", getLearnerLearningRate());
        v.put("--decoder-lr", getDecoderLearningRate());
        v.put("--seed", seed);
        v.put("--max-train", maxTrain);
        v.put("--max-test", maxTest);
        v.put("--test-split", testSplit);
        v.put("--bad-records", badRecords.name());
        v.put("--standardize", standardize ? "yes" : "no");
        v.put("--out", out.toAbsolutePath().normalize().toString());
        v.put("--checkpoint-dir", checkpointDir == null ? "none" : checkpointDir.toAbsolutePath().normalize().toString());
        v.put("--resume", resume);
        taskValues(v);
        return v;
    }

    /** Adds the task's own options with the values in effect to {@code values}. */
    protected abstract void taskValues(Map<String, Object> values);

    /** The dataset folder as distributed. */
    public Path getData() { return data; }
    /** The model, by {@link FusionChoice} name. */
    public String getFusion() { return fusion; }
    @Override public int getWidth() { return width; }
    @Override public int getIterations() { return iterations; }
    @Override public LearnerMode getLearnerMode() { return learnerMode; }
    @Override public int getStage1Epochs() { return stage1Epochs; }
    @Override public int getStage2Epochs() { return stage2Epochs; }
    @Override public int getBatchSize() { return batchSize; }
    @Override public double getModelLearningRate() { return learningRates.model(); }
    @Override public double getLearnerLearningRate() { return learningRates.learner(); }
    @Override public double getDecoderLearningRate() { return learningRates.decoder(); }
    /** Seed of initialisation and shuffling. */
    public long getSeed() { return seed; }
    /** At most this many training examples, 0 = all. */
    public int getMaxTrain() { return maxTrain; }
    /** At most this many evaluation examples, 0 = all. */
    public int getMaxTest() { return maxTest; }
    /** The split evaluated. */
    public String getTestSplit() { return testSplit; }
    /** What the exporters do with a bad record. */
    public BadRecordPolicy getBadRecords() { return badRecords; }
    /** Whether features are standardised with the training split's statistics. */
    public boolean isStandardize() { return standardize; }
    /** The output folder. */
    public Path getOut() { return out; }
    @Override public Path getCheckpointDir() { return checkpointDir; }
    @Override public boolean isResume() { return resume; }
    /** Whether {@code --help} was given. */
    public boolean isHelp() { return help; }
    /** Whether {@code --verbose} was given. */
    public boolean isVerbose() { return verbose; }
    /** The command name, e.g. {@code MsaMain}. */
    public final String getCommand() { return command(); }
}

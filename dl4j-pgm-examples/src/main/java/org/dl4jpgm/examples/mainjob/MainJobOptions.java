package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.DelegatingTrainingSettings;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.examples.ProjectHome;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The main job's options, a picocli command ({@link #parse}): the training options every main shares
 * ({@link TrainingOptions}, from the {@link Presets#MAIN_JOB} preset over {@link Presets#CPU}) and the main job's
 * own. {@code --quick} applies the {@link Presets#QUICK} preset and switches the defaults of {@code --seeds},
 * {@code --max-train} and {@code --max-test} that were not given explicitly to a run of about a minute.
 */
@Command(name = "MainJob", sortOptions = false, usageHelpAutoWidth = true, separator = " ",
        description = {"Trains PgM, every Table 2 baseline and every Table 3 ablation on a data set in the project's "
                + "layout, prints the results and parameter tables, writes figures, results.md, results.json and "
                + "the trained models to --out.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done (also --help)", "1:the data cannot be read", "2:a bad option"})
public final class MainJobOptions implements DelegatingTrainingSettings {

    /** The default of {@code --select-split}. */
    public static final String DEFAULT_SELECT_SPLIT = "valid";
    /** The value of {@code --select-split} that turns selection off. */
    public static final String NO_SELECTION = "none";

    /** Seeds per fusion without {@code --seeds}: 3, with {@code --quick} 1. */
    private static final int SEEDS = 3;
    private static final int QUICK_SEEDS = 1;
    /** Examples per split with {@code --quick} (without: all). */
    private static final int QUICK_EXAMPLES = 128;

    /** Dataset directory in the project's layout (null = the embedded digits-speech set). */
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET_DIR",
            description = {"a data set in the project layout (dataset.json, <split>/*.npy, labels.csv);",
                    "default: the embedded digits-speech set"})
    private Path dataset;
    /** Target to train on (null = the descriptor's default target, {@code label}). */
    @Option(names = "--target", paramLabel = "NAME", order = 1,
            description = "target to predict (default: the data set's default target 'label')")
    private String target;
    /** Fusions to run, by {@link FusionChoice} name (null = {@link FusionChoice#DEFAULT_LIST}). */
    @Option(names = "--fusions", paramLabel = "LIST", split = ",", hideParamSyntax = true, order = 2,
            description = {"comma-separated, from " + FusionChoice.NAMES_TEXT + ";",
                    "UNIMODAL = one run per modality, UNI:<modality> = one modality",
                    "(default: " + FusionChoice.DEFAULT_LIST_TEXT + ")"})
    private List<String> fusions;
    /** Seeds per fusion (results are mean ± std over seeds). */
    @Option(names = "--seeds", paramLabel = "N", order = 3, converter = Converters.PositiveInt.class,
            description = "seeds per fusion, results are mean ± std (default " + SEEDS + "; quick " + QUICK_SEEDS + ")")
    private Integer seeds;
    /** The training options every main shares. */
    @Mixin
    private TrainingOptions training = new TrainingOptions(Presets.CPU, Presets.MAIN_JOB);
    /** At most this many training examples (0 = all). */
    @Option(names = "--max-train", paramLabel = "N", order = 4, converter = Converters.NonNegativeInt.class,
            description = "at most N training examples, 0 = all (default all; quick " + QUICK_EXAMPLES + ")")
    private Integer maxTrain;
    /** At most this many test examples (0 = all). */
    @Option(names = "--max-test", paramLabel = "N", order = 5, converter = Converters.NonNegativeInt.class,
            description = "at most N test examples, 0 = all (default all; quick " + QUICK_EXAMPLES + ")")
    private Integer maxTest;
    /** Training split name. */
    @Option(names = "--train-split", paramLabel = "NAME", order = 6,
            description = "training split (default ${DEFAULT-VALUE})")
    private String trainSplit = "train";
    /** Evaluation split name. */
    @Option(names = "--test-split", paramLabel = "NAME", order = 7,
            description = "evaluation split (default ${DEFAULT-VALUE})")
    private String testSplit = "test";
    /** Split each run's stage-2 epoch is selected on; {@value #NO_SELECTION} = none (the last epoch). */
    @Option(names = "--select-split", paramLabel = "NAME", order = 8,
            description = {"split on which each run keeps its best stage-2 epoch (validation ACC, or MAE for",
                    "regression); 'none' keeps the last epoch (default ${DEFAULT-VALUE}; none if the data set",
                    "has no such split or with --checkpoint-dir)"})
    private String selectSplit = DEFAULT_SELECT_SPLIT;
    /** Learning rates of the model part swept per fusion and seed, chosen on the selection split (null = none). */
    @Option(names = "--lr-sweep", paramLabel = "LIST", split = ",", hideParamSyntax = true, order = 9,
            converter = Converters.PositiveReal.class,
            description = {"comma-separated learning rates of the model part: every fusion and seed trains once per",
                    "rate, the selection split picks rate and epoch, the test split is evaluated once (default none:",
                    "--lr only)"})
    private List<Double> learningRateSweep;
    /** Where the figures, the results and the models go. Default {@code mainjob-out} under {@link ProjectHome#dir()}. */
    @Option(names = "--out", paramLabel = "DIR", order = 10,
            description = "where the PNG figures, results.md, results.json and models/ go (default ${DEFAULT-VALUE})")
    private Path out = ProjectHome.resolve("mainjob-out");
    /**
     * Runs trained at once, each on its own thread with its own graph (0 = automatic: the machine's cores over the
     * OpenMP threads each ND4J op uses, 1 with {@code --stats}).
     */
    @Option(names = "--parallel-runs", paramLabel = "N", order = 11, converter = Converters.NonNegativeInt.class,
            description = {"runs trained at once, each on its own thread with its own graph; every number but the",
                    "seconds is the same as one at a time (0 = the cores over ND4J's OpenMP threads, e.g. 2 on 2",
                    "cores with OMP_NUM_THREADS=1; 1 with --stats; default ${DEFAULT-VALUE})"})
    private int parallelRuns = 0;
    /** A run of about a minute. */
    @Option(names = "--quick", order = 12,
            description = "a run of about a minute (the quick preset; fewer examples and seeds)")
    private boolean quick;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, order = 200, description = "this text")
    private boolean help;

    /** The parsed command line. */
    private CommandLine commandLine;
    /** The arguments parsed, as given. */
    private List<String> args = List.of();

    private MainJobOptions() {
    }

    /**
     * Parses {@code [DATASET_DIR] [--option value ...]}.
     *
     * @throws IllegalArgumentException naming the bad option or value
     */
    public static MainJobOptions parse(String... args) {
        MainJobOptions o = new MainJobOptions();
        if (Cli.has("--quick", args)) {
            Presets.apply(o.training, Presets.QUICK);
        }
        o.commandLine = Cli.parse(o, o.training, args);
        o.args = List.of(args);
        if (o.training.isResume() && o.training.getCheckpointDir() == null) {
            throw new IllegalArgumentException("MainJob: option --resume needs --checkpoint-dir DIR, found none");
        }
        if (o.learningRateSweep != null && o.selectSplit.equals(NO_SELECTION)) {
            throw new IllegalArgumentException("MainJob: option --lr-sweep chooses the rate on the selection split and "
                    + "needs one; found --select-split " + NO_SELECTION);
        }
        if (o.training.getCheckpointDir() != null && !o.selectSplit.equals(NO_SELECTION) && o.isSelectSplitGiven()) {
            throw new IllegalArgumentException("MainJob: option --checkpoint-dir trains and keeps a fixed number of "
                    + "epochs; add --select-split " + NO_SELECTION + " (found --select-split " + o.selectSplit + ")");
        }
        if (o.parallelRuns > 1 && o.training.getStatsFile() != null) {
            throw new IllegalArgumentException("MainJob: option --stats writes one statistics file from one run at a "
                    + "time; add --parallel-runs 1 (found --parallel-runs " + o.parallelRuns + ")");
        }
        if (o.fusions != null) {
            for (String f : o.fusions) {
                FusionChoice.parse(f.trim());
            }
        }
        return o;
    }

    /** The command line help. */
    public static String usage() {
        return Cli.commandLine(new MainJobOptions()).getUsageMessage();
    }

    /** Every option with the value in effect, by its command-line name (for results.json). */
    public Map<String, Object> values() {
        Map<String, Object> v = Cli.values(commandLine);
        v.put("--seeds", getSeeds());
        v.put("--max-train", getMaxTrain());
        v.put("--max-test", getMaxTest());
        v.put("--fusions", getFusions());
        return v;
    }

    /** The training options (widths, epochs, learning rates, loss weights, checkpoints, statistics). */
    public TrainingOptions getTraining() { return training; }
    /** The training options, to which every training setting is forwarded. */
    @Override public TrainingSettings delegate() { return training; }
    /** The arguments as given on the command line. */
    public List<String> getArgs() { return args; }
    public Path getDataset() { return dataset; }
    public String getTarget() { return target; }
    public List<String> getFusions() { return fusions == null ? FusionChoice.DEFAULT_LIST : fusions; }
    public int getSeeds() { return seeds != null ? seeds : (quick ? QUICK_SEEDS : SEEDS); }
    public int getMaxTrain() { return maxTrain != null ? maxTrain : (quick ? QUICK_EXAMPLES : 0); }
    public int getMaxTest() { return maxTest != null ? maxTest : (quick ? QUICK_EXAMPLES : 0); }
    public String getTrainSplit() { return trainSplit; }
    public String getTestSplit() { return testSplit; }
    /**
     * The split runs are selected on, or null (none): {@code --select-split} if given (an error if the data set has
     * no such split); else {@value #DEFAULT_SELECT_SPLIT} if the data set has it and no {@code --checkpoint-dir} is
     * given.
     *
     * @param splits the data set's splits
     */
    public String selectionSplit(List<String> splits) {
        if (selectSplit.equals(NO_SELECTION)) {
            return null;
        }
        if (isSelectSplitGiven()) {
            if (!splits.contains(selectSplit)) {
                throw new IllegalArgumentException("MainJob: option --select-split " + selectSplit + " names no split "
                        + "of the data set; its splits: " + splits);
            }
            return selectSplit;
        }
        return splits.contains(selectSplit) && training.getCheckpointDir() == null ? selectSplit : null;
    }
    /** {@code --select-split} as given or defaulted ({@value #NO_SELECTION}: none). */
    public String getSelectSplit() { return selectSplit; }
    /** Whether {@code --select-split} was given on the command line (an absent split is then an error). */
    public boolean isSelectSplitGiven() { return commandLine.getParseResult().hasMatchedOption("--select-split"); }
    /** The learning rates swept (empty: none, the one of {@code --lr}). */
    public List<Double> getLearningRateSweep() { return learningRateSweep == null ? List.of() : learningRateSweep; }
    public Path getOut() { return out; }
    /** {@code --parallel-runs} as given (0 = automatic, {@link #parallelRuns()}). */
    public int getParallelRuns() { return parallelRuns; }
    /**
     * The runs to train at once: {@code --parallel-runs} if given, else 1 with {@code --stats} (one statistics file),
     * else the machine's cores divided by the OpenMP threads an ND4J op uses ({@code OMP_NUM_THREADS}), at least 1:
     * PgM's ops are too small for a second OpenMP thread to pay (docs/performance.md), a second run on the other
     * core does.
     */
    public int parallelRuns() {
        if (parallelRuns > 0) {
            return parallelRuns;
        }
        if (training.getStatsFile() != null) {
            return 1;
        }
        int ompThreads = Math.max(1, Nd4j.getEnvironment().maxThreads());
        return Math.max(1, Runtime.getRuntime().availableProcessors() / ompThreads);
    }
    public boolean isQuick() { return quick; }
    public boolean isHelp() { return help; }
    /** The usage of this command line (defaults: the values in effect before the command line). */
    public String help() { return commandLine.getUsageMessage(); }

    /** The fusion choices, UNIMODAL expanded over the given modality names. */
    public List<FusionChoice> fusionChoices(List<String> modalities) {
        List<FusionChoice> r = new ArrayList<>();
        for (String f : getFusions()) {
            r.addAll(FusionChoice.parse(f.trim()).expand(modalities));
        }
        return r;
    }
}

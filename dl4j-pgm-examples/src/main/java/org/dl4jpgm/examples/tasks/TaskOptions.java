package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.DelegatingTrainingSettings;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The options every task main shares, a picocli command ({@code DATA_DIR [--option value ...]}): the training options
 * ({@link TrainingOptions}, from the {@link Presets#CPU} and {@link Presets#TASKS} presets; {@code --preset paper} is
 * the paper's setting, Sec. 4.2) and the options of a task run. Subclasses add the task's own options as annotated
 * fields and name the command ({@code @Command(name = ...)}); usage, defaults and exit codes come from the annotations.
 */
@Command(sortOptions = false, usageHelpAutoWidth = true, separator = " ",
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done (also --help)",
                "1:the data cannot be read (the message names file and place: line, record, key, byte)",
                "2:a bad option, or one that does not fit the task or the data folder"})
public abstract class TaskOptions implements DelegatingTrainingSettings {

    /** The dataset folder as distributed (the one positional argument; required unless {@code --help}). */
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATA_DIR",
            description = "the data set folder as distributed (see above); nothing is written inside it")
    private Path data;
    /**
     * The model, by {@link FusionChoice} name: PGM (default), one of its Table 3 ablations (NO_PARTITIONER, NO_UFC,
     * NO_PFC, NO_UPR) or a Table 2 baseline (CONCAT, ADD, MAX, LINEAR, MLP, UNI:&lt;modality&gt;).
     */
    @Option(names = "--fusion", paramLabel = "NAME", order = 1,
            description = {"${DEFAULT-VALUE} (default), a Table 3 ablation NO_PARTITIONER | NO_UFC | NO_PFC | NO_UPR,",
                    "or a Table 2 baseline CONCAT | ADD | MAX | LINEAR | MLP | UNI:<modality>"})
    private String fusion = "PGM";
    /** The training options every main shares; defaults: the cpu preset with the tasks preset over it. */
    @Mixin
    private TrainingOptions training = new TrainingOptions(Presets.CPU, Presets.TASKS);
    /** Seed of the initialisation and of the shuffling. */
    @Option(names = "--seed", paramLabel = "S", order = 2, converter = Converters.NonNegativeLong.class,
            description = "seed of initialisation and shuffling (default ${DEFAULT-VALUE})")
    private long seed = 42;
    /** At most this many training examples (the first ones), 0 = all. */
    @Option(names = "--max-train", paramLabel = "N", order = 3, converter = Converters.NonNegativeInt.class,
            description = "at most N training examples, 0 = all (default ${DEFAULT-VALUE})")
    private int maxTrain;
    /** At most this many evaluation examples (the first ones), 0 = all. */
    @Option(names = "--max-test", paramLabel = "N", order = 4, converter = Converters.NonNegativeInt.class,
            description = "at most N evaluation examples, 0 = all (default ${DEFAULT-VALUE})")
    private int maxTest;
    /** The split evaluated. */
    @Option(names = "--test-split", paramLabel = "NAME", order = 5,
            description = "split evaluated (default ${DEFAULT-VALUE})")
    private String testSplit = "test";
    /** Bad records: FAIL stops at the first with an error naming it; SKIP leaves them out and counts them. */
    @Option(names = "--bad-records", paramLabel = "POLICY", order = 6,
            description = "FAIL (default: stop at the first bad record) or SKIP (leave out, count)")
    private BadRecordPolicy badRecords = BadRecordPolicy.FAIL;
    /**
     * Standardise every modality per dimension with the training split's mean and deviation
     * ({@link org.dl4jpgm.datavec.layout.FeatureStandardizer}) before training. Default yes: on unnormalised features
     * (MELD's openSMILE audio) PgM's UPR otherwise rises every epoch (docs/design.md, "UPR on vector modalities").
     */
    @Option(names = "--standardize", paramLabel = "yes|no", arity = "1", order = 7, converter = Converters.YesNo.class,
            description = "standardise each feature dimension with the train split's mean and deviation before "
                    + "training (default yes)")
    private boolean standardize = true;
    /** Output folder: the exported layout ({@code <out>/layout}), the results, the model ({@code <out>/model.zip}). */
    @Option(names = "--out", paramLabel = "DIR", order = 8,
            description = "exported layout, results.md, results.json and model.zip go here, never inside DATA_DIR "
                    + "(default ${DEFAULT-VALUE})")
    private Path out;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, order = 200, description = "this text")
    private boolean help;
    /** Print the stack trace of an error after its one-line message. */
    @Option(names = "--verbose", order = 199, description = "print the stack trace of an error after its message")
    private boolean verbose;

    /** The parsed command line (usage, values in effect). */
    private CommandLine commandLine;
    /** The arguments parsed, as given. */
    private List<String> args = List.of();

    /** @param defaultOut the task's default output folder, e.g. {@code tasks-out/msa} */
    protected TaskOptions(Path defaultOut) {
        this.out = defaultOut;
    }

    /** The command name used in messages and the usage, e.g. {@code MsaMain} (its {@code @Command} name). */
    protected final String command() {
        return Cli.name(this);
    }

    /**
     * Checks what picocli cannot: the values of the task's own options that need more than a type (e.g. a list of
     * name=file pairs). Default: nothing.
     *
     * @throws IllegalArgumentException naming the option and the value
     */
    protected void checkTaskOptions() {
    }

    /**
     * Parses {@code args} into {@code o}.
     *
     * @throws IllegalArgumentException naming the bad argument, option or value
     */
    protected static <O extends TaskOptions> O parse(O options, String... args) {
        TaskOptions o = options;
        o.commandLine = Cli.parse(o, o.training, args);
        o.args = List.of(args);
        if (o.help) {
            return options;
        }
        if (o.data == null) {
            throw new IllegalArgumentException(o.command() + ": expected a data directory as the first argument, found "
                    + "none; see --help");
        }
        o.fusion = o.fusion(o.fusion);
        o.checkTaskOptions();
        return options;
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
        Map<String, Path> written = new java.util.LinkedHashMap<>();
        written.put("--checkpoint-dir", getCheckpointDir());
        written.put("--stats", getStatsFile());
        for (Map.Entry<String, Path> f : written.entrySet()) {
            if (f.getValue() != null && f.getValue().toAbsolutePath().normalize().startsWith(d)) {
                throw new TaskOptionException(command() + ": " + f.getKey() + " " + f.getValue() + " lies inside the "
                        + "data folder " + data + "; the task mains never write into a data folder");
            }
        }
        if (isResume() && getCheckpointDir() == null) {
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

    /**
     * Every option with the value in effect (given or default), by its command-line name, for the provenance written
     * next to the results.
     */
    public final Map<String, Object> values() {
        Map<String, Object> v = Cli.values(commandLine);
        taskValues(v);
        return v;
    }

    /** The usage, from the annotations (defaults: the values in effect before the command line). */
    public final String usage() {
        return commandLine.getUsageMessage();
    }

    /** Adjusts the task's own options in {@code values} where their value is not their printed form. Default: none. */
    protected void taskValues(Map<String, Object> values) {
    }

    /**
     * Points these options at another data folder and output folder, every other option as parsed: how
     * {@link org.dl4jpgm.examples.predict.Predict} exports a data folder in a reader's format the way a saved model's
     * data was exported.
     */
    public void relocate(Path dataDir, Path outDir) {
        this.data = dataDir;
        this.out = outDir;
    }

    /** The arguments as given on the command line (saved with the model). */
    public List<String> getArgs() { return args; }
    /** The dataset folder as distributed. */
    public Path getData() { return data; }
    /** The model, by {@link FusionChoice} name. */
    public String getFusion() { return fusion; }
    /** The training options (widths, epochs, learning rates, loss weights, checkpoints, statistics). */
    public TrainingOptions getTraining() { return training; }
    /** The training options, to which every training setting is forwarded. */
    @Override public TrainingSettings delegate() { return training; }
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
    /** Whether {@code --help} was given. */
    public boolean isHelp() { return help; }
    /** Whether {@code --verbose} was given. */
    public boolean isVerbose() { return verbose; }
    /** The command name, e.g. {@code MsaMain}. */
    public final String getCommand() { return command(); }
}

package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.FeatureStandardizer;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.predict.SavedModel;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.eval.ClassificationMetrics;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The part every task main shares once its dataset is exported to the project's layout: reads the training and the
 * evaluated split, builds the chosen fusion (PgM by default) with {@link ExperimentRunner}
 * ({@code inputs -> fusion -> dense -> out}, plus an optional {@link ExperimentRunner.OutputExtension}), trains it in
 * PgM's two stages (Eq. 12: stage 1 L_P, stage 2 0.5 L_P + L_T) printing every epoch's UFC, PFC, UPR and task loss,
 * and hands back what the main needs to compute its metrics.
 */
public final class TaskRunner {

    /**
     * A trained model and its data.
     *
     * @param runner     the runner (for {@link ExperimentRunner#outputs} and {@link ExperimentRunner#activations})
     * @param trained    the trained graph, its fusion names and the epoch history
     * @param choice     the fusion trained
     * @param descriptor the exported dataset's descriptor
     * @param target     the target trained on
     * @param test       the evaluated split (cut to {@code --max-test})
     */
    public record Run(ExperimentRunner runner, ExperimentRunner.Trained trained, FusionChoice choice,
                      DatasetDescriptor descriptor, TargetSpec target, SplitData test) {

        /** The task output {@code out} on the evaluated split: [N, K] probabilities or [N, 1] predictions. */
        public INDArray testOutputs() {
            return runner.outputs(trained.graph(), test);
        }

        /** The evaluated split's labels: class indices (classification) or values (regression), [N]. */
        public double[] testLabels() {
            return LabelEncoder.decode(target, test.labels(target.getName()), null);
        }

        /** Predicted class index per evaluated example (argmax of {@code out}), [N]. */
        public int[] predictedClasses() {
            INDArray out = testOutputs();
            return IntStream.range(0, (int) out.size(0)).map(i -> out.getRow(i).argMax().getInt(0)).toArray();
        }

        /** ACC and weighted F1 of the predicted classes on the evaluated split (classification targets). */
        public ClassificationMetrics classificationMetrics() {
            int[] actual = Arrays.stream(testLabels()).mapToInt(v -> (int) v).toArray();
            return ClassificationMetrics.compute(predictedClasses(), actual, target.getClasses().size());
        }

        /** The row label of the results table: the paper's name of the fusion ({@code PgM}, {@code PgM w/o UFC}). */
        public String model() {
            return choice.label();
        }
    }

    /** The body of a task main: runs the task on parsed options, printing to {@code out}. */
    @FunctionalInterface
    public interface Task<O extends TaskOptions> {
        TaskReport run(O options, PrintStream out) throws IOException;
    }

    /** How many skip reasons {@link #reportSkipped} prints before it only counts. */
    static final int MAX_REASONS = 20;

    private TaskRunner() {
    }

    /**
     * What every task main's {@code main} does: {@link #run(String[], Function, Task, PrintStream, PrintStream)}, then
     * exits with its status when that is not 0.
     */
    public static <O extends TaskOptions> void main(String[] args, Function<String[], O> parse, Task<O> task) {
        int status = run(args, parse, task, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Parses the arguments, prints the usage for {@code --help}, and runs the task (which first checks every option
     * against the task and the data folder, {@link TaskOptions#validate()}, before anything is read). An error is one line on
     * {@code err} (the stack trace follows with {@code --verbose}): a bad option or an option that does not fit the
     * data folder gives status 2; data that cannot be read (a {@link DataFormatException} naming file and place, a
     * missing or unreadable file) gives 1.
     *
     * @return the exit status: 0 done, 1 data error, 2 option error
     */
    public static <O extends TaskOptions> int run(String[] args, Function<String[], O> parse, Task<O> task,
                                                  PrintStream out, PrintStream err) {
        O o;
        try {
            o = parse.apply(args);
            if (o.isHelp()) {
                out.print(o.usage());
                return 0;
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return Cli.USAGE_ERROR;
        }
        try {
            task.run(o, out);
            return 0;
        } catch (TaskOptionException e) {
            err.println(e.getMessage()); // an option, not a failure inside: no stack trace to offer
            return Cli.USAGE_ERROR;
        } catch (DataFormatException | IllegalArgumentException | IllegalStateException | IOException
                 | UncheckedIOException e) {
            return fail(o, e, err);
        }
    }

    /** Prints a data error as one line (and its stack trace under {@code --verbose}); returns the exit status 1. */
    private static int fail(TaskOptions o, Exception e, PrintStream err) {
        String m = message(e);
        err.println(m.startsWith(o.getCommand() + ":") ? m : o.getCommand() + ": " + m);
        if (o.isVerbose()) {
            e.printStackTrace(err);
        } else {
            err.println("(--verbose prints the stack trace)");
        }
        return Cli.DATA_ERROR;
    }

    /**
     * The message of an error and of each cause whose message adds to it (DataVec wraps an {@link IOException} in an
     * {@link IllegalStateException} whose message is the cause's class and message).
     */
    static String message(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null || sb.indexOf(m) >= 0) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t instanceof DataFormatException || t instanceof IllegalArgumentException
                    || t instanceof IllegalStateException ? m : t.getClass().getSimpleName() + " " + m);
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }

    /** Prints what an exporter left out under {@code --bad-records SKIP}: the count, then each reason once. */
    public static void reportSkipped(SkipReport skipped, PrintStream out) {
        if (skipped.count() == 0) {
            return;
        }
        out.printf(Locale.ROOT, "skipped %d bad records (--bad-records SKIP):%n", skipped.count());
        List<String> reasons = skipped.reasons().stream().distinct().toList();
        reasons.stream().limit(MAX_REASONS).forEach(r -> out.println("  " + r));
        if (reasons.size() > MAX_REASONS) {
            out.printf(Locale.ROOT, "  ... and %d more%n", reasons.size() - MAX_REASONS);
        }
    }

    /**
     * Reads the layout at {@code layout}, builds and trains.
     *
     * @param target    target name (null = the dataset's default target {@code label})
     * @param extension extra task outputs (null = none)
     * @param out       where progress goes
     */
    public static Run train(Path layout, TaskOptions o, String target, ExperimentRunner.OutputExtension extension,
                            PrintStream out) {
        LayoutReader reader = new LayoutReader(layout);
        DatasetDescriptor d = reader.descriptor();
        TargetSpec t = target == null ? d.getDefaultTarget() : d.getTarget(target);
        SplitData readTrain = limit(reader.readSplit("train"), o.getMaxTrain());
        SplitData readTest = limit(reader.readSplit(o.getTestSplit()), o.getMaxTest());
        FeatureStandardizer standardizer = o.isStandardize() ? FeatureStandardizer.fit(readTrain) : null;
        SplitData train = standardizer == null ? readTrain : standardizer.apply(readTrain);
        SplitData test = standardizer == null ? readTest : standardizer.apply(readTest);
        if (standardizer != null) {
            out.println("features standardised per dimension with the train split's mean and deviation "
                    + "(--standardize no keeps them as read)");
        }
        ExperimentRunner runner = new ExperimentRunner(d, t, train, test, o, extension);
        List<FusionChoice> choices = FusionChoice.parse(o.getFusion()).expand(runner.modalities());
        FusionChoice choice = choices.get(0);
        out.printf(Locale.ROOT, "%s: target '%s' (%s), modalities %s; train %d, %s %d examples%n", d.getName(),
                t.getName(), t.getTask() == TaskType.CLASSIFICATION ? t.getClasses().size() + " classes" : "regression",
                runner.modalities().stream().map(m -> m + " " + Arrays.toString(dims(train, m)))
                        .collect(Collectors.joining(", ")), train.size(), o.getTestSplit(), test.size());
        out.printf(Locale.ROOT, "%s: D = %d, N = %d, learner mode %s, epochs %d + %d, batch %d, seed %d%n",
                choice.label(), o.getWidth(), o.getIterations(), o.getLearnerMode(), o.getStage1Epochs(),
                o.getStage2Epochs(), o.getBatchSize(), o.getSeed());
        ExperimentRunner.Trained trained = runner.train(choice, o.getSeed(), true, e -> out.println(e.format()));
        out.printf(Locale.ROOT, "trained in %.1f s%n", trained.seconds());
        save(trained, choice, o, d, t, train, standardizer, layout, out);
        return new Run(runner, trained, choice, d, t, test);
    }

    /** Name of the saved model under {@code --out}. */
    public static final String MODEL_ZIP = "model.zip";

    /** Saves the trained graph with what it was trained on to {@code <out>/model.zip} ({@link SavedModel}). */
    private static void save(ExperimentRunner.Trained trained, FusionChoice choice, TaskOptions o, DatasetDescriptor d,
                             TargetSpec t, SplitData train, FeatureStandardizer standardizer, Path layout,
                             PrintStream out) {
        Path file = o.getOut().resolve(MODEL_ZIP);
        try {
            new SavedModel(o.getCommand(), choice.label(), o.getSeed(), t.getName(), SavedModel.task(t), t.getClasses(),
                    SavedModel.shapes(d, train), RunProvenance.fingerprint(layout).sha256(),
                    Presets.values(o.getTraining()), o.values(), o.getArgs(), standardizer).write(trained.graph(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("model: " + file);
    }

    /**
     * The report of a classification task (MERC, ITC): Table 2's columns ACC and Weighted F1, in percent.
     *
     * @param title the table title; {@code %d} in it is replaced by the number of evaluated examples
     */
    public static TaskReport classificationReport(String title, Run run) {
        ClassificationMetrics m = run.classificationMetrics();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("ACC", m.accuracy());
        metrics.put("Weighted F1", m.weightedF1());
        Map<String, String> cells = new LinkedHashMap<>();
        cells.put("ACC", percent(m.accuracy()));
        cells.put("Weighted F1", percent(m.weightedF1()));
        return new TaskReport(String.format(Locale.ROOT, title, m.count()), run.model(), cells, metrics, m.count());
    }

    /**
     * Prints the report's table (with a note for each metric printed as {@code n/a}) and writes it to
     * {@code <out>/results.md} with the run's provenance (command, every option, seed, data folder, the exported
     * dataset's fingerprint, machine), and the same as {@code <out>/results.json}.
     */
    public static void publish(TaskReport report, TaskOptions o, PrintStream out) throws IOException {
        String table = report.table();
        out.println();
        out.print(table);
        RunProvenance p = RunProvenance.of(o, o.getOut().resolve("layout"));
        Files.createDirectories(o.getOut());
        Files.writeString(o.getOut().resolve("results.md"), table + "\n" + p.markdown());
        Files.writeString(o.getOut().resolve("results.json"), p.json(report));
        out.println("results: " + o.getOut().resolve("results.md") + " (dataset fingerprint " + p.fingerprint() + ")");
    }

    /** Formats a fraction as a percentage with two decimals, as the paper prints ACC, F1, MAP and precision. */
    public static String percent(double v) {
        return String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    /** Per-example shape of a modality: [D] or [S, D]. */
    private static long[] dims(SplitData s, String modality) {
        long[] shape = s.features(modality).shape();
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    private static SplitData limit(SplitData s, int max) {
        return max <= 0 || max >= s.size() ? s : s.rows(IntStream.range(0, max).toArray());
    }
}

package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.examples.mainjob.ExperimentRunner;
import org.dl4jpgm.examples.mainjob.FusionChoice;
import org.dl4jpgm.eval.ClassificationMetrics;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    private TaskRunner() {
    }

    /**
     * What every task main's {@code main} does: parses the arguments (a bad one: its message and exit status 2),
     * prints the usage for {@code --help}, runs the task (a bad dataset or option value: its message and exit
     * status 1).
     */
    public static <O extends TaskOptions> void main(String[] args, java.util.function.Function<String[], O> parse,
                                                    Task<O> task) throws IOException {
        O o;
        try {
            o = parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (o.isHelp()) {
            System.out.println(o.usage());
            return;
        }
        try {
            task.run(o, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    /** Prints what an exporter left out under {@code --bad-records SKIP}. */
    public static void reportSkipped(SkipReport skipped, PrintStream out) {
        if (skipped.count() > 0) {
            out.printf(Locale.ROOT, "skipped %d bad records (--bad-records SKIP); first: %s%n", skipped.count(),
                    skipped.reasons().get(0));
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
        SplitData train = limit(reader.readSplit("train"), o.getMaxTrain());
        SplitData test = limit(reader.readSplit(o.getTestSplit()), o.getMaxTest());
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
        return new Run(runner, trained, choice, d, t, test);
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

    /** Prints the report's table and writes it to {@code <out>/results.md}. */
    public static void publish(TaskReport report, TaskOptions o, PrintStream out) throws IOException {
        String table = report.table();
        out.println();
        out.print(table);
        Files.createDirectories(o.getOut());
        Files.writeString(o.getOut().resolve("results.md"), table);
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

package org.dl4jpgm.examples.predict;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.TaskMetrics;
import org.dl4jpgm.examples.tasks.RunProvenance;
import org.dl4jpgm.examples.tasks.TaskCommand;
import org.dl4jpgm.examples.tasks.TaskOptionException;
import org.dl4jpgm.examples.tasks.TaskRunner;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Runs a model saved by a main ({@link SavedModel}: the main job's {@code <out>/models/*.zip}, a task main's
 * {@code <out>/model.zip}) on a data set in the project's layout (a task main's export is {@code <out>/layout}), writes
 * one CSV row per example ({@code id,prediction[,label]}: the class name or the predicted value) and prints the two
 * metrics the main job prints per run (ACC and weighted F1, or MAE and Pearson's r) when the split has labels. The
 * data set must have the model's modalities with its per-example shapes; the features are standardised as in training.
 */
@Command(name = "Predict", sortOptions = false, usageHelpAutoWidth = true, separator = " ",
        description = {"Runs a saved model on a data set in the project's layout and writes its predictions as CSV.",
                ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done (also --help)", "1:the data or the model cannot be read",
                "2:a bad option, or a data set that does not fit the model"})
public final class Predict {

    /** The data set (null = the embedded digits-speech set, the main job's default). */
    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET_DIR",
            description = {"a data set in the project layout (dataset.json, <split>/*.npy, labels.csv), e.g. a task "
                    + "main's <out>/layout;", "default: the embedded digits-speech set"})
    private Path dataset;
    /** The saved model. */
    @Option(names = "--model", paramLabel = "FILE", required = true, order = 1,
            description = "a model saved by a main (MainJob: <out>/models/<fusion>-seed<seed>.zip; a task main: "
                    + "<out>/model.zip)")
    private Path model;
    /** The split predicted. */
    @Option(names = "--split", paramLabel = "NAME", order = 2, description = "split predicted (default ${DEFAULT-VALUE})")
    private String split = "test";
    /** At most this many examples (the first ones), 0 = all. */
    @Option(names = "--max-examples", paramLabel = "N", order = 3, converter = Converters.NonNegativeInt.class,
            description = "at most N examples, 0 = all (default ${DEFAULT-VALUE}; the main job's --max-test)")
    private int maxExamples;
    /** The predictions file. */
    @Option(names = "--out", paramLabel = "FILE", order = 4,
            description = "predictions CSV (default: next to the model, <model>-<split>-predictions.csv)")
    private Path out;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, order = 200, description = "this text")
    private boolean help;

    /** What a prediction run computed: the test metrics and the CSV written. */
    public record Result(TaskMetrics metrics, int examples, Path csv) {
    }

    private Predict() {
    }

    public static void main(String[] args) {
        int status = run(System.out, System.err, args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Parses, predicts, prints; returns the exit status (0 done, 1 unreadable data or model, 2 bad option or data). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Predict p = new Predict();
        CommandLine cmd;
        try {
            cmd = Cli.parse(p, null, args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return Cli.USAGE_ERROR;
        }
        if (cmd.isUsageHelpRequested()) {
            out.print(cmd.getUsageMessage());
            return 0;
        }
        try {
            p.predict(out);
            return 0;
        } catch (MismatchException | TaskOptionException e) {
            err.println(e.getMessage().startsWith("Predict: ") ? e.getMessage() : "Predict: " + e.getMessage());
            return Cli.USAGE_ERROR;
        } catch (IllegalArgumentException e) {
            err.println("Predict: " + e.getMessage());
            return e.getMessage().startsWith("--") ? Cli.USAGE_ERROR : Cli.DATA_ERROR;
        } catch (IllegalStateException | UncheckedIOException e) {
            err.println("Predict: " + e.getMessage());
            return Cli.DATA_ERROR;
        }
    }

    /** A data set that does not fit the saved model. */
    static final class MismatchException extends RuntimeException {
        MismatchException(String message) {
            super(message);
        }
    }

    private Result predict(PrintStream print) {
        SavedModel m = SavedModel.read(model);
        Path root = dataset == null ? EmbeddedDatasets.digitsSpeech() : dataset;
        Path exported = null;
        try {
            if (!Files.isRegularFile(root.resolve(DatasetDescriptor.FILE_NAME))) {
                exported = export(m, root, print);
                root = exported.resolve("layout");
            }
            return predict(m, root, print);
        } finally {
            if (exported != null) {
                delete(exported);
            }
        }
    }

    /**
     * Exports a data folder in a reader's format the way the model's data was exported: with the task main's options
     * as saved, into a temporary folder.
     */
    private Path export(SavedModel m, Path dataDir, PrintStream print) {
        TaskCommand task = TaskCommand.of(m.command());
        if (task == null) {
            throw new MismatchException("DATASET_DIR " + dataDir + ": expected a data set in the project's layout (a "
                    + DatasetDescriptor.FILE_NAME + "), found none (the model was trained by " + m.command()
                    + " on such a folder)");
        }
        try {
            Path tmp = Files.createTempDirectory("dl4jpgm-predict-");
            print.println("Predict: " + dataDir + " is not in the project's layout; exporting it with " + m.command()
                    + "'s options as saved");
            TaskRunner.reportSkipped(task.export(m.args().toArray(new String[0]), dataDir, tmp.resolve("layout"),
                    print), print);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }

    private Result predict(SavedModel m, Path root, PrintStream print) {
        LayoutReader reader = new LayoutReader(root);
        DatasetDescriptor d = reader.descriptor();
        check(m, d, root);
        TargetSpec target = d.getTarget(m.target());
        SplitData read = reader.readSplit(split);
        checkShapes(m, SavedModel.shapes(d, read), root);
        if (maxExamples > 0 && maxExamples < read.size()) {
            read = read.rows(IntStream.range(0, maxExamples).toArray());
        }
        SplitData data = m.standardizer() == null ? read : m.standardizer().apply(read);
        TrainingOptions settings = new TrainingOptions();
        ComputationGraph g = SavedModel.restore(model);
        ExperimentRunner runner = new ExperimentRunner(d, target, data, data, settings);
        INDArray outputs = runner.outputs(g, data);
        boolean classification = target.getTask() == TaskType.CLASSIFICATION;
        double[] truth = LabelEncoder.decode(target, data.labels(target.getName()), null);
        Path csv = out != null ? out : model.resolveSibling(model.getFileName().toString().replaceFirst("\\.zip$", "")
                + "-" + split + "-predictions.csv");
        StringBuilder sb = new StringBuilder("id,prediction,label\n");
        for (int i = 0; i < data.size(); i++) {
            String pred = classification ? target.getClasses().get(outputs.getRow(i).argMax().getInt(0))
                    : Double.toString(outputs.getDouble(i, 0));
            String label = classification ? target.getClasses().get((int) truth[i]) : Double.toString(truth[i]);
            sb.append(csvCell(data.ids().get(i))).append(',').append(csvCell(pred)).append(',').append(csvCell(label))
                    .append('\n');
        }
        try {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(csv, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TaskMetrics metrics = ExperimentRunner.metrics(target, outputs, data);
        print.printf(Locale.ROOT, "%s (%s, seed %d, trained by %s) on %s, %s split, %d examples: %s%n",
                m.fusion(), m.target(), m.seed(), m.command(), dataset == null ? "the embedded " + d.getName()
                        + " set" : dataset, split, data.size(), metrics.format());
        String fingerprint = fingerprint(root);
        if (m.fingerprint() != null && !m.fingerprint().equals(fingerprint)) {
            print.println("note: the data set's fingerprint " + fingerprint + " differs from the one trained on "
                    + m.fingerprint());
        }
        print.println("predictions: " + csv);
        return new Result(metrics, data.size(), csv);
    }

    private static String fingerprint(Path root) {
        try {
            return RunProvenance.fingerprint(root).sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The modalities (names, count, order) and the target of {@code d} against the saved model's. */
    private static void check(SavedModel m, DatasetDescriptor d, Path root) {
        List<String> have = d.getModalities().stream().map(s -> s.getName()).toList();
        List<String> want = List.copyOf(m.modalities().keySet());
        if (!have.equals(want)) {
            throw new MismatchException("the model was trained on the modalities " + want + " (" + want.size()
                    + "), the data set " + root.resolve(DatasetDescriptor.FILE_NAME) + " has " + have + " ("
                    + have.size() + ")");
        }
        if (d.getTargets().stream().noneMatch(t -> t.getName().equals(m.target()))) {
            throw new MismatchException("the model predicts the target '" + m.target() + "', the data set "
                    + root.resolve(DatasetDescriptor.FILE_NAME) + " has none of that name");
        }
        TargetSpec t = d.getTarget(m.target());
        if (!t.getTask().jsonName().equals(m.task()) || !t.getClasses().equals(m.classes())) {
            throw new MismatchException("target '" + m.target() + "': the model was trained on " + m.task() + " "
                    + m.classes() + ", the data set has " + t.getTask().jsonName() + " " + t.getClasses());
        }
    }

    /** Each modality's width (and, for sequences, its rank) against the saved model's. */
    private static void checkShapes(SavedModel m, Map<String, long[]> have, Path root) {
        for (Map.Entry<String, long[]> e : m.modalities().entrySet()) {
            long[] want = e.getValue();
            long[] found = have.get(e.getKey());
            if (found.length != want.length || found[found.length - 1] != want[want.length - 1]) {
                throw new MismatchException("modality '" + e.getKey() + "': the model expects "
                        + (want.length == 1 ? "vectors of width " + want[0] : "sequences of width " + want[1])
                        + " (per example " + Arrays.toString(want) + "), found " + (found.length == 1 ? "vectors of "
                        + "width " + found[0] : "sequences of width " + found[1]) + " (per example "
                        + Arrays.toString(found) + ") in " + root);
            }
        }
    }

    private static String csvCell(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}

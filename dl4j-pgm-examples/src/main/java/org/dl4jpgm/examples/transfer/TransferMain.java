package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.FusionSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * The paper's transfer experiment (Table 4): each host model ({@link HostModel}), the host with its fusion replaced by
 * PgM from its configuration ("+PgM"), and the trained host with its fusion replaced by PgM and trained again
 * ("+PgM (fine-tuned)"), on a dataset in the project's layout; prints a Table 4 layout with mean ± std over seeds.
 * Equal epoch budget: a host trains N1 + N2 epochs, a PgM version N1 epochs of L_P alone and N2 joint epochs
 * ({@code --stage1-epochs}, {@code --stage2-epochs}); the fine-tuned version starts from the trained host. Every run
 * keeps the epoch with the best validation score. docs/transfer.md has the hosts and the commands.
 */
@Command(name = "TransferMain", sortOptions = false, usageHelpAutoWidth = true, separator = " ",
        description = {"Trains Self-MM, MMIM and MulT-style hosts and their PgM versions (Table 4 layout).", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done (also --help)", "1:the data cannot be read", "2:a bad option"})
public final class TransferMain implements Callable<Integer> {

    /** Which hosts to run. */
    public enum HostChoice { SELF_MM, MMIM, MULT, ALL }

    /** Examples per split with {@code --quick}. */
    static final int QUICK_EXAMPLES = 128;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET_DIR",
            description = {"a data set in the project layout with train, valid and test splits;",
                    "default: the embedded digits-speech set"})
    Path dataset;
    @Option(names = "--host", paramLabel = "HOST", order = 1,
            description = "SELF_MM, MMIM, MULT or ALL (default ${DEFAULT-VALUE})")
    HostChoice host = HostChoice.ALL;
    @Option(names = "--target", paramLabel = "NAME", order = 2,
            description = "target to predict (default: the data set's default target)")
    String target;
    @Option(names = "--seeds", paramLabel = "N", order = 3, converter = Converters.PositiveInt.class,
            description = "seeds per model, results are mean ± std (default ${DEFAULT-VALUE})")
    int seeds = 3;
    @Option(names = "--max-train", paramLabel = "N", order = 4, converter = Converters.NonNegativeInt.class,
            description = "at most N training examples (default 0: all)")
    int maxTrain;
    @Option(names = "--fine-tune", paramLabel = "yes|no", arity = "1", order = 5, converter = Converters.YesNo.class,
            description = "also replace the fusion of each trained host and train again (default yes)")
    boolean fineTune = true;
    @Option(names = "--progress", order = 6,
            description = {"print every epoch of every run: the losses on the training split (one more pass over it",
                    "per epoch) and the validation score the epoch is selected on"})
    boolean progress;
    @Option(names = "--quick", order = 7,
            description = "a smoke run: " + QUICK_EXAMPLES + " examples per split; defaults: one seed, the quick preset")
    boolean quick;
    @Option(names = {"-h", "--help"}, usageHelp = true, order = 200, description = "show this help and exit")
    boolean help;
    @Mixin
    TrainingOptions training = new TrainingOptions(Presets.CPU);

    public static void main(String[] args) {
        TransferMain m = create(args);
        Cli.main(m, m.training, args);
    }

    /**
     * The command for {@code args}, not yet parsed: with {@code --quick} its defaults are the quick ones (the
     * {@code quick} preset, one seed), so that options given explicitly still override them.
     */
    public static TransferMain create(String... args) {
        TransferMain m = new TransferMain();
        if (Cli.has("--quick", args)) {
            Presets.apply(m.training, "quick");
            m.seeds = 1;
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        System.out.print(run());
        return 0;
    }

    /** Runs the chosen hosts; returns the printed table. */
    public String run() throws Exception {
        long start = System.nanoTime();
        Path root = dataset == null ? EmbeddedDatasets.digitsSpeech() : dataset;
        LayoutReader reader = new LayoutReader(root);
        DatasetDescriptor d = reader.descriptor();
        TargetSpec t = target == null ? d.getDefaultTarget() : d.getTarget(target);
        int cap = quick ? QUICK_EXAMPLES : 0;
        SplitData train = limit(reader.readSplit("train"), maxTrain > 0 ? maxTrain : cap);
        SplitData valid = limit(reader.readSplit("valid"), cap);
        SplitData test = limit(reader.readSplit("test"), cap);
        HostTrainer trainer = new HostTrainer(d, t, train, valid, test, training, HostOptions.DEFAULTS)
                .monitorTraining(progress);
        int n1 = training.getStage1Epochs();
        int n2 = training.getStage2Epochs();
        System.out.printf(Locale.ROOT, "dataset %s, target '%s' (%s); modalities %s; train %d, valid %d, test %d; "
                        + "epochs: host %d, +PgM %d + %d; D = %d, batch %d, seeds %d%n", d.getName(), t.getName(),
                t.getTask().jsonName(), trainer.inputs().names(), train.size(), valid.size(), test.size(), n1 + n2, n1,
                n2, training.getWidth(), training.getBatchSize(), seeds);
        TransferTable table = new TransferTable(t.getTask() == TaskType.CLASSIFICATION);
        List<HostModel> hosts = host == HostChoice.ALL ? List.of(HostModel.values())
                : List.of(HostModel.valueOf(host.name()));
        FusionSpec spec = FusionChoice.parse("PGM").spec(training, trainer.inputs().names());
        for (HostModel h : hosts) {
            for (int s = 0; s < seeds; s++) {
                long seed = 1000L + s;
                HostGraph built = trainer.build(h, seed);
                HostGraph pgm = HostModel.withPgm(built, spec);
                HostTrainer.Outcome o = trainer.train(built, seed, 0, n1 + n2, r -> { });
                report(table, h.label(), seed, o, start);
                report(table, h.label() + " +PgM", seed, trainer.train(pgm, seed, n1, n2, r -> { }), start);
                if (fineTune) {
                    HostGraph tuned = h.withPgm(o.host().graph(), trainer.inputs(), spec);
                    report(table, h.label() + " +PgM (fine-tuned)", seed, trainer.train(tuned, seed, n1, n2, r -> { }),
                            start);
                }
            }
        }
        String out = table.format(String.format(Locale.ROOT, "%s / %s, train %d, valid %d, test %d, epochs %d (host) "
                + "= %d + %d (PgM), %d seed(s)", d.getName(), t.getName(), train.size(), valid.size(), test.size(),
                n1 + n2, n1, n2, seeds));
        return "\n" + out + String.format(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private void report(TransferTable table, String row, long seed, HostTrainer.Outcome o, long start) {
        table.add(row, o);
        if (progress) {
            int stage1 = o.history().size() - o.validScores().size();
            for (int k = 0; k < o.history().size(); k++) {
                String valid = k < stage1 ? "" : String.format(Locale.ROOT, "  valid score %.4f",
                        o.validScores().get(k - stage1));
                System.out.printf(Locale.ROOT, "[%s seed %d] %s%s%n", row, seed, o.history().get(k).format(), valid);
            }
        }
        System.out.printf(Locale.ROOT, "[%s seed %d] test %s  (valid %s at epoch %d; %,d parameters; %.1f s, elapsed "
                        + "%.0f s)%n", row, seed, o.test().format(), o.valid().format(), o.bestEpoch(), o.parameters(),
                o.seconds(), (System.nanoTime() - start) / 1e9);
    }

    private static SplitData limit(SplitData s, int max) {
        return max <= 0 || max >= s.size() ? s : s.rows(IntStream.range(0, max).toArray());
    }
}

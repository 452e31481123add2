package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.impl.FlatGradientUpdater;
import org.dl4jpgm.impl.JavaAdamUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The cost of one parameter update of a PgM graph, two ways in one process: the graph's own updater
 * ({@code GraphUpdaters}: {@link FlatGradientUpdater}, whose standard path runs {@code UpdaterPass}) against DL4J's
 * {@code ComputationGraphUpdater} on its standard path (handed the network's own gradient array) with the same Java
 * Adam ({@link JavaAdamUpdater#install}), the path the graph's updater took before the pass.
 *
 * <p>The graph is the main job's PgM graph on the embedded digits-speech set, trained for {@code --warmup} steps. Then
 * {@code --rounds} rounds, each timing {@code --calls} updates one way and then the other (the order alternating from
 * round to round), each update from the same gradient (copied back before each call, untimed), so that the machine's
 * drift falls on both alike. Thread CPU time; run with {@code OMP_NUM_THREADS=1}. Prints the median per update of each
 * way, their ratio, and one line {@code result updater pass=.. dl4j=.. ratio=..}.
 */
@Command(name = "UpdaterBenchmark", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Cost of one parameter update of a PgM graph: the graph's updater against DL4J's standard path "
                + "with the same Java Adam, alternating in one process.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class UpdaterBenchmark implements Callable<Integer> {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** The training options that shape the graph (width, iterations, learner mode, batch). */
    @Mixin
    private TrainingOptions o = new TrainingOptions(Presets.CPU);
    /** Training steps before the timing. */
    @Option(names = "--warmup", paramLabel = "N", converter = Converters.NonNegativeInt.class,
            description = "training steps before the timing (default ${DEFAULT-VALUE})")
    private int warmup = 3;
    /** Rounds of the two ways. */
    @Option(names = "--rounds", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "rounds, each timing both ways (default ${DEFAULT-VALUE})")
    private int rounds = 8;
    /** Updates timed per way and round. */
    @Option(names = "--calls", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "updates timed per way and round (default ${DEFAULT-VALUE})")
    private int calls = 20;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private UpdaterBenchmark() {
    }

    public static void main(String[] args) {
        UpdaterBenchmark b = new UpdaterBenchmark();
        Cli.main(b, b.o, args);
    }

    @Override
    public Integer call() throws IOException {
        EmbeddedBatch data = EmbeddedBatch.first(o);
        ExperimentRunner runner = data.runner();
        MultiDataSet batch = data.batch();
        ExperimentRunner.Built built = runner.build(FusionChoice.parse("PGM").expand(runner.modalities()).get(0), 1);
        ComputationGraph g = built.graph();
        new PgmGraph(g, built.fused()).setLossWeights(new LossWeights(0.1, 1));
        for (int i = 0; i < warmup; i++) {
            g.fit(batch);
        }
        if (!(g.getUpdater() instanceof FlatGradientUpdater)) {
            throw new IllegalStateException("the graph's updater is " + g.getUpdater().getClass().getName()
                    + ", not FlatGradientUpdater: DL4J keeps the gradient's identity here, nothing to compare");
        }
        ComputationGraphUpdater own = g.getUpdater();
        ComputationGraphUpdater dl4j = new ComputationGraphUpdater(g, own.getStateViewArray().dup());
        int javaBlocks = JavaAdamUpdater.install(dl4j);
        INDArray flat = g.getFlattenedGradients();
        INDArray saved = flat.dup();   // the last step's updates: values of a gradient's size, none subnormal
        Gradient gradient = FlatGradientUpdater.networkArrayGradient(flat);
        int batchSize = (int) batch.getFeatures(0).size(0);
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        double[] ownMs = new double[rounds];
        double[] dl4jMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            boolean ownFirst = r % 2 == 0;
            for (int way = 0; way < 2; way++) {
                boolean timeOwn = (way == 0) == ownFirst;
                ComputationGraphUpdater u = timeOwn ? own : dl4j;
                long cpu = 0;
                for (int c = 0; c < calls; c++) {
                    flat.assign(saved);
                    long c0 = CPU.getCurrentThreadCpuTime();
                    u.update(gradient, g.getIterationCount() + c, g.getEpochCount(), batchSize, ws);
                    cpu += CPU.getCurrentThreadCpuTime() - c0;
                }
                (timeOwn ? ownMs : dl4jMs)[r] = cpu / 1e6 / calls;
            }
        }
        double ownMedian = median(ownMs);
        double dl4jMedian = median(dl4jMs);
        System.out.printf(Locale.ROOT, "PgM graph, B = %d, D = %d, N = %d, %d parameters, %d updater blocks (%d with "
                        + "Java Adam on DL4J's path); %d rounds of %d updates per way%n", batchSize, o.getWidth(),
                o.getIterations(), g.params().length(), own.getUpdaterBlocks().size(), javaBlocks, rounds, calls);
        System.out.printf(Locale.ROOT, "graph's updater  ms per update by round: %s%n", Arrays.toString(round(ownMs)));
        System.out.printf(Locale.ROOT, "DL4J's path      ms per update by round: %s%n", Arrays.toString(round(dl4jMs)));
        System.out.printf(Locale.ROOT, "result updater pass=%.4f dl4j=%.4f ratio=%.3f%n", ownMedian, dl4jMedian,
                ownMedian / dl4jMedian);
        return 0;
    }

    /** The median of {@code v} (the mean of the two middle values of an even count); {@code v} is not changed. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double[] round(double[] v) {
        return Arrays.stream(v).map(x -> Math.round(x * 1e4) / 1e4).toArray();
    }
}

package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.StepFunction;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.impl.FlatGradientUpdater;
import org.dl4jpgm.impl.FusedParameterStep;
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
 * The cost of one parameter update and step of a PgM graph, three ways in one process, each as DL4J's stochastic
 * gradient descent runs it ({@code StochasticGradientDescent.optimize}: the accumulator's {@code hasAnything}, the
 * updater, the step):
 * <ul>
 *   <li>{@code fused}: the graph's updater ({@code GraphUpdaters}: {@link FlatGradientUpdater}, whose standard path
 *       runs {@code UpdaterPass}) taking the step in its pass, armed by the graph's {@link FusedParameterStep}
 *       (installed whatever the graph's size, {@link FusedParameterStep#MIN_PARAMETERS} aside);</li>
 *   <li>{@code pass}: the same updater, then DL4J's step function ({@code params.subi(update)}), as with
 *       {@code -Dorg.dl4jpgm.updater.fusedStep=false};</li>
 *   <li>{@code dl4j}: DL4J's {@code ComputationGraphUpdater} on its standard path (handed the network's own gradient
 *       array) with the same Java Adam ({@link JavaAdamUpdater#install}), then DL4J's step function: the path before
 *       the pass.</li>
 * </ul>
 *
 * <p>The graph is the main job's PgM graph on the embedded digits-speech set (or the shape the options give), trained
 * for {@code --warmup} steps. Then {@code --rounds} rounds, each timing {@code --calls} updates and steps of each way
 * (the ways' order rotating from round to round), each from the same gradient, parameters and iteration (copied back
 * before each call, untimed), so that the machine's drift falls on all alike; the first call of each way is checked
 * to leave the same parameters, bit for bit (their SHA-256). Thread CPU time; run with {@code OMP_NUM_THREADS=1}.
 * Prints the median per call of each way and one line {@code result updater fused=.. pass=.. dl4j=.. ratio=..
 * fusedRatio=..} (ratio: pass / dl4j; fusedRatio: fused / pass).
 */
@Command(name = "UpdaterBenchmark", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Cost of one parameter update and step of a PgM graph: the graph's updater with the step in its "
                + "pass, the same updater then DL4J's step, and DL4J's standard path with the same Java Adam then its "
                + "step, alternating in one process.", ""},
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
        FusedParameterStep.install(g, 0);   // whatever the graph's size, to time the step both ways
        if (!(g.getOptimizer().getGradientsAccumulator() instanceof FusedParameterStep fused)) {
            throw new IllegalStateException("the graph's optimizer holds no FusedParameterStep: "
                    + g.getOptimizer().getGradientsAccumulator());
        }
        ComputationGraphUpdater dl4j = new ComputationGraphUpdater(g, own.getStateViewArray().dup());
        int javaBlocks = JavaAdamUpdater.install(dl4j);
        StepFunction step = g.getOptimizer().getStepFunction();
        INDArray flat = g.getFlattenedGradients();
        INDArray flat1d = flat.reshape(flat.length());   // what the optimizer hands its step
        INDArray params = g.params();
        INDArray saved = flat.dup();   // the last step's updates: values of a gradient's size, none subnormal
        INDArray savedParams = params.dup();
        INDArray ownState = own.getStateViewArray();
        INDArray savedOwnState = ownState.dup();
        INDArray savedDl4jState = dl4j.getStateViewArray().dup();
        Gradient gradient = FlatGradientUpdater.networkArrayGradient(flat);
        int batchSize = (int) batch.getFeatures(0).size(0);
        int iteration = g.getIterationCount();
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        Way[] ways = Way.values();
        double[][] ms = new double[ways.length][rounds];
        String[] digests = new String[ways.length];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < ways.length; k++) {
                Way way = ways[(k + r) % ways.length];
                long cpu = 0;
                for (int c = 0; c < calls; c++) {
                    flat.assign(saved);
                    params.assign(savedParams);
                    ownState.assign(savedOwnState);
                    dl4j.getStateViewArray().assign(savedDl4jState);
                    long taken = fused.stepsTaken();
                    long c0 = CPU.getCurrentThreadCpuTime();
                    switch (way) {
                        case FUSED -> {
                            fused.hasAnything();
                            own.update(gradient, iteration, g.getEpochCount(), batchSize, ws);
                            fused.applyUpdate(step, params, flat1d, true);
                        }
                        case PASS -> {
                            own.update(gradient, iteration, g.getEpochCount(), batchSize, ws);
                            step.step(params, flat1d);
                        }
                        case DL4J -> {
                            dl4j.update(gradient, iteration, g.getEpochCount(), batchSize, ws);
                            step.step(params, flat1d);
                        }
                    }
                    cpu += CPU.getCurrentThreadCpuTime() - c0;
                    if ((way == Way.FUSED) != (fused.stepsTaken() == taken + 1)) {
                        throw new IllegalStateException(way + ": the step was " + (way == Way.FUSED ? "not " : "")
                                + "taken in the updater's pass");
                    }
                    if (r == 0 && c == 0) {
                        digests[way.ordinal()] = ParamsDigest.of(params);
                    }
                }
                ms[way.ordinal()][r] = cpu / 1e6 / calls;
            }
            if (r == 0 && !(digests[0].equals(digests[1]) && digests[0].equals(digests[2]))) {
                throw new IllegalStateException("the ways left different parameters: " + Arrays.toString(digests));
            }
        }
        double[] medians = Arrays.stream(ms).mapToDouble(UpdaterBenchmark::median).toArray();
        System.out.printf(Locale.ROOT, "PgM graph, B = %d, D = %d, N = %d, %d parameters, %d updater blocks (%d with "
                        + "Java Adam on DL4J's path); %d rounds of %d updates and steps per way; the same parameters "
                        + "after each way (sha256 %s)%n", batchSize, o.getWidth(), o.getIterations(),
                g.params().length(), own.getUpdaterBlocks().size(), javaBlocks, rounds, calls, digests[0]);
        for (Way w : ways) {
            System.out.printf(Locale.ROOT, "%-6s ms per update and step by round: %s%n",
                    w.name().toLowerCase(Locale.ROOT), Arrays.toString(round(ms[w.ordinal()])));
        }
        System.out.printf(Locale.ROOT, "result updater fused=%.4f pass=%.4f dl4j=%.4f ratio=%.3f fusedRatio=%.3f%n",
                medians[0], medians[1], medians[2], medians[1] / medians[2], medians[0] / medians[1]);
        return 0;
    }

    /** The ways an update and step are timed (the class comment); printed in lower case. */
    private enum Way {
        FUSED, PASS, DL4J
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

package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.PgmGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.dl4jpgm.examples.bench.UpdaterBenchmark.median;

/**
 * The effect of one system property read where the PgM layers make their op plans
 * (e.g. {@code org.dl4jpgm.opPlans.fusions=false}), measured where the machine's speed drifts more than the effect:
 * two copies of the PgM graph of {@link FusionStepBenchmark} (same options, same minibatch), one whose plans are made
 * with the property set, one without, trained in one process in alternating blocks of steps. Per round it prints
 * each copy's thread CPU ms per fit step and per {@code output} call, and at the end the medians and the median of
 * the rounds' ratios, as {@code result property KEY=VALUE withMs=.. withoutMs=.. ratio=.. outputRatio=..}
 * (ratio = with / without). Each round times both copies within seconds of each other, so a drift of the machine's
 * speed moves both.
 *
 * <p>The property is set only while the first copy makes its plans (its warm-up steps and a first {@code output}) and
 * restored before the second copy's; it must be one read when a plan is made, not at every run.
 */
@Command(name = "PlanPropertyComparison", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Trains two copies of the PgM graph, one whose op plans are made with a system property set, "
                + "in alternating blocks of steps in one process; prints thread CPU ms per fit step and output of "
                + "each and their ratio per round.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class PlanPropertyComparison implements Callable<Integer> {

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** The training options that shape the graph (width, iterations, learner mode, batch). */
    @Mixin
    private TrainingOptions o = new TrainingOptions(Presets.CPU);
    /** The property set while the first copy makes its plans. */
    @Option(names = "--property", paramLabel = "KEY=VALUE", required = true,
            description = "the system property set while the first copy makes its op plans, e.g. "
                    + "org.dl4jpgm.opPlans.fusions=false")
    private String property;
    /** Rounds of one block per copy. */
    @Option(names = "--rounds", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "rounds, each one block of steps per copy (default ${DEFAULT-VALUE})")
    private int rounds = 10;
    /** Fit steps per block. */
    @Option(names = "--block", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "fit steps (and as many output calls) per copy and round (default ${DEFAULT-VALUE})")
    private int block = 200;
    /** Untimed steps per copy first. */
    @Option(names = "--warmup", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "untimed fit steps per copy first (default ${DEFAULT-VALUE})")
    private int warmup = 500;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private PlanPropertyComparison() {
    }

    public static void main(String[] args) {
        PlanPropertyComparison c = new PlanPropertyComparison();
        Cli.main(c, c.o, args);
    }

    @Override
    public Integer call() throws IOException {
        int eq = property.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--property: expected KEY=VALUE, got '" + property + "'");
        }
        String key = property.substring(0, eq);
        String value = property.substring(eq + 1);
        EmbeddedBatch data = EmbeddedBatch.first(o);
        MultiDataSet batch = data.batch();
        String before = System.getProperty(key);
        ComputationGraph with;
        System.setProperty(key, value);
        try {
            with = warmedUp(data.runner(), batch);
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
        ComputationGraph without = warmedUp(data.runner(), batch);
        double[][] ms = new double[4][rounds];
        double[] ratios = new double[rounds];
        double[] outputRatios = new double[rounds];
        System.out.printf(Locale.ROOT, "PgM, B = %d, D = %d, N = %d: %s set against not, %d rounds of %d steps%n",
                batch.getFeatures(0).size(0), o.getWidth(), o.getIterations(), property, rounds, block);
        System.out.println("| round | with: ms / step | without: ms / step | ratio | with: ms / output "
                + "| without: ms / output |");
        System.out.println("|---|---|---|---|---|---|");
        for (int r = 0; r < rounds; r++) {
            ms[0][r] = fitMs(with, batch);
            ms[1][r] = fitMs(without, batch);
            ms[2][r] = outputMs(with, batch);
            ms[3][r] = outputMs(without, batch);
            ratios[r] = ms[0][r] / ms[1][r];
            outputRatios[r] = ms[2][r] / ms[3][r];
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.3f | %.2f | %.2f |%n", r + 1, ms[0][r], ms[1][r],
                    ratios[r], ms[2][r], ms[3][r]);
        }
        System.out.printf(Locale.ROOT, "result property %s withMs=%.2f withoutMs=%.2f ratio=%.3f outputWithMs=%.2f "
                        + "outputWithoutMs=%.2f outputRatio=%.3f%n", property, median(ms[0]), median(ms[1]),
                median(ratios), median(ms[2]), median(ms[3]), median(outputRatios));
        return 0;
    }

    /** A PgM graph of the options, its plans made by {@code warmup} fit steps and one {@code output}. */
    private ComputationGraph warmedUp(ExperimentRunner runner, MultiDataSet batch) {
        FusionChoice pgm = FusionChoice.parse("PGM").expand(runner.modalities()).get(0);
        ExperimentRunner.Built built = runner.build(pgm, 1);
        ComputationGraph g = built.graph();
        new PgmGraph(g, built.fused()).setLossWeights(new LossWeights(0.1, 1));
        for (int i = 0; i < warmup; i++) {
            g.fit(batch);
        }
        g.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays());
        return g;
    }

    /** Thread CPU ms per fit step over one block. */
    private double fitMs(ComputationGraph g, MultiDataSet batch) {
        return cpuMsPerCall(() -> g.fit(batch));
    }

    /** Thread CPU ms per output call over one block. */
    private double outputMs(ComputationGraph g, MultiDataSet batch) {
        return cpuMsPerCall(() -> g.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays()));
    }

    /** Thread CPU ms per call of {@code call}, over {@link #block} calls. */
    private double cpuMsPerCall(Runnable call) {
        long c0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < block; i++) {
            call.run();
        }
        return (CPU.getCurrentThreadCpuTime() - c0) / 1e6 / block;
    }
}

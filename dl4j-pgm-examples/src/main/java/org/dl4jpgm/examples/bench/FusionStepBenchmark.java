package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.dl4jpgm.impl.OpTimes;
import org.dl4jpgm.util.ParameterCounts;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Cost of one training step and one inference call of the main job's graphs, PgM against baselines, measured in one
 * run on the embedded digits-speech set; prints a Markdown table (the one in {@code docs/results.md}).
 *
 * <p>For every fusion: milliseconds per {@code fit} step on one minibatch (B examples, all modalities), wall clock and
 * CPU time of the calling thread (run with {@code OMP_NUM_THREADS=1} so that ND4J computes on that thread; the CPU
 * time is then robust to other processes sharing the machine), per {@code output} call, and the CPU-time ratio to the
 * first fusion listed. For PgM it also counts the ops of the
 * {@code PgmLayer}'s SameDiff graph (forward ops, and forward + gradient ops), and relates the step time to the
 * measured dispatch floor of one tiny ND4J op in the same process ({@code [B, D] + [B, D]}): a SameDiff graph call
 * cannot cost less than its op count times that floor, whatever the tensor sizes.
 *
 * <p>For every fusion it also prints the graph's parameters per vertex (for PgM also per component of the PgM layer) and
 * one line {@code result <fusion> msPerStep=.. cpuMsPerStep=.. processCpuMsPerStep=.. msPerOutput=.. cpuMsPerOutput=..
 * params=..}, {@code result gemm ..} and {@code result blas path=..} (the OpenBLAS file in use, {@link BlasLibrary}),
 * which {@code bench/pgm-vs-torch.sh} reads to compare PgM with its PyTorch peer ({@code src/main/python/pgm_peer.py}),
 * and {@code result params <fusion> sha256=..}, the digest of the parameters after the warm-up and timed steps
 * ({@link ParamsDigest}): two runs of the same options that print the same digest trained to the same bits.
 *
 * <p>Options ({@code --help}): the training options that shape the graph ({@code --width}, {@code --iterations},
 * {@code --learner-mode}, {@code --batch}; {@link TrainingOptions}), {@code --fusions}, {@code --steps N},
 * {@code --warmup N}; {@code --op-times} (per op) and {@code --phases} ({@link StepPhases}: forward, backward,
 * update) split a step's time; {@code --cpu N} pins the training thread to one core ({@link ThreadAffinity});
 * {@code --lockstep R} runs the timed steps in R rounds that a coordinating process starts ({@link Lockstep}).
 */
@Command(name = "FusionStepBenchmark", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Cost of one training step and one inference call, PgM against baselines, on the embedded "
                + "digits-speech set; prints a Markdown table.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class FusionStepBenchmark implements Callable<Integer> {

    /** Measurements of each gemm reference; the reference is their median. */
    static final int GEMM_ROUNDS = 9;
    /** CPU time of the calling thread: with {@code OMP_NUM_THREADS=1} ND4J runs every op on it. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private FusionStepBenchmark() {
    }

    /** One fusion's measurement. */
    record Row(String fusion, double msPerStep, double cpuMsPerStep, double msPerOutput, int forwardOps, int totalOps,
               double matmulFlops) {
    }

    /** The training options that shape the graphs (width, iterations, learner mode, batch). */
    @Mixin
    private TrainingOptions o = new TrainingOptions(Presets.CPU);
    /** The fusions measured; the first is the reference of the CPU-time ratio. */
    @Option(names = "--fusions", paramLabel = "LIST", split = ",", hideParamSyntax = true,
            description = "comma-separated fusions, as the main job's --fusions (default ${DEFAULT-VALUE})")
    private List<String> fusions = new ArrayList<>(List.of("CONCAT", "MLP", "PGM"));
    /** Timed steps per fusion. */
    @Option(names = "--steps", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "timed steps per fusion (default ${DEFAULT-VALUE})")
    private int steps = 10;
    /** Untimed steps first, and as many untimed {@code output} calls before the timed ones. */
    @Option(names = "--warmup", paramLabel = "N", converter = Converters.NonNegativeInt.class,
            description = "untimed steps first, and as many untimed output calls before the timed ones (default "
                    + "${DEFAULT-VALUE})")
    private int warmup = 3;
    /**
     * ND4J's op profiling mode for the run; null keeps ND4J's own ({@code SCOPE_PANIC} in 1.0.0-M2.1: a check of every
     * op's arrays against the open workspaces).
     */
    @Option(names = "--profiling-mode", paramLabel = "MODE",
            description = "ND4J's op profiling mode, e.g. DISABLED (default: ND4J's own, SCOPE_PANIC in 1.0.0-M2.1, "
                    + "which checks every op's arrays against the open workspaces)")
    private OpExecutioner.ProfilingMode profilingMode;
    /** Whether to time every op of the op plans during the timed fit steps and output calls ({@link OpTimes}). */
    @Option(names = "--op-times", paramLabel = "KEY", arity = "0..1", fallbackValue = "NAME",
            description = "time the SameDiff layers' ops during the timed fit steps and the timed output calls and "
                    + "print a table of each per fusion, per op name (NAME, the default) or per op name and input "
                    + "shapes (SHAPES); adds two clock reads per op")
    private OpTimesKey opTimes;

    /** Whether to time the forward pass, the backward pass and the update apart ({@link StepPhases}). */
    @Option(names = "--phases", description = "after the timed steps, as many again with the forward pass, the "
            + "backward pass and the update timed apart by a training listener; prints their median thread CPU ms")
    private boolean phases;

    /** Whether to count the gradients whose square Adam computes below the smallest normal float. */
    @Option(names = "--underflow", description = "after the timed steps (and --phases), as many again counting the "
            + "gradients whose square times (1 - beta2) Adam computes below the smallest normal float "
            + "(GradientUnderflow); prints one line per step")
    private boolean underflow;
    /** Core to pin the training thread to; null leaves it to the scheduler. */
    @Option(names = "--cpu", paramLabel = "N", converter = Converters.NonNegativeInt.class,
            description = "pin the training thread (alone; the JVM's other threads stay free) to CPU core N before "
                    + "the first step (Linux, taskset); default: not pinned")
    private Integer cpu;

    /** Rounds of the timed steps taken in turns with a coordinating process ({@link Lockstep}); null: one block. */
    @Option(names = "--lockstep", paramLabel = "R", converter = Converters.PositiveInt.class,
            description = "after the warm-up (steps and output calls) print 'ready', then run the timed steps in R "
                    + "rounds, each when a line 'go' arrives on standard input: its share of the steps, then as many "
                    + "output calls, and a line 'round I ...' with their times (src/main/python/lockstep.py runs PgM "
                    + "and its peer in turns this way); one fusion, without --op-times")
    private Integer lockstep;

    /** What {@code --op-times} sums over. */
    enum OpTimesKey { NAME, SHAPES }
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        int status = run(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the benchmark as {@link #main} does; its exit status ({@link Cli#run}). */
    static int run(String... args) {
        FusionStepBenchmark b = new FusionStepBenchmark();
        return Cli.run(b, b.o, args);
    }

    @Override
    public Integer call() throws IOException {
        String conflict = lockstepConflict();
        if (conflict != null) {
            System.err.println("FusionStepBenchmark: " + conflict);
            return Cli.USAGE_ERROR;
        }
        if (profilingMode != null) {
            Nd4j.getExecutioner().setProfilingMode(profilingMode);
        }
        if (cpu != null) {
            long tid = ThreadAffinity.pinCurrentThread(cpu);
            System.out.printf(Locale.ROOT, "training thread %d pinned to CPU %d%n", tid, cpu);
        }
        EmbeddedBatch data = EmbeddedBatch.first(o);
        ExperimentRunner runner = data.runner();
        MultiDataSet batch = data.batch();

        double floorMs = dispatchFloorMs(batch.getFeatures(0).size(0), o.getWidth());
        System.out.printf(Locale.ROOT, "embedded digits-speech, B = %d, D = %d, N = %d, learner mode %s, %d warm-up + %d "
                        + "timed steps; ND4J profiling mode %s; dispatch floor of one [B, D] + [B, D] op: %.1f us%n",
                batch.getFeatures(0).size(0), o.getWidth(), o.getIterations(), o.getLearnerMode(), warmup, steps,
                Nd4j.getExecutioner().getProfilingMode(), floorMs * 1e3);
        List<Row> rows = new ArrayList<>();
        List<FusionChoice> choices = new ArrayList<>();
        for (String f : fusions) {
            choices.addAll(FusionChoice.parse(f.trim()).expand(runner.modalities()));
        }
        if (lockstep != null && choices.size() != 1) {
            System.err.println("FusionStepBenchmark: --lockstep runs one fusion, found --fusions "
                    + String.join(",", fusions) + " (" + choices.size() + " fusions)");
            return Cli.USAGE_ERROR;
        }
        for (FusionChoice c : choices) {
            ExperimentRunner.Built built = runner.build(c, 1);
            ComputationGraph g = built.graph();
            new PgmGraph(g, built.fused()).setLossWeights(new LossWeights(0.1, 1));
            MultiDataSet ds = batch;
            for (int i = 0; i < warmup; i++) {
                g.fit(ds);
            }
            OpTimes times = null;
            OpTimes outputTimes = null;
            Lockstep.Block fits;
            Lockstep.Block outputs;
            String digest;
            if (lockstep == null) {
                times = opTimes == null ? null : OpTimes.start(opTimes == OpTimesKey.SHAPES);
                fits = timeFits(g, ds, steps);
                OpTimes.stop();
                digest = ParamsDigest.of(g.params());
                warmUpOutputs(g, ds);
                outputTimes = opTimes == null ? null : OpTimes.start(opTimes == OpTimesKey.SHAPES);
                outputs = timeOutputs(g, ds, steps);
                OpTimes.stop();
            } else {
                warmUpOutputs(g, ds);
                Lockstep turns = new Lockstep(lockstep,
                        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
                turns.ready();
                fits = Lockstep.Block.EMPTY;
                outputs = Lockstep.Block.EMPTY;
                for (int r = 0; r < lockstep; r++) {
                    turns.awaitGo(r);
                    int k = Lockstep.count(steps, lockstep, r);
                    Lockstep.Block f = timeFits(g, ds, k);
                    Lockstep.Block out = timeOutputs(g, ds, k);
                    turns.report(r, f, out);
                    fits = fits.plus(f);
                    outputs = outputs.plus(out);
                }
                turns.awaitEnd();
                // inference changes no parameter: the digest is the one of the same steps in one block
                digest = ParamsDigest.of(g.params());
            }
            double step = fits.msPer();
            double cpu = fits.cpuMsPer();
            double processCpu = fits.processCpuMsPer();
            double out = outputs.msPer();
            double cpuOut = outputs.cpuMsPer();
            StepPhases.Medians phased = phases ? StepPhases.measure(g, ds, steps) : null;
            List<GradientUnderflow.Counts> underflows = underflow ? GradientUnderflow.measure(g, ds, steps) : List.of();
            int[] ops = opCounts(g, built.fused().pgmVertex());
            double flops = c.isPgm() ? pgmMatmulFlops(g, built.fused(), ds) : 0;
            rows.add(new Row(c.label(), step, cpu, out, ops[0], ops[1], flops));
            printParameters(c.label(), g, built.fused());
            if (times != null) {
                System.out.println(opTable(c.label(), times, steps, step, "step"));
                System.out.println(opTable(c.label() + " output", outputTimes, steps, out, "call"));
            }
            System.out.printf(Locale.ROOT, "result %s msPerStep=%.2f cpuMsPerStep=%.2f processCpuMsPerStep=%.2f "
                            + "msPerOutput=%.2f cpuMsPerOutput=%.2f params=%d%n", c.label(), step, cpu, processCpu, out,
                    cpuOut, g.numParams());
            System.out.printf(Locale.ROOT, "result params %s sha256=%s%n", c.label(), digest);
            if (phased != null) {
                System.out.printf(Locale.ROOT, "phases of a step (median thread CPU ms): forward %.1f, backward %.1f, "
                                + "update %.1f%nresult %s phases forwardMs=%.2f backwardMs=%.2f updateMs=%.2f%n",
                        phased.forwardMs(), phased.backwardMs(), phased.updateMs(), c.label(), phased.forwardMs(),
                        phased.backwardMs(), phased.updateMs());
            }
            for (GradientUnderflow.Counts u : underflows) {
                System.out.printf(Locale.ROOT, "result %s underflow elements=%d zeros=%d squaresBelowNormal=%d "
                                + "(%.2f %%) groupsOf%d=%d withOne=%d (%.1f %%)%n", c.label(), u.elements(), u.zeros(),
                        u.underflows(), 100.0 * u.underflows() / u.elements(), GradientUnderflow.GROUP, u.groups(),
                        u.groupsWithUnderflow(), 100.0 * u.groupsWithUnderflow() / u.groups());
            }
            System.out.printf(Locale.ROOT, "%-24s %9.1f ms/step (%.1f CPU ms) %9.1f ms/output%s%n", c.label(), step, cpu,
                    out,
                    ops[0] > 0 ? String.format(Locale.ROOT, "  (PgmLayer: %d forward ops, %d with gradient)", ops[0],
                            ops[1]) : "");
        }
        System.out.println();
        System.out.println(table(rows, floorMs));
        long bm = batch.getFeatures(0).size(0) * runner.modalities().size();
        GemmReference small = gemmGflops(bm, o.getWidth(), 2L * o.getWidth());
        GemmReference large = gemmGflops(512, 512, 512);
        double smallGemm = small.median();
        double largeGemm = large.median();
        System.out.printf(Locale.ROOT, "ND4J gemm in this process, median of %d measurements (range): [%d, %d] x [%d, "
                        + "%d] (PgM's typical product) %.2f GFLOP/s (%.2f-%.2f); [512, 512] x [512, 512] %.2f GFLOP/s "
                        + "(%.2f-%.2f)%n", GEMM_ROUNDS, bm, o.getWidth(), o.getWidth(), 2L * o.getWidth(), smallGemm,
                small.least(), small.greatest(), largeGemm, large.least(), large.greatest());
        System.out.println("result blas path=" + BlasLibrary.loaded());
        System.out.println("result blas coretype=" + BlasLibrary.coreType());
        for (Row r : rows) {
            if (r.matmulFlops() > 0) {
                double achieved = r.matmulFlops() / (r.cpuMsPerStep() * 1e6);
                System.out.printf(Locale.ROOT, "%s: %.1f MFLOP of matrix products per step (SameDiff parts), %.3f GFLOP/s "
                                + "achieved = %.1f %% of the small gemm, %.2f %% of the large one%n", r.fusion(),
                        r.matmulFlops() / 1e6, achieved, 100 * achieved / smallGemm, 100 * achieved / largeGemm);
                System.out.printf(Locale.ROOT, "result gemm %s achievedGflops=%.3f smallGemmGflops=%.3f "
                                + "largeGemmGflops=%.3f smallShare=%.1f largeShare=%.1f%n", r.fusion(), achieved,
                        smallGemm, largeGemm, 100 * achieved / smallGemm, 100 * achieved / largeGemm);
            }
        }
        return 0;
    }

    /** What does not go with {@code --lockstep} among the options given; null when nothing. */
    private String lockstepConflict() {
        if (lockstep == null) {
            return null;
        }
        if (opTimes != null) {
            return "--lockstep and --op-times do not go together (the rounds time whole steps)";
        }
        if (steps < lockstep) {
            return "--lockstep " + lockstep + " needs at least one timed step per round, found --steps " + steps;
        }
        return null;
    }

    /** Clocks over {@code n} fit steps on one minibatch. */
    private static Lockstep.Block timeFits(ComputationGraph g, MultiDataSet ds, int n) {
        return timed(n, () -> g.fit(ds));
    }

    /** Clocks over {@code n} inference calls ({@code output}) on one minibatch. */
    private static Lockstep.Block timeOutputs(ComputationGraph g, MultiDataSet ds, int n) {
        return timed(n, () -> g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays()));
    }

    /** Clocks over {@code n} calls of {@code call}: the wall clock, this thread's and the process's CPU time. */
    private static Lockstep.Block timed(int n, Runnable call) {
        long t0 = System.nanoTime();
        long c0 = CPU.getCurrentThreadCpuTime();
        long p0 = processCpuNanos();
        for (int i = 0; i < n; i++) {
            call.run();
        }
        return new Lockstep.Block(System.nanoTime() - t0, CPU.getCurrentThreadCpuTime() - c0, processCpuNanos() - p0,
                n);
    }

    /** Untimed output calls, as many as the warm-up steps (at least one, which makes the forward plans). */
    private void warmUpOutputs(ComputationGraph g, MultiDataSet ds) {
        for (int i = 0; i < Math.max(1, warmup); i++) {
            g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
        }
    }

    /** Parameters per vertex with parameters, and for PgM per component of its PgM layer ({@link PgmBlock}). */
    private static void printParameters(String label, ComputationGraph g, Fused fused) {
        StringBuilder sb = new StringBuilder("parameters " + label + ":");
        for (ParameterCounts.VertexCount v : ParameterCounts.of(g).vertices()) {
            if (v.params() > 0) {
                sb.append(' ').append(v.name()).append('=').append(v.params());
            }
        }
        PgmLayer pgm = fused.isPgm() ? PgmGraph.pgmLayer(g.getConfiguration(), fused.pgmVertex()) : null;
        if (pgm != null) {
            sb.append("; ").append(fused.pgmVertex()).append(':');
            pgm.toBlock().parameterCounts().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        }
        System.out.println(sb);
    }

    /** Matrix-product FLOPs of one training step in PgM's two SameDiff graphs (PgM layer, head), counted by listeners. */
    private static double pgmMatmulFlops(ComputationGraph g, Fused fused, MultiDataSet ds) {
        MatmulFlops counter = new MatmulFlops();
        List<SameDiff> graphs = new ArrayList<>();
        if (fused.isPgm() && g.getLayer(fused.pgmVertex()) instanceof CorrectedSameDiffLayer pgm && pgm.sameDiff() != null) {
            graphs.add(pgm.sameDiff());
        }
        if (g.getLayer(fused.output()) instanceof CorrectedSameDiffLayer head && head.sameDiff() != null) {
            graphs.add(head.sameDiff());
        }
        graphs.forEach(sd -> sd.setListeners(counter));
        g.fit(ds);
        graphs.forEach(sd -> sd.setListeners());
        return counter.flops();
    }

    /** CPU time of the whole process (all its threads: the JVM's garbage collector too), in ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * GFLOP/s of ND4J's own matrix product {@code [m, k] x [k, n]} (float), in this process, per second of the calling
     * thread's CPU time (as the achieved rate of a step is: both robust to other processes sharing the machine). The
     * product is libnd4j's {@code matmul} op, the one SameDiff's {@code mmul} runs; {@code INDArray.mmuli} on these
     * 'c'-order arrays runs at less than half its rate (docs/dl4j-m2.1-notes.md), which made an earlier reference too
     * low. Measured {@link #GEMM_ROUNDS} times (each about 2 GFLOP of calls): one measurement alone moved with the
     * machine's phase of the moment.
     */
    static GemmReference gemmGflops(long m, long k, long n) {
        double[] rounds = new double[GEMM_ROUNDS];
        for (int i = 0; i < GEMM_ROUNDS; i++) {
            rounds[i] = GemmBenchmark.gflops(m, k, n, false, false, 0);
        }
        Arrays.sort(rounds);
        return new GemmReference(rounds[GEMM_ROUNDS / 2], rounds[0], rounds[GEMM_ROUNDS - 1]);
    }

    /** GFLOP/s of repeated measurements of one product: their median, the reference, and their range. */
    record GemmReference(double median, double least, double greatest) {
    }

    /** Forward and forward + gradient op counts of the PgM layer's SameDiff graph; zeros without one. */
    private static int[] opCounts(ComputationGraph g, String vertexName) {
        if (vertexName == null) {
            return new int[]{0, 0};
        }
        if (!(g.getVertex(vertexName).getLayer() instanceof CorrectedSameDiffLayer sv) || sv.sameDiff() == null) {
            return new int[]{0, 0};
        }
        SameDiff sd = sv.sameDiff();
        int forward = sd.getOps().size();
        SameDiff grad = sd.getFunction("grad");
        return new int[]{forward, grad == null ? forward : grad.getOps().size()};
    }

    /** Milliseconds of one tiny elementwise op, dispatched from Java the way SameDiff dispatches each op. */
    static double dispatchFloorMs(long rows, long width) {
        INDArray a = Nd4j.rand(DataType.FLOAT, rows, width);
        INDArray b = Nd4j.rand(DataType.FLOAT, rows, width);
        INDArray out = Nd4j.create(DataType.FLOAT, rows, width);
        for (int i = 0; i < 2000; i++) {
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(a, b, out));
        }
        int n = 20000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(a, b, out));
        }
        return (System.nanoTime() - t0) / 1e6 / n;
    }

    /** The ops of the op plans per op name: calls and milliseconds per step, microseconds per call, share of the step. */
    static String opTable(String fusion, OpTimes times, int steps, double msPerStep, String unit) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %d op calls per %s in op plans, %.1f ms per %s of %.1f (%.1f %%)%n",
                fusion, times.totalCalls() / steps, unit, times.totalNanos() / 1e6 / steps, unit, msPerStep,
                100 * times.totalNanos() / 1e6 / steps / msPerStep));
        sb.append(String.format(Locale.ROOT, "| op | calls / %s | ms / %s | us / op call | share of the %s |%n"
                + "|---|---|---|---|---|%n", unit, unit, unit));
        for (OpTimes.Entry e : times.byTotal()) {
            double ms = e.nanos() / 1e6 / steps;
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.1f | %.1f %% |%n", e.op(), e.calls() / steps, ms,
                    e.nanos() / 1e3 / e.calls(), 100 * ms / msPerStep));
        }
        return sb.toString();
    }

    static String table(List<Row> rows, double floorMs) {
        StringBuilder sb = new StringBuilder();
        sb.append("| fusion | ms / fit step | CPU ms / fit step | ms / output | CPU step vs ").append(rows.get(0).fusion())
                .append(" | PgmLayer ops (fwd / fwd+grad) | ops x floor (ms) |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1fx | %s | %s |%n", r.fusion(),
                    r.msPerStep(), r.cpuMsPerStep(), r.msPerOutput(), r.cpuMsPerStep() / rows.get(0).cpuMsPerStep(),
                    r.forwardOps() > 0 ? r.forwardOps() + " / " + r.totalOps() : "-",
                    r.totalOps() > 0 ? String.format(Locale.ROOT, "%.1f", (r.forwardOps() + r.totalOps()) * floorMs)
                            : "-"));
        }
        return sb.toString();
    }
}

package org.dl4jpgm.examples.bench;

import org.dl4jpgm.blocks.SdOps;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.impl.OpPlan;
import org.dl4jpgm.impl.QuietGradFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Times cumsoftmax's two running sums ({@link SdOps#runningSumByProduct}, {@link SdOps#runningSumByScan}) as a
 * training step runs them: the forward pass and the gradient of {@code sum(runningSum(x w) r)} as one op plan, float,
 * on the calling thread (run with {@code OMP_NUM_THREADS=1}). The widths where the scan is the cheaper one set
 * {@link SdOps#SCAN_MIN_WIDTH}.
 */
@Command(name = "CumSoftmaxBenchmark", separator = " ", usageHelpAutoWidth = true, showDefaultValues = true,
        description = {"Times cumsoftmax's running sum as a product with a matrix of ones and as a scan (forward and "
                + "gradient, one thread) and prints a table.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class CumSoftmaxBenchmark implements Callable<Integer> {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private CumSoftmaxBenchmark() {
    }

    /** The shapes timed. */
    @Option(names = "--shapes", split = ",", paramLabel = "G:N:T", converter = Converters.GroupedShape.class,
            defaultValue = "1:384:32,1:384:64,1:384:128,1:384:256,1:384:384,1:384:512,3:32:256,3:32:384,3:32:512,"
                    + "3:32:768",
            description = "groups:rows:width, comma separated (the main job's gates: 1:384:64; the paper's: 3:32:768)")
    private List<long[]> shapes;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new CumSoftmaxBenchmark(), null, args);
    }

    @Override
    public Integer call() {
        System.out.printf(Locale.ROOT, "threshold in use: SdOps.SCAN_MIN_WIDTH = %d%n", SdOps.SCAN_MIN_WIDTH);
        System.out.println("| G | N | T | product ms | scan ms | scan / product |\n|---|---|---|---|---|---|");
        for (long[] s : shapes) {
            int groups = Math.toIntExact(s[0]);
            double product = millis(false, groups, s[1], s[2]);
            double scan = millis(true, groups, s[1], s[2]);
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %.3f | %.3f | %.2f |%n", groups, s[1], s[2], product, scan,
                    scan / product);
        }
        return 0;
    }

    /** CPU milliseconds of one run of the plan of the forward pass and gradient with one of the running sums. */
    private static double millis(boolean scan, int g, long n, long t) {
        long[] shape = g == 1 ? new long[]{n, t} : new long[]{g, n, t};
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, g == 1 ? new long[]{-1, t} : new long[]{g, -1, t});
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 1, t));
        SDVariable p = x.mul(w);
        SDVariable y = scan ? SdOps.runningSumByScan(p, t, g) : SdOps.runningSumByProduct(p, t, g);
        y.mul(sd.constant(Nd4j.rand(DataType.FLOAT, shape))).sum().markAsLoss();
        QuietGradFunction.ensure(sd, "x");
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable("w").getGradient().name()));
        Map<String, INDArray> ph = Map.of("x", Nd4j.rand(DataType.FLOAT, shape));
        int reps = (int) Math.max(50, 4e8 / (2.0 * g * n * t * t));
        for (int i = 0; i < reps; i++) {
            plan.run(ph);
        }
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            plan.run(ph);
        }
        return (CPU.getCurrentThreadCpuTime() - t0) / 1e6 / reps;
    }
}

package org.dl4jpgm.examples.bench;

import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * GFLOP/s of libnd4j's {@code matmul} op (the product SameDiff's {@code mmul} and the op plans run) on the shapes of a
 * PgM training step, float, per second of the calling thread's CPU time (run with {@code OMP_NUM_THREADS=1}); for
 * each shape {@code M:K:N} the three products of a dense layer's step: the forward {@code [M, K] x [K, N]}, the input
 * gradient {@code [M, N] x [K, N]^T} and the weight gradient {@code [M, K]^T x [M, N]}. Prints the OpenBLAS file the
 * process loaded ({@link BlasLibrary}) and a Markdown table; {@code src/main/python/pgm_peer.py --gemm-shapes} prints
 * PyTorch's on the same shapes.
 */
@Command(name = "GemmBenchmark", separator = " ", usageHelpAutoWidth = true, showDefaultValues = true,
        description = {"GFLOP/s of libnd4j's matmul (forward, input gradient, weight gradient) on given shapes, one "
                + "thread, and the OpenBLAS file in use.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class GemmBenchmark implements Callable<Integer> {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private GemmBenchmark() {
    }

    /** The shapes timed. */
    @Option(names = "--shapes", split = ",", paramLabel = "M:K:N", converter = Converters.ProductShape.class,
            defaultValue = DEFAULT_SHAPES,
            description = "rows:inner:columns, comma separated (the paper-config step's products by default)")
    private List<long[]> shapes;
    /**
     * Whether each call takes its operands from a ring of copies larger than the caches, as a training step meets
     * its weights (42 M parameters at paper-config: each weight matrix is evicted before its next use).
     */
    @Option(names = "--cold", description = "operands from a ring of copies of at least --ring-mib MiB, so that no "
            + "call finds them in a cache (as a training step does); default: the same operands every call")
    private boolean cold;
    /** Size of the ring of operand copies under {@code --cold}. */
    @Option(names = "--ring-mib", paramLabel = "MIB", converter = Converters.PositiveInt.class,
            description = "MiB of operand copies under --cold (default ${DEFAULT-VALUE}: several times a server's L3)")
    private int ringMib = 512;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    /** The largest products of a paper-config step (B 32, D 768, N 3), and the [512, 512] reference. */
    static final String DEFAULT_SHAPES = "96:768:768,96:1536:768,96:768:1536,96:1536:1536,32:768:768,32:1536:768,"
            + "32:2304:1536,512:512:512";

    public static void main(String[] args) {
        Cli.main(new GemmBenchmark(), null, args);
    }

    @Override
    public Integer call() {
        long ringBytes = cold ? ringMib * (1L << 20) : 0;
        System.out.println(cold ? "operands: a ring of copies of " + ringMib + " MiB (cache-cold)"
                : "operands: the same arrays every call (cache-warm)");
        System.out.println("| M | K | N | forward | input gradient | weight gradient |\n|---|---|---|---|---|---|");
        for (long[] s : shapes) {
            long m = s[0];
            long k = s[1];
            long n = s[2];
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1f |%n", m, k, n,
                    gflops(m, k, n, false, false, ringBytes), gflops(m, n, k, false, true, ringBytes),
                    gflops(k, m, n, true, false, ringBytes));
        }
        System.out.println("blas " + BlasLibrary.loaded());   // after the products: ND4J loads OpenBLAS lazily
        System.out.println("blas coretype " + BlasLibrary.coreType());
        return 0;
    }

    /**
     * GFLOP/s of the product {@code op(a) x op(b)} with result {@code [m, n]} and inner size {@code k}, where
     * {@code op} transposes the 'c'-order array stored as {@code [k, m]} (a) or {@code [n, k]} (b) when asked; the
     * operands of successive calls are distinct copies adding up to at least {@code ringBytes} (one pair when 0).
     */
    static double gflops(long m, long k, long n, boolean transposeA, boolean transposeB, long ringBytes) {
        long pairBytes = 4 * (m * k + k * n + m * n);
        int copies = (int) Math.max(1, (ringBytes + pairBytes - 1) / pairBytes);
        Mmul[] products = new Mmul[copies];
        MMulTranspose t = MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build();
        for (int i = 0; i < copies; i++) {
            INDArray a = transposeA ? Nd4j.rand(DataType.FLOAT, k, m) : Nd4j.rand(DataType.FLOAT, m, k);
            INDArray b = transposeB ? Nd4j.rand(DataType.FLOAT, n, k) : Nd4j.rand(DataType.FLOAT, k, n);
            products[i] = new Mmul(a, b, Nd4j.create(DataType.FLOAT, m, n), t);
        }
        double perCall = 2.0 * m * k * n;
        int warm = (int) Math.max(Math.max(3, copies), 2e8 / perCall);
        for (int i = 0; i < warm; i++) {
            Nd4j.exec(products[i % copies]);
        }
        int calls = (int) Math.max(Math.max(10, 2L * copies), 2e9 / perCall);
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) {
            Nd4j.exec(products[i % copies]);
        }
        return perCall * calls / (CPU.getCurrentThreadCpuTime() - t0);
    }
}

package org.dl4jpgm.examples.bench;

import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Whether ND4J's products sum each element in the order that OpenBLAS 0.3.19's Haswell {@code sgemm} is read to use
 * here, element for element: the model written out in Java ({@link #expected}) against {@code Nd4j.gemm} on Gaussian
 * operands, for each shape {@code M:K:N} the forward {@code [M, K] x [K, N]}, the input gradient
 * {@code [M, N] x [K, N]^T} and the weight gradient {@code [M, K]^T x [M, N]}, the last also added to what its output
 * holds ({@code beta} 1). It prints the elements that differ from the model and from one plain chain of fused
 * multiply-adds per element; on OpenBLAS's Haswell kernels with one thread the first column is 0 everywhere
 * (docs/performance.md, "Products in OpenBLAS's order on the Vector API").
 *
 * <p>The order, from {@code driver/level3/level3.c}, {@code kernel/x86_64/sgemm_kernel_8x4_haswell_2.c} and
 * {@code param.h} of OpenBLAS 0.3.19 ({@code P = Q = 320}, unrolled by 8 and 4):
 * <ul>
 *   <li>A row-major product is OpenBLAS's column-major product of the transposes: its rows are our columns.</li>
 *   <li>K is cut into blocks ({@link #kBlocks}); each block's sum is added to the output with one rounding, after the
 *   output was set to {@code +0} where {@code beta} is 0.</li>
 *   <li>Within a block an element is one chain of fused multiply-adds over its k in order, except in the kernel's tiles
 *   that keep the even and the odd k in two sets of accumulators ({@link #splitMap}): the even k and then the last
 *   {@code K mod 8} in one chain, the odd k in another, the two added at the end.</li>
 * </ul>
 */
@Command(name = "OpenBlasOrder", separator = " ", usageHelpAutoWidth = true, showDefaultValues = true,
        description = {"Elements of ND4J's float products that differ from OpenBLAS 0.3.19's Haswell summation order "
                + "written out in Java, and from one plain chain per element.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class OpenBlasOrder implements Callable<Integer> {

    /** OpenBLAS 0.3.19's {@code SGEMM_DEFAULT_P} and {@code SGEMM_DEFAULT_Q} for Haswell on x86-64. */
    static final int GEMM_P = 320;
    static final int GEMM_Q = 320;
    /** {@code SGEMM_DEFAULT_UNROLL_M} and {@code SGEMM_DEFAULT_UNROLL_N} for Haswell on x86-64. */
    static final int UNROLL_M = 8;
    static final int UNROLL_N = 4;

    private OpenBlasOrder() {
    }

    /** The shapes checked. */
    @Option(names = "--shapes", split = ",", paramLabel = "M:K:N", converter = Converters.ProductShape.class,
            defaultValue = GemmBenchmark.DEFAULT_SHAPES,
            description = "rows:inner:columns, comma separated (the paper-config step's products by default)")
    private List<long[]> shapes;
    /** Seed of the operands. */
    @Option(names = "--seed", description = "seed of the Gaussian operands")
    private long seed = 7;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new OpenBlasOrder(), null, args);
    }

    @Override
    public Integer call() {
        SplittableRandom random = new SplittableRandom(seed);
        System.out.println("| M | K | N | product | elements | differ from the order | differ from one chain |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (long[] s : shapes) {
            int m = Math.toIntExact(s[0]);
            int k = Math.toIntExact(s[1]);
            int n = Math.toIntExact(s[2]);
            row(m, k, n, "forward", false, false, 0, random);
            row(m, n, k, "input gradient", false, true, 0, random);
            row(k, m, n, "weight gradient", true, false, 0, random);
            row(k, m, n, "weight gradient, beta 1", true, false, 1, random);
        }
        System.out.println("blas " + BlasLibrary.loaded());
        System.out.println("blas coretype " + BlasLibrary.coreType());
        return 0;
    }

    /** One product {@code op(a) [m, k] x op(b) [k, n] + beta c}, compared both ways, as a row of the table. */
    private static void row(int m, int k, int n, String name, boolean transposeA, boolean transposeB, double beta,
                            SplittableRandom random) {
        int[] d = compare(m, k, n, transposeA, transposeB, beta, random);
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %s | %d | %d | %d |%n", m, k, n, name, m * n, d[0], d[1]);
    }

    /**
     * {@code Nd4j.gemm} of {@code op(a) [m, k] x op(b) [k, n] + beta c} on Gaussian operands ({@code a} stored
     * {@code [k, m]} where {@code transposeA}, {@code b} {@code [n, k]} where {@code transposeB}; {@code beta} 0 or 1):
     * the elements whose bits differ from {@link #expected}, and from one plain chain per element.
     */
    static int[] compare(int m, int k, int n, boolean transposeA, boolean transposeB, double beta,
                         SplittableRandom random) {
        float[] a = gaussian(m * k, random);
        float[] b = gaussian(k * n, random);
        float[] c = gaussian(m * n, random);
        INDArray out = Nd4j.createFromArray(c.clone()).reshape(m, n);
        Nd4j.gemm(Nd4j.createFromArray(a).reshape(transposeA ? k : m, transposeA ? m : k),
                Nd4j.createFromArray(b).reshape(transposeB ? n : k, transposeB ? k : n), out, transposeA, transposeB,
                1.0, beta);
        float[] nd4j = out.data().asFloat();
        float[] added = beta == 0 ? null : c;
        return new int[]{differing(nd4j, expected(a, transposeA, b, transposeB, m, k, n, added)),
                differing(nd4j, oneChain(a, transposeA, b, transposeB, m, k, n, added))};
    }

    private static float[] gaussian(int count, SplittableRandom random) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static int differing(float[] x, float[] y) {
        int d = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                d++;
            }
        }
        return d;
    }

    /**
     * The row-major {@code op(a) [m, k] x op(b) [k, n]} (plus {@code c} where given), each element summed in the order
     * of the class comment.
     */
    static float[] expected(float[] a, boolean transposeA, float[] b, boolean transposeB, int m, int k, int n,
                            float[] c) {
        boolean[] split = splitMap(m, n);
        int[] blocks = kBlocks(k);
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = c == null ? 0f : c[i * n + j];
                int ls = 0;
                for (int len : blocks) {
                    float even = 0f;
                    float odd = 0f;
                    int pairs = split[i * n + j] ? len / 8 * 8 : 0;
                    for (int t = 0; t < pairs; t += 2) {
                        even = Math.fma(at(a, transposeA, m, k, i, ls + t), at(b, transposeB, k, n, ls + t, j), even);
                        odd = Math.fma(at(a, transposeA, m, k, i, ls + t + 1), at(b, transposeB, k, n, ls + t + 1, j),
                                odd);
                    }
                    for (int t = pairs; t < len; t++) {
                        even = Math.fma(at(a, transposeA, m, k, i, ls + t), at(b, transposeB, k, n, ls + t, j), even);
                    }
                    sum = (split[i * n + j] ? even + odd : even) + sum;
                    ls += len;
                }
                out[i * n + j] = sum;
            }
        }
        return out;
    }

    /** The same product, each element one chain of fused multiply-adds over all of K. */
    private static float[] oneChain(float[] a, boolean transposeA, float[] b, boolean transposeB, int m, int k, int n,
                                    float[] c) {
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int t = 0; t < k; t++) {
                    sum = Math.fma(at(a, transposeA, m, k, i, t), at(b, transposeB, k, n, t, j), sum);
                }
                out[i * n + j] = c == null ? sum : sum + c[i * n + j];
            }
        }
        return out;
    }

    /** Element {@code [r, col]} of a {@code [rows, cols]} operand stored as given or transposed. */
    private static float at(float[] x, boolean transposed, int rows, int cols, int r, int col) {
        return transposed ? x[col * rows + r] : x[r * cols + col];
    }

    /** The K blocks' lengths, in order: {@code level3.c}'s {@code min_l}. */
    static int[] kBlocks(int k) {
        List<Integer> lengths = new ArrayList<>();
        for (int ls = 0, len; ls < k; ls += len) {
            len = blockLength(k - ls, GEMM_Q);
            lengths.add(len);
        }
        return lengths.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * {@code level3.c}'s next block of what {@code remaining} is left, for K ({@code min_l}, blocks of Q) and for its
     * rows ({@code min_i}, blocks of P) alike: a whole block where two or more remain, half of what remains (up to a
     * multiple of 8) where between one and two do, all of it otherwise.
     */
    private static int blockLength(int remaining, int block) {
        if (remaining >= 2 * block) {
            return block;
        }
        return remaining > block ? (remaining / 2 + UNROLL_M - 1) / UNROLL_M * UNROLL_M : remaining;
    }

    /**
     * Which elements of a row-major {@code [rows, cols]} product are split ({@code [i * cols + j]}), from OpenBLAS's
     * calls of its kernel: its row blocks ({@code is}, {@code min_i}) over our columns, its first row block called once
     * per column chunk ({@code jjs}, {@code min_jj}: 12, or 4 when fewer remain), the later ones with every column.
     */
    static boolean[] splitMap(int rows, int cols) {
        boolean[] split = new boolean[rows * cols];
        boolean first = true;
        for (int is = 0, minI; is < cols; is += minI) {
            minI = blockLength(cols - is, GEMM_P);
            if (first) {
                for (int jjs = 0, minJj; jjs < rows; jjs += minJj) {
                    minJj = rows - jjs;
                    if (minJj >= 3 * UNROLL_N) {
                        minJj = 3 * UNROLL_N;
                    } else if (minJj > UNROLL_N) {
                        minJj = UNROLL_N;
                    }
                    kernelCall(split, cols, is, minI, jjs, minJj);
                }
                first = false;
            } else {
                kernelCall(split, cols, is, minI, 0, rows);
            }
        }
        return split;
    }

    /**
     * The split tiles of one kernel call on OpenBLAS's rows {@code [r0, r0 + mr)} (our columns) and columns
     * {@code [c0, c0 + nc)} (our rows). The kernel takes its columns 12 at a time while more than 11 remain, then 8, 4,
     * 2, 1. With 12 and at least 16 rows it runs a left half (6 columns) and a right half staggered by 8 rows: the left
     * half's first 8 rows split ({@code COMPUTE_H_m8n6}), then 16 rows on the right, 16 on the left, and so on, until
     * fewer than 16 rows remain, whose next 8 on the side due are split ({@code COMPUTE_T_m8n6}); the rest, and every
     * row of a call with fewer than 16, in one chain. With 4 columns each full tile of 8 rows is split
     * ({@code COMPUTE_m8n4}); with 8, 2 and 1, none.
     */
    private static void kernelCall(boolean[] split, int cols, int r0, int mr, int c0, int nc) {
        int c = c0;
        int left = nc;
        for (; left > 11; left -= 12, c += 12) {
            if (mr < 16) {
                continue;
            }
            mark(split, cols, r0, r0 + 8, c, c + 6);
            for (int p = 0, remaining = mr; ; ) {
                p += 8;   // the right half's rows [p - 8, p + 8): one chain
                remaining -= 8;
                if (remaining < 16) {
                    mark(split, cols, r0 + p, r0 + p + 8, c, c + 6);
                    break;
                }
                p += 8;   // the left half's rows [p - 8, p + 8): one chain
                remaining -= 8;
                if (remaining < 16) {
                    mark(split, cols, r0 + p, r0 + p + 8, c + 6, c + 12);
                    break;
                }
            }
        }
        c += left / 8 * 8;   // 8 columns at a time: one chain
        left %= 8;
        if (left > 3) {   // 4 columns: each full tile of 8 rows split
            mark(split, cols, r0, r0 + mr / UNROLL_M * UNROLL_M, c, c + 4);
        }
    }

    /** Marks OpenBLAS's rows {@code [r0, r1)} (our columns) of its columns {@code [c0, c1)} (our rows) as split. */
    private static void mark(boolean[] split, int cols, int r0, int r1, int c0, int c1) {
        for (int i = c0; i < c1; i++) {
            for (int j = r0; j < r1; j++) {
                split[i * cols + j] = true;
            }
        }
    }
}

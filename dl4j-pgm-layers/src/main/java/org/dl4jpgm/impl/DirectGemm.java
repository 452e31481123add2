package org.dl4jpgm.impl;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.List;

/**
 * libnd4j's {@code matmul} and {@code matmul_bp} on float matrices (or stacks of them) in 'c' order, run as
 * {@code cblas_sgemm} calls into the OpenBLAS preset class that ND4J's own BLAS classes use
 * ({@code org.bytedeco.openblas.global.openblas_nolapack}), with the arrays' pointers made once and again only when
 * other arrays come. Elsewhere (the CUDA backend) nothing runs here.
 *
 * <p>Shapes: {@code matmul} of {@code x [M, K]} and {@code y [K, N]} is {@code z [M, N]}; {@code matmul_bp} of
 * {@code x}, {@code y} and {@code eps [M, N]} gives {@code dx = eps y^T [M, K]} and {@code dy = x^T eps [K, N]}. With
 * a leading axis of {@code G} on every array ({@code [G, M, K]} and so on: the stacked partitioners' products), one
 * call per matrix.
 *
 * <p>Why: a custom op goes through libnd4j's declarable-op machinery and ND4J's executioner at every call; a
 * main-config training step runs 35 {@code matmul} and 35 {@code matmul_bp} on products of 0.1-1 MFLOP, where that
 * machinery is a large part of each call: in training steps {@code matmul_bp} took 69-75 us per call as a custom op
 * and 52-56 us here, {@code matmul} 27-30 and 22-25 (docs/performance.md, "Products as direct BLAS calls"). The same
 * OpenBLAS function computes the same products: bit for bit on every shape tested ({@code impl/DirectGemmTest}), and
 * checked against the custom ops on a probe when this class loads; nothing runs here where they differ
 * ({@link #supported()}).
 *
 * <p>Only the plain case: no transposition or scaling arguments other than libnd4j's defaults (transpose flags 0,
 * {@code alpha} 1, {@code beta} 0), every array float, of rank 2 (or 3 with one leading size), 'c' order and
 * contiguous, and {@code M, K, N >= 2} (libnd4j runs a product with a vector as {@code gemv}).
 */
final class DirectGemm {

    static final String MATMUL = "matmul";
    static final String MATMUL_BP = "matmul_bp";

    /** CBLAS's constants (cblas.h): row-major layout, no transposition, transposition. */
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    /**
     * {@code openblas_nolapack.cblas_sgemm} of the CPU backend's OpenBLAS preset, looked up by name so that the CUDA
     * build (which has no OpenBLAS) compiles; null where it is absent.
     */
    private static final MethodHandle SGEMM = sgemm();

    static {
        if (SGEMM != null) {
            OpenBlasKernels.warnOnce();   // every product here runs on the kernels OpenBLAS picked when it loaded
        }
    }

    /**
     * Whether the probe found the direct calls equal to libnd4j's ops bit for bit; never off the CPU backend, whose
     * arrays are the host memory that OpenBLAS reads and writes ({@link HostMemory#addressable}).
     */
    private static final boolean VERIFIED = SGEMM != null && HostMemory.hasNativeBuffers() && verify();

    private final boolean gradient;
    /**
     * Whether the product is added to what its array holds ({@code beta} 1) instead of written over it: the weight
     * gradient {@code dy} of a gradient ({@link GradientAccumulation}), {@code z} of a forward product
     * ({@link ProductAddFusion}).
     */
    private final boolean accumulate;
    /** Products per call: 1 for matrices, the leading size of rank-3 arrays (libnd4j's batched product). */
    private final int batch;
    private final int m;
    private final int k;
    private final int n;
    /** The calls bound to the pointers of the last run's arrays. */
    private final BoundOps bound = new BoundOps();

    private DirectGemm(boolean gradient, boolean accumulate, int batch, int m, int k, int n) {
        this.gradient = gradient;
        this.accumulate = accumulate;
        this.batch = batch;
        this.m = m;
        this.k = k;
        this.n = n;
    }

    /** Whether products run directly in this process (the probe agreed with libnd4j). */
    static boolean supported() {
        return VERIFIED;
    }

    /**
     * The direct form of {@code op} on {@code inputs} into {@code outputs}, or null where it has none (the class
     * comment lists the cases it takes).
     */
    static DirectGemm of(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs) {
        return VERIFIED ? plain(op, inputs, outputs, false) : null;
    }

    /**
     * The direct form of a {@code matmul_bp} whose weight gradient {@code dy} is added to its output array's values
     * ({@code beta} 1) instead of written over them, or null where {@link #of} has none. Whether that gives the bits of
     * a separate {@code add} is for the caller to check on its arrays ({@link GradientAccumulation}).
     */
    static DirectGemm accumulating(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs) {
        return VERIFIED && MATMUL_BP.equals(op.opName()) ? plain(op, inputs, outputs, true) : null;
    }

    /**
     * {@code z = x y + z} for {@code x [M, K]}, {@code y [K, N]}, {@code z [M, N]} ({@code beta} 1: the product added
     * onto what {@code z} holds), or null where products do not run directly here. Whether that gives the bits of a
     * product followed by an {@code add} is for the caller to check ({@link ProductAddFusion}).
     */
    static DirectGemm onto(int m, int k, int n) {
        return onto(1, m, k, n);
    }

    /** {@link #onto(int, int, int)} for {@code g} stacked products ({@code [G, M, K] x [G, K, N]}), one call each. */
    static DirectGemm onto(int g, int m, int k, int n) {
        return VERIFIED && g >= 1 && m >= 2 && k >= 2 && n >= 2 ? new DirectGemm(false, true, g, m, k, n) : null;
    }

    /** Whether {@code op} is a {@code matmul} of two inputs with libnd4j's default arguments (the plain product). */
    static boolean plainProduct(DynamicCustomOp op) {
        return MATMUL.equals(op.opName()) && defaultArguments(op);
    }

    private static DirectGemm plain(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs, boolean accumulate) {
        boolean bp = MATMUL_BP.equals(op.opName());
        if (!(bp || MATMUL.equals(op.opName())) || inputs.length != (bp ? 3 : 2) || outputs.length != (bp ? 2 : 1)
                || !defaultArguments(op)) {
            return null;
        }
        int rank = inputs[0].rank();
        for (INDArray[] arrays : new INDArray[][]{inputs, outputs}) {
            for (INDArray a : arrays) {
                if (!contiguous(a) || a.rank() != rank || (rank == 3 && a.size(0) != inputs[0].size(0))) {
                    return null;
                }
            }
        }
        int r = rank - 2;   // the axis of the rows
        long batch = rank == 3 ? inputs[0].size(0) : 1;
        long m = inputs[0].size(r);
        long k = inputs[0].size(r + 1);
        long n = inputs[1].size(r + 1);
        // CBLAS takes sizes and leading dimensions as ints
        boolean sizes = m < Integer.MAX_VALUE && k < Integer.MAX_VALUE && n < Integer.MAX_VALUE
                && batch < Integer.MAX_VALUE;
        boolean shapes = sizes && inputs[1].size(r) == k && m >= 2 && k >= 2 && n >= 2 && batch >= 1
                && (bp ? Arrays.equals(inputs[2].shape(), shape(rank, batch, m, n))
                && Arrays.equals(outputs[0].shape(), inputs[0].shape())
                && Arrays.equals(outputs[1].shape(), inputs[1].shape())
                : Arrays.equals(outputs[0].shape(), shape(rank, batch, m, n)));
        return shapes ? new DirectGemm(bp, accumulate, (int) batch, (int) m, (int) k, (int) n) : null;
    }

    private static long[] shape(int rank, long batch, long rows, long cols) {
        return rank == 3 ? new long[]{batch, rows, cols} : new long[]{rows, cols};
    }

    /** Transpose flags all 0, {@code alpha} 1 and {@code beta} 0 (or absent: libnd4j's defaults). */
    private static boolean defaultArguments(DynamicCustomOp op) {
        for (long i : op.iArgs()) {
            if (i != 0) {
                return false;
            }
        }
        double[] t = op.tArgs();
        return t.length == 0 || (t.length == 2 && t[0] == 1.0 && t[1] == 0.0);
    }

    /** Float, rank 2 or 3, 'c' order, contiguous (the strides of a fresh array of its shape). */
    static boolean contiguous(INDArray a) {
        if (a.dataType() != DataType.FLOAT || (a.rank() != 2 && a.rank() != 3) || a.ordering() != 'c' || a.isEmpty()) {
            return false;
        }
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    /** Runs the product(s) on the op's {@code inputs} into its {@code outputs} (of the shapes it was made for). */
    void run(INDArray[] inputs, INDArray[] outputs) {
        INDArray[] arrays = Arrays.copyOf(inputs, inputs.length + outputs.length);
        System.arraycopy(outputs, 0, arrays, inputs.length, outputs.length);
        bound.run(arrays, () -> gradient ? gradientCalls(arrays) : List.of(productCall(arrays)));
    }

    /** {@code z = x y} per product: x, y, z. */
    private Runnable productCall(INDArray[] a) {
        FloatPointer[] x = pointers(a[0], (long) m * k);
        FloatPointer[] y = pointers(a[1], (long) k * n);
        FloatPointer[] z = pointers(a[2], (long) m * n);
        float beta = accumulate ? 1f : 0f;
        return () -> {
            for (int i = 0; i < batch; i++) {
                sgemm(NO_TRANS, NO_TRANS, m, n, k, x[i], k, y[i], n, beta, z[i], n);
            }
        };
    }

    /** {@code dx = eps y^T}, {@code dy = x^T eps} per product: x, y, eps, dx, dy. */
    private List<Runnable> gradientCalls(INDArray[] a) {
        FloatPointer[] x = pointers(a[0], (long) m * k);
        FloatPointer[] y = pointers(a[1], (long) k * n);
        FloatPointer[] eps = pointers(a[2], (long) m * n);
        FloatPointer[] dx = pointers(a[3], (long) m * k);
        FloatPointer[] dy = pointers(a[4], (long) k * n);
        float beta = accumulate ? 1f : 0f;
        return List.of(() -> {
            for (int i = 0; i < batch; i++) {
                sgemm(NO_TRANS, TRANS, m, k, n, eps[i], n, y[i], n, 0f, dx[i], k);
            }
        }, () -> {
            for (int i = 0; i < batch; i++) {
                sgemm(TRANS, NO_TRANS, k, n, m, x[i], k, eps[i], n, beta, dy[i], n);
            }
        });
    }

    /** {@code c = op(a) op(b) + beta c}, row-major, {@code alpha} 1 (CBLAS's argument order). */
    private static void sgemm(int transA, int transB, int rows, int cols, int inner, FloatPointer a, int lda,
                              FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        try {
            SGEMM.invokeExact(ROW_MAJOR, transA, transB, rows, cols, inner, 1f, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("DirectGemm: cblas_sgemm failed", t);
        }
    }

    private static MethodHandle sgemm() {
        try {
            Class<?> blas = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
            return MethodHandles.publicLookup().findStatic(blas, "cblas_sgemm", MethodType.methodType(void.class,
                    int.class, int.class, int.class, int.class, int.class, int.class, float.class, FloatPointer.class,
                    int.class, FloatPointer.class, int.class, float.class, FloatPointer.class, int.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Pointers to the first element of each of the array's {@link #batch} matrices of {@code size} elements. */
    private FloatPointer[] pointers(INDArray a, long size) {
        long first = HostMemory.address(a);   // not named "address": Pointer's field would shadow it below
        FloatPointer[] p = new FloatPointer[batch];
        for (int i = 0; i < batch; i++) {
            long at = first + 4 * i * size;
            p[i] = new FloatPointer(new Pointer() {
                {
                    address = at;
                }
            });
        }
        return p;
    }

    /**
     * Runs both ops directly and as libnd4j's custom ops on a probe (shapes with odd sizes and the main job's, values
     * written out here: ND4J's random generator is left alone, as the plans run inside training steps) and compares
     * them to the last bit.
     */
    static boolean verify() {
        try {
            for (int[] s : new int[][]{{1, 7, 5, 3}, {1, 384, 32, 32}, {1, 128, 64, 96}, {3, 128, 32, 32}}) {
                int b = s[0];
                INDArray x = probe(b, s[1], s[2], 0.37);
                INDArray y = probe(b, s[2], s[3], -0.21);
                INDArray eps = probe(b, s[1], s[3], 0.05);
                INDArray z1 = Nd4j.create(DataType.FLOAT, shape(x.rank(), b, s[1], s[3]));
                INDArray z2 = z1.ulike();
                Nd4j.exec(DynamicCustomOp.builder(MATMUL).addInputs(x, y).addOutputs(z1).build());
                new DirectGemm(false, false, b, s[1], s[2], s[3]).run(new INDArray[]{x, y}, new INDArray[]{z2});
                INDArray dx1 = x.ulike();
                INDArray dy1 = y.ulike();
                INDArray dx2 = x.ulike();
                INDArray dy2 = y.ulike();
                Nd4j.exec(DynamicCustomOp.builder(MATMUL_BP).addInputs(x, y, eps).addOutputs(dx1, dy1).build());
                new DirectGemm(true, false, b, s[1], s[2], s[3])
                        .run(new INDArray[]{x, y, eps}, new INDArray[]{dx2, dy2});
                if (!HostMemory.sameBits(z1, z2) || !HostMemory.sameBits(dx1, dx2)
                        || !HostMemory.sameBits(dy1, dy2)) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;   // another backend or BLAS: the products run as libnd4j's ops
        }
    }

    /** A probe matrix ({@code batch} 1) or a stack of {@code batch} of them, of mixed signs and magnitudes. */
    static INDArray probe(int batch, int rows, int cols, double phase) {
        float[] v = new float[batch * rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(phase + 0.731 * i) * (1 + (i % 7));
        }
        return Nd4j.createFromArray(v).reshape(shape(batch == 1 ? 2 : 3, batch, rows, cols));
    }
}

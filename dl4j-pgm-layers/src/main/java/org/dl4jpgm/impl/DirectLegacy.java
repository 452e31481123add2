package org.dl4jpgm.impl;

import org.dl4jpgm.impl.HostMemory.NativeArray;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.TransformOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarSet;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.any.Assign;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueDataBuffer;

/**
 * ND4J's legacy ops of one input array, run as the native call that ND4J's executioner makes for them, bound once to
 * the arrays' native buffers and shape infos and to the op's scalar, axes and extra arguments, and bound again only
 * when other arrays come ({@link BoundOps}): transforms ({@code sigmoid}, {@code exp}, {@code neg}, {@code rsqrt},
 * ...), scalar ops ({@code mul_scalar}, {@code add_scalar}, ...) and reductions ({@code reduce_mean},
 * {@code reduce_sum}, {@code reduce_max}, ...).
 *
 * <p>Why: around each native call ND4J's executioner does Java work that a plan's fixed arrays do not need (type
 * checks, the op's own arrays looked up, its profiling hooks), and for a reduction along axes it also computes the
 * tensor-along-dimension shape and offsets in native memory (a JavaCPP {@code IntPointer} and two native buffers,
 * each allocation checked by JavaCPP against the process's resident memory) only to pass them to its profiling hook:
 * libnd4j's reduction finds its own from the axes. At the main job's sizes a {@code reduce_mean} of {@code [384, 1, 32]}
 * over its last axis took 30 us in a training step (docs/performance.md, "Legacy and broadcast ops as direct
 * calls").
 *
 * <p>The native function and its arguments are the ones ND4J passes, so the results are the same bit for bit
 * ({@code impl/DirectLegacyTest}). What is not covered keeps ND4J's path ({@link #of} returns null): other op types
 * (broadcast, index reductions, random ops, boolean transforms and reductions, variance, pairwise reductions), a
 * second input (a pairwise transform, axes or a scalar given as an array), scalar ops along axes, empty arrays, the
 * reductions ND4J's executioner does not run (an empty axis list, which it answers with a copy; a vector reduced to
 * its own length, which it returns unchanged) and those it refuses (an output of another length). For op sequences
 * written out, {@link #bind(BaseOp)} also covers a transform of two inputs of one shape and a variance. CPU backend
 * only ({@link HostMemory.NativeArray}).
 */
final class DirectLegacy {

    /** The native entry point, as ND4J's executioner chooses it from the op's type and its output. */
    private enum Call {
        TRANSFORM_FLOAT, TRANSFORM_STRICT, TRANSFORM_SAME, TRANSFORM_ANY, SCALAR,
        /** Along axes ({@code execReduceFloat2}); the next for an output of one element ({@code execReduceFloat}). */
        REDUCE_FLOAT, REDUCE_FLOAT_WHOLE,
        REDUCE_SAME, REDUCE_SAME_WHOLE,
        /** A transform of two inputs of one shape ({@code execPairwiseTransform}), as ND4J runs {@code PowPairwise}. */
        PAIRWISE,
        /** {@code Variance} along axes ({@code execSummaryStatsTad}); the next for one element. */
        SUMMARY_STATS, SUMMARY_STATS_WHOLE
    }

    /**
     * What ND4J's executioner passes as a transform's {@code extraPointers}: its own per-thread array of 32 null
     * pointers (the CPU kernels do not read it).
     */
    private static final ThreadLocal<PointerPointer<?>> EXTRA_POINTERS =
            ThreadLocal.withInitial(() -> new PointerPointer<>(32));

    private final BaseOp op;
    private final Call call;
    private final BoundOps bound = new BoundOps();

    private DirectLegacy(BaseOp op, Call call) {
        this.op = op;
        this.call = call;
    }

    /**
     * The direct form of legacy op {@code op} on {@code inputs} (one array) into {@code output}, or null where it has
     * none (see the class comment).
     */
    static DirectLegacy of(BaseOp op, INDArray[] inputs, INDArray output) {
        if (!HostMemory.hasNativeBuffers() || inputs.length != 1 || output == null) {
            return null;
        }
        Call call = call(op, inputs[0], output);
        return call == null ? null : new DirectLegacy(op, call);
    }

    /**
     * Legacy op {@code op} on {@code x} into {@code z} as a bound native call, or null where it has no direct form
     * (for the op sequences of {@link BroadcastGradient}, which are bound as a whole).
     */
    static Runnable bind(BaseOp op, INDArray x, INDArray z) {
        DirectLegacy d = of(op, new INDArray[]{x}, z);
        return d == null ? null : d.callOn(x, z);
    }

    /**
     * {@code to.assign(from)} as a bound call: ND4J's legacy {@code Assign} transform, which {@code assign} runs (ND4J's
     * executioner where it has no direct form).
     */
    static Runnable copy(INDArray from, INDArray to) {
        return BoundOps.legacy(new Assign(from, to), from, to);
    }

    /**
     * {@code to.assign(value)} as a bound call: ND4J's scalar op {@code ScalarSet} on {@code to} in place, which
     * {@code assign} runs (ND4J's executioner where it has no direct form).
     */
    static Runnable fill(INDArray to, double value) {
        return BoundOps.legacy(new ScalarSet(to, value), to, to);
    }

    /**
     * Legacy op {@code op} on the arrays it was made with as a bound native call, or null where it has no direct form:
     * besides the ops of one input ({@link #of}), a transform of two inputs of one shape and type (ND4J's
     * {@code PowPairwise}, which its executioner runs as a pairwise transform) and {@code Variance} (a summary
     * statistic). For op sequences written out ({@link BoundBatchNormalizationRuntime}).
     */
    static Runnable bind(BaseOp op) {
        INDArray x = op.x();
        INDArray y = op.y();
        INDArray z = op.z();
        if (!HostMemory.hasNativeBuffers() || x == null || z == null || x.isEmpty() || z.isEmpty()) {
            return null;
        }
        Call call;
        if (y != null) {
            call = op instanceof TransformOp t && t.getOpType() != Op.Type.TRANSFORM_BOOL
                    && java.util.Arrays.equals(x.shape(), y.shape()) && java.util.Arrays.equals(x.shape(), z.shape())
                    && x.dataType() == y.dataType() && x.dataType() == z.dataType() ? Call.PAIRWISE : null;
        } else if (op instanceof Variance v) {
            call = summaryStats(v, x, z);
        } else {
            call = call(op, x, z);
        }
        return call == null ? null : new DirectLegacy(op, call).callOn(x, z);
    }

    /** The call for a variance of {@code x} into {@code z}, or null where ND4J's executioner would not run it so. */
    private static Call summaryStats(Variance v, INDArray x, INDArray z) {
        if (z.isScalar()) {
            return Call.SUMMARY_STATS_WHOLE;
        }
        INDArray axes = v.dimensions();
        if (axes == null) {
            return null;
        }
        int[] dimension = Shape.normalizeAxis(x.rank(), axes.toIntVector());
        long[] reduced = Shape.reductionShape(x, dimension, true, v.isKeepDims());
        return z.length() == ArrayUtil.prodLong(reduced) ? Call.SUMMARY_STATS : null;
    }

    private static Call call(BaseOp op, INDArray x, INDArray z) {
        if (x.isEmpty() || z.isEmpty()) {
            return null;
        }
        if (op instanceof ScalarOp s) {
            return s.getOpType() == Op.Type.SCALAR && s.dimensions() == null && s.scalar() != null ? Call.SCALAR : null;
        }
        if (op instanceof TransformOp t) {
            if ("ismax".equalsIgnoreCase(op.opName())) {
                return null;    // ND4J hands it axes through its extra pointers
            }
            return switch (t.getOpType()) {
                case TRANSFORM_FLOAT -> Call.TRANSFORM_FLOAT;
                case TRANSFORM_STRICT -> Call.TRANSFORM_STRICT;
                case TRANSFORM_SAME -> Call.TRANSFORM_SAME;
                case TRANSFORM_ANY -> Call.TRANSFORM_ANY;
                default -> null;
            };
        }
        if (op instanceof ReduceOp r && !(op instanceof Variance) && !r.isComplexAccumulation()
                && (r.getOpType() == Op.Type.REDUCE_FLOAT || r.getOpType() == Op.Type.REDUCE_SAME)) {
            if (op instanceof BaseReduceOp b && b.isEmptyReduce()) {
                return null;
            }
            INDArray axes = r.dimensions();
            int[] dimension = Shape.normalizeAxis(x.rank(), axes != null ? axes.toIntVector() : null);
            long[] reduced = Shape.reductionShape(x, dimension, true, r.isKeepDims());
            // ND4J's executioner returns such a vector unchanged, and refuses an output of another length (its tests)
            if (x.isVector() && x.length() == ArrayUtil.prod(reduced) && ArrayUtil.prodLong(reduced) > 1
                    || z.length() != (reduced.length == 0 ? 1 : ArrayUtil.prodLong(reduced))) {
                return null;
            }
            boolean whole = z.isScalar();
            if (!whole && axes == null) {
                return null;
            }
            return r.getOpType() == Op.Type.REDUCE_FLOAT ? (whole ? Call.REDUCE_FLOAT_WHOLE : Call.REDUCE_FLOAT)
                    : (whole ? Call.REDUCE_SAME_WHOLE : Call.REDUCE_SAME);
        }
        return null;
    }

    /** Runs the op on {@code x} into {@code z} (arrays of the shapes it was made for). */
    void run(INDArray x, INDArray z) {
        bound.run(new INDArray[]{x, z}, () -> java.util.List.of(callOn(x, z)));
    }

    /**
     * The native call on {@code x} into {@code z}, with the arguments ND4J's executioner passes for this call (the
     * extra arguments' type is the output's or the input's as it chooses them).
     */
    private Runnable callOn(INDArray x, INDArray z) {
        NativeArray nx = NativeArray.of(x);
        NativeArray nz = NativeArray.of(z);
        OpaqueDataBuffer xb = nx.buffer();
        OpaqueDataBuffer zb = nz.buffer();
        LongPointer xs = nx.shape();
        LongPointer zs = nz.shape();
        boolean inputType = call == Call.TRANSFORM_ANY || call == Call.REDUCE_SAME_WHOLE;
        DataBuffer extra = op.extraArgs() == null ? null
                : op.extraArgsDataBuff(inputType ? x.dataType() : z.dataType());
        Pointer ep = extra == null ? null : extra.addressPointer();
        NativeOps n = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int num = op.opNum();
        Runnable c = switch (call) {
            case TRANSFORM_FLOAT -> () -> n.execTransformFloat(EXTRA_POINTERS.get(), num, xb, xs, null, zb, zs, null, ep);
            case TRANSFORM_STRICT -> () -> n.execTransformStrict(EXTRA_POINTERS.get(), num, xb, xs, null, zb, zs, null,
                    ep);
            case TRANSFORM_SAME -> () -> n.execTransformSame(EXTRA_POINTERS.get(), num, xb, xs, null, zb, zs, null, ep);
            case TRANSFORM_ANY -> () -> n.execTransformAny(EXTRA_POINTERS.get(), num, xb, xs, null, zb, zs, null, ep);
            case SCALAR -> {
                NativeArray ns = NativeArray.of(((ScalarOp) op).scalar());
                yield () -> n.execScalar(null, num, xb, xs, null, zb, zs, null, ns.buffer(), ns.shape(), null, ep);
            }
            case REDUCE_FLOAT_WHOLE -> () -> n.execReduceFloat(null, num, xb, xs, null, ep, zb, zs, null);
            case REDUCE_SAME_WHOLE -> () -> n.execReduceSame(null, num, xb, xs, null, ep, zb, zs, null);
            case PAIRWISE -> {
                NativeArray ny = NativeArray.of(op.y());
                yield () -> n.execPairwiseTransform(EXTRA_POINTERS.get(), num, xb, xs, null, ny.buffer(), ny.shape(),
                        null, zb, zs, null, ep);
            }
            case SUMMARY_STATS_WHOLE -> {
                boolean corrected = ((Variance) op).isBiasCorrected();
                yield () -> n.execSummaryStatsScalar(null, num, xb, xs, null, ep, zb, zs, null, corrected);
            }
            case SUMMARY_STATS -> {
                boolean corrected = ((Variance) op).isBiasCorrected();
                NativeArray na = NativeArray.of(op.dimensions());
                yield () -> n.execSummaryStatsTad(null, num, xb, xs, null, ep, zb, zs, null, na.buffer(), na.shape(),
                        null, corrected, null, null);
            }
            case REDUCE_FLOAT, REDUCE_SAME -> {
                NativeArray na = NativeArray.of(op.dimensions());
                OpaqueDataBuffer db = na.buffer();
                LongPointer ds = na.shape();
                yield call == Call.REDUCE_FLOAT
                        ? () -> n.execReduceFloat2(null, num, xb, xs, null, ep, zb, zs, null, db, ds, null)
                        : () -> n.execReduceSame2(null, num, xb, xs, null, ep, zb, zs, null, db, ds, null);
            }
        };
        // the call holds x and z (their native buffers live as long as they do); the op holds the scalar, the axes
        // and the extra arguments
        return () -> {
            c.run();
            if (n.lastErrorCode() != 0) {
                throw new IllegalStateException("DirectLegacy: libnd4j's " + op.opName() + " (legacy op " + num
                        + ", " + call + ") failed on " + x.shapeInfoToString() + " into " + z.shapeInfoToString()
                        + ": " + n.lastErrorMessage());
            }
        };
    }
}

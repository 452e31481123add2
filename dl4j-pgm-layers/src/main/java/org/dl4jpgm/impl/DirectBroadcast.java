package org.dl4jpgm.impl;

import org.dl4jpgm.impl.HostMemory.NativeArray;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseBroadcastOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * libnd4j's custom ops {@code add}, {@code subtract}, {@code multiply} and {@code divide} whose second input is
 * broadcast against the first (a bias {@code [B, D] + [1, D]}, a weight per row {@code [B, 1, D] * [B, 1, 1]}), run as
 * ND4J's legacy broadcast op along the axes where the second input is not 1 ({@code NativeOps.execBroadcast}, the call
 * ND4J's {@code BroadcastMulOp} and its siblings make), bound once to the arrays' native buffers, shape infos, axes and
 * tensor-along-dimension shapes and offsets, and bound again only when other arrays come ({@link BoundOps}).
 *
 * <p>Why: the custom op goes through libnd4j's declarable-op machinery and ND4J's executioner at every call, as
 * {@link DirectPairwise} explains for equal shapes; with broadcasting it also builds the broadcast shape: at the main
 * job's sizes {@code [128, 32] + [1, 32]} took 8.3 us per call in a training step, about four times the arithmetic
 * (docs/performance.md, "Legacy and broadcast ops as direct calls").
 *
 * <p>Each element is the same one IEEE operation on the same two operands either way; a probe checks the bits against
 * the custom ops when this class loads (a bias, a weight per row, axes that are not adjacent, a second input of lower
 * rank), and an op whose probe differs stays a custom op ({@link #supported}). Covered: float or double arrays of one
 * type in 'c' order without gaps, the first input and the output of one shape, the second of the output's shape with
 * 1 on some axes (or fewer leading axes), not on all. Everything else (the first input broadcast, scalars, views with
 * gaps) stays a custom op. CPU backend only ({@link HostMemory.NativeArray}).
 */
final class DirectBroadcast {

    /** ND4J's legacy broadcast op of each custom op, as its own op classes number them. */
    private static final Map<String, Integer> CANDIDATES = Map.of("add", new BroadcastAddOp().opNum(),
            "subtract", new BroadcastSubOp().opNum(), "multiply", new BroadcastMulOp().opNum(),
            "divide", new BroadcastDivOp().opNum());

    /** The custom ops whose legacy broadcast computed what the custom op computes on the probe. */
    private static final Map<String, Integer> VERIFIED = HostMemory.hasNativeBuffers() ? verify() : Map.of();

    private final int opNum;
    /** The axes of the output along which the second input runs (where its size is not 1), as an int array. */
    private final INDArray axes;
    private final BoundOps bound = new BoundOps();

    private DirectBroadcast(int opNum, int[] axes) {
        this.opNum = opNum;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // not in a workspace open at the binding: its next cycle would overwrite the axes
            this.axes = Nd4j.createFromArray(axes);
        }
    }

    /** The custom ops this class runs directly in this process (the probe agreed). */
    static java.util.Set<String> supported() {
        return VERIFIED.keySet();
    }

    /**
     * The direct form of custom op {@code op} on {@code inputs} into {@code outputs}, or null where it has none (see
     * the class comment).
     */
    static DirectBroadcast of(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs) {
        if (op.numIArguments() != 0 || op.numTArguments() != 0 || inputs.length != 2 || outputs.length != 1) {
            return null;
        }
        return of(op.opName(), inputs[0], inputs[1], outputs[0]);
    }

    /** The direct form of {@code x op y} into {@code z} for an op of {@link #supported}, or null. */
    static DirectBroadcast of(String op, INDArray x, INDArray y, INDArray z) {
        Integer num = VERIFIED.get(op);
        int[] axes = num == null ? null : axes(x, y, z);
        return axes == null ? null : new DirectBroadcast(num, axes);
    }

    /**
     * The axes of {@code x} along which {@code y} runs, or null where this is not a broadcast of {@code y} against
     * {@code x} of the covered kind.
     */
    private static int[] axes(INDArray x, INDArray y, INDArray z) {
        DataType type = x.dataType();
        if ((type != DataType.FLOAT && type != DataType.DOUBLE) || y.dataType() != type || z.dataType() != type
                || x.isEmpty() || y.isEmpty() || !Arrays.equals(x.shape(), z.shape()) || y.rank() > x.rank()
                || !(packed(x) && packed(y) && packed(z))) {
            return null;
        }
        long[] xs = x.shape();
        long[] ys = y.shape();
        int lead = xs.length - ys.length;
        int[] axes = new int[xs.length];
        int n = 0;
        for (int i = 0; i < xs.length; i++) {
            long s = i < lead ? 1 : ys[i - lead];
            if (s == 1) {
                continue;
            }
            if (s != xs[i]) {
                return null;
            }
            axes[n++] = i;
        }
        boolean broadcast = y.length() < x.length();
        return n == 0 || !broadcast ? null : Arrays.copyOf(axes, n);
    }

    /**
     * 'c' order without gaps: the layout whose linear order the legacy broadcast pairs with the axes' order. The
     * stride of an axis of size 1 is not read (arrays made another way, a reshape of a vector, give it other values).
     */
    static boolean packed(INDArray a) {
        if (a.ordering() != 'c') {
            return false;
        }
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * ND4J's own legacy broadcast op {@code op} ({@code BroadcastAddOp}, ...) on its arrays along its dimensions as a
     * bound call: the native call ND4J's executioner makes for it, so the same bits (for op sequences written out,
     * {@link BoundBatchNormalizationRuntime}).
     */
    static Runnable bindLegacy(BaseBroadcastOp op) {
        return new DirectBroadcast(op.opNum(), op.getDimension()).bind(op.x(), op.y(), op.z());
    }

    /** Runs {@code x op y} into {@code z} (arrays of the shapes it was made for). */
    void run(INDArray x, INDArray y, INDArray z) {
        bound.run(new INDArray[]{x, y, z}, () -> List.of(bind(x, y, z)));
    }

    /**
     * The legacy broadcast on these arrays as a bound call (also for the op sequences bound as a whole), made as ND4J's
     * executioner makes it: the tensors along the axes of x and z (their shape and offsets) handed over as its extra
     * pointers, the axes as an int buffer.
     */
    Runnable bind(INDArray x, INDArray y, INDArray z) {
        int[] dims = axes.toIntVector();
        Pair<DataBuffer, DataBuffer> tadX = Nd4j.getExecutioner().getTADManager().getTADOnlyShapeInfo(x, dims);
        Pair<DataBuffer, DataBuffer> tadZ = Nd4j.getExecutioner().getTADManager().getTADOnlyShapeInfo(z, dims);
        PointerPointer<?> extra = new PointerPointer<>(32).put(tadX.getFirst().addressPointer(),
                tadX.getSecond().addressPointer(), tadZ.getFirst().addressPointer(), tadZ.getSecond().addressPointer());
        NativeArray nx = NativeArray.of(x);
        NativeArray ny = NativeArray.of(y);
        NativeArray nz = NativeArray.of(z);
        NativeArray nd = NativeArray.of(axes);
        NativeOps n = NativeOpsHolder.getInstance().getDeviceNativeOps();
        return new Runnable() {
            /** The tensors' shape and offset buffers, which the extra pointers point into, and the axes' array. */
            private final Object[] kept = {tadX, tadZ, axes};

            @Override
            public void run() {
                n.execBroadcast(extra, opNum, nx.buffer(), nx.shape(), null, ny.buffer(), ny.shape(), null,
                        nz.buffer(), nz.shape(), null, nd.buffer(), nd.shape(), null);
                if (n.lastErrorCode() != 0) {
                    throw new IllegalStateException("DirectBroadcast: libnd4j's broadcast op " + opNum + " along axes "
                            + Arrays.toString(dims) + " failed on " + x.shapeInfoToString() + " and "
                            + y.shapeInfoToString() + " into " + z.shapeInfoToString() + ": " + n.lastErrorMessage());
                }
            }
        };
    }

    /**
     * Runs every candidate against its custom op on probes of both types; keeps those equal to the last bit on all.
     * The probe's values are written out here, not drawn: this runs inside the first training step that meets a
     * broadcast op, and a draw would change that step's dropout masks.
     */
    static Map<String, Integer> verify() {
        long[][][] shapes = {
                {{6, 5}, {1, 5}},          // a bias
                {{4, 1, 5}, {4, 1, 1}},    // a weight per row
                {{3, 4, 5}, {3, 1, 5}},    // axes that are not adjacent
                {{2, 3, 5}, {5}},          // a second input of lower rank
        };
        Map<String, Integer> ok = new HashMap<>();
        try {
            for (Map.Entry<String, Integer> e : CANDIDATES.entrySet()) {
                boolean equal = true;
                for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                    for (long[][] s : shapes) {
                        INDArray x = HostMemory.probe(type, s[0], 0.61);
                        INDArray y = HostMemory.probe(type, s[1], -0.37);
                        INDArray expected = Nd4j.create(type, s[0]);
                        Nd4j.exec(DynamicCustomOp.builder(e.getKey()).addInputs(x, y).addOutputs(expected).build());
                        INDArray actual = Nd4j.create(type, s[0]);
                        int[] axes = axes(x, y, actual);
                        if (axes == null) {
                            equal = false;
                            continue;
                        }
                        new DirectBroadcast(e.getValue(), axes).run(x, y, actual);
                        equal &= HostMemory.sameBits(expected, actual);
                    }
                }
                if (equal) {
                    ok.put(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            return Map.of();    // another backend or libnd4j: the custom ops run as they are
        }
        return Map.copyOf(ok);
    }
}

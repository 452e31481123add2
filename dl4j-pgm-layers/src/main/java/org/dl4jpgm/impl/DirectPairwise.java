package org.dl4jpgm.impl;

import org.dl4jpgm.impl.HostMemory.NativeArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * libnd4j's custom ops {@code add}, {@code subtract}, {@code multiply} and {@code divide} on two inputs of one shape
 * and type, run as the legacy pairwise transform they call for equal shapes ({@code NativeOps.execPairwiseTransform}),
 * with the arrays' native buffers and shape infos looked up once and looked up again only when other arrays come;
 * {@code multiply_bp} of equal shapes as the two products it computes.
 *
 * <p>Why: a custom op goes through libnd4j's declarable-op machinery at every call (its registry, a data type
 * check, the output shape compared with the context's, array wrappers allocated and freed) and through ND4J's
 * executioner in Java: 3.1 us for {@code [128, 64] + [128, 64]} against 1.4 us for the pairwise transform it runs
 * (docs/performance.md, "Elementwise ops as direct calls"). The kernel is the same, so the result is the same bit for
 * bit ({@code impl/DirectPairwiseTest}).
 *
 * <p>The legacy op numbers are not part of ND4J's Java API; the ones of ND4J 1.0.0-M2.1's libnd4j are checked
 * against the custom ops on a probe when this class loads, and an op whose numbers give another result is left to
 * the custom op ({@link #supported}). CPU backend only (its buffers are host memory, {@link HostMemory.NativeArray}):
 * elsewhere nothing is supported.
 */
final class DirectPairwise {

    /** The gradient op of {@code multiply}, run as two of its products where the shapes are equal. */
    static final String MULTIPLY_BP = "multiply_bp";

    /** Candidate legacy pairwise op numbers of libnd4j 1.0.0-M2.1 (its {@code PAIRWISE_TRANSFORM_OPS}). */
    private static final Map<String, Integer> CANDIDATES = Map.of("add", 0, "divide", 2, "multiply", 3,
            "subtract", 6);

    /** The custom ops whose candidate number computed what the custom op computes on the probe. */
    private static final Map<String, Integer> VERIFIED = HostMemory.hasNativeBuffers() ? verify() : Map.of();

    /**
     * Per step: the legacy op number, the indices of its two inputs and of its output among a run's arrays (the op's
     * inputs, then its outputs).
     */
    private final int[][] steps;
    /** The steps as calls bound to the native buffers and shape infos of the last run's arrays. */
    private final BoundOps bound = new BoundOps();

    private DirectPairwise(int[][] steps) {
        this.steps = steps;
    }

    /** The custom ops this class runs directly in this process (the probe agreed). */
    static java.util.Set<String> supported() {
        return VERIFIED.keySet();
    }

    /**
     * The direct form of custom op {@code op} on {@code inputs} into {@code outputs}, or null where it has none: the
     * op is not one of {@link #supported} (or {@value #MULTIPLY_BP}, whose products are {@code multiply}'s), has
     * integer or floating-point arguments, or its arrays are not all of one shape and of one type, float or double
     * (other cases take other paths in libnd4j: broadcasting, casts, scalars).
     */
    static DirectPairwise of(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs) {
        if (op.numIArguments() != 0 || op.numTArguments() != 0 || !sameShapeAndType(inputs, outputs)) {
            return null;
        }
        if (MULTIPLY_BP.equals(op.opName())) {
            // libnd4j's multiply_bp of equal shapes: dL/dx = eps * y, dL/dy = eps * x (x, y, eps; dL/dx, dL/dy)
            Integer mul = VERIFIED.get("multiply");
            return mul == null || inputs.length != 3 || outputs.length != 2 || inputs[0].length() < 2 ? null
                    : new DirectPairwise(new int[][]{{mul, 2, 1, 3}, {mul, 2, 0, 4}});
        }
        Integer num = VERIFIED.get(op.opName());
        return num == null || inputs.length != 2 || outputs.length != 1 ? null
                : new DirectPairwise(new int[][]{{num, 0, 1, 2}});
    }

    private static boolean sameShapeAndType(INDArray[] inputs, INDArray[] outputs) {
        if (inputs.length == 0) {
            return false;
        }
        INDArray first = inputs[0];
        DataType type = first.dataType();
        if ((type != DataType.FLOAT && type != DataType.DOUBLE) || first.isEmpty()) {
            return false;
        }
        for (INDArray[] arrays : new INDArray[][]{inputs, outputs}) {
            for (INDArray a : arrays) {
                if (a.dataType() != type || !Arrays.equals(a.shape(), first.shape())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Runs the transforms on the op's {@code inputs} into its {@code outputs} (arrays of the shapes it was made for). */
    void run(INDArray[] inputs, INDArray[] outputs) {
        INDArray[] arrays = Arrays.copyOf(inputs, inputs.length + outputs.length);
        System.arraycopy(outputs, 0, arrays, inputs.length, outputs.length);
        bound.run(arrays, () -> Arrays.stream(steps).map(s -> transform(s[0], arrays[s[1]], arrays[s[2]], arrays[s[3]]))
                .toList());
    }

    /**
     * Custom op {@code op} ({@code add}, {@code subtract}, {@code multiply}, {@code divide}) of {@code a} and
     * {@code b}, arrays of one length, type and layout, into {@code z} as a bound call: the legacy pairwise transform
     * where the probe agreed and the arrays are float or double of one shape, else the custom op on an op context
     * bound to them (for op sequences written out, {@link BoundBatchNormalizationRuntime}).
     */
    static Runnable bind(String op, INDArray a, INDArray b, INDArray z) {
        Integer num = VERIFIED.get(op);
        if (num != null && sameShapeAndType(new INDArray[]{a, b}, new INDArray[]{z})) {
            return transform(num, a, b, z);
        }
        return BoundOps.pairwise(DynamicCustomOp.builder(op).build(), a, b, z);
    }

    /** Pairwise transform {@code opNum} of {@code a} and {@code b} into {@code z}, bound to their native memory. */
    private static Runnable transform(int opNum, INDArray a, INDArray b, INDArray z) {
        NativeArray na = NativeArray.of(a);
        NativeArray nb = NativeArray.of(b);
        NativeArray nz = NativeArray.of(z);
        return () -> {
            NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
            ops.execPairwiseTransform(null, opNum, na.buffer(), na.shape(), null, nb.buffer(), nb.shape(), null,
                    nz.buffer(), nz.shape(), null, null);
            if (ops.lastErrorCode() != 0) {
                throw new IllegalStateException("DirectPairwise: libnd4j's pairwise op " + opNum + " failed: "
                        + ops.lastErrorMessage());
            }
        };
    }

    /**
     * Runs every candidate against its custom op on a probe of both types; keeps those equal to the last bit. The
     * probe's values are written out here, not drawn or made by {@code Nd4j.linspace}: libnd4j runs linspace as a
     * random op, which advances ND4J's random generator, and this runs inside the first training step that meets an
     * elementwise op (that step's dropout masks would change).
     */
    static Map<String, Integer> verify() {
        Map<String, Integer> ok = new HashMap<>();
        try {
            double[] xs = new double[35];
            double[] ys = new double[35];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = -3.7 + 0.61 * i / 3.0;
                ys[i] = 2.3 - 0.13 * i * i / 7.0;
            }
            for (Map.Entry<String, Integer> e : CANDIDATES.entrySet()) {
                boolean equal = true;
                for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                    INDArray x = Nd4j.createFromArray(xs).reshape(5, 7).castTo(type);
                    INDArray y = Nd4j.createFromArray(ys).reshape(5, 7).castTo(type);
                    INDArray expected = Nd4j.create(type, 5, 7);
                    Nd4j.exec(DynamicCustomOp.builder(e.getKey()).addInputs(x, y).addOutputs(expected).build());
                    INDArray actual = Nd4j.create(type, 5, 7);
                    new DirectPairwise(new int[][]{{e.getValue(), 0, 1, 2}}).run(new INDArray[]{x, y},
                            new INDArray[]{actual});
                    equal &= HostMemory.sameBits(expected, actual);
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

package org.dl4jpgm.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Custom ops that only move elements ({@code permute}, {@code strided_slice} and its gradient, the gradient of
 * {@code concat}, {@code stack}, {@code unstack}) run as copies between views: ND4J's legacy {@code Assign} from a view of
 * an input into an output, or from an input into a view of an output ({@link DirectLegacy#copy}), and a zero fill
 * where an output is not all covered ({@code strided_slice_bp}), bound once to the arrays ({@link BoundOps}).
 *
 * <p>Why: each of these goes through libnd4j's declarable-op machinery at every call, which at the main job's sizes
 * costs more than the copy ({@code permute} 9.9 against 4.4 us per call in a main-config training step), and at the
 * paper's the copies between views are the faster loops ({@code permute} 184 against 114 us, {@code concat_bp} 142
 * against 66; docs/performance.md, "Copies between views").
 *
 * <p>A copy moves the same bits; what can go wrong is the index map, so each instance is checked against the custom
 * op when it is made: both run on arrays of the same shapes whose elements are their own indices, and the outputs
 * must agree to the bit (a view that is not a view of its array is refused too). Covered: float or double arrays,
 * the axes and bounds as integer arguments; {@code strided_slice} with positive strides and no new or ellipsis axes.
 * Anything else, or a check that fails, leaves the op to libnd4j. CPU backend only ({@link DirectLegacy}).
 */
final class ViewCopy {

    /**
     * The ops covered. Not {@code concat}: its custom op (a direct call, {@link DirectCustomOp}) copies all of its
     * inputs in one call, 4.8 us at the main job's sizes, where a copy per input took 10.6 us.
     */
    static final Set<String> OPS = Set.of("permute", "strided_slice", "strided_slice_bp", "concat_bp", "stack",
            "unstack");

    private final String op;
    private final long[] args;
    private final BoundOps bound = new BoundOps();

    private ViewCopy(String op, long[] args) {
        this.op = op;
        this.args = args;
    }

    /**
     * The copies that compute {@code op} on {@code inputs} into {@code outputs} (the plan's first-run arrays), or null
     * where the op is not covered, reads an input that is another array at every run ({@code changing}: a placeholder,
     * whose views would be made again at every run, which costs more than the op; {@link StridedCopy} takes some of
     * those), or the check against the custom op fails.
     */
    static ViewCopy of(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs, boolean[] changing) {
        for (int i = 0; i < inputs.length; i++) {
            if (changing[i] && reads(op.opName(), i)) {
                return null;
            }
        }
        if (!OPS.contains(op.opName()) || !HostMemory.hasNativeBuffers() || op.numBArguments() != 0
                || op.numTArguments() != 0 || op.numDArguments() != 0 || !floats(inputs) || !floats(outputs)) {
            return null;
        }
        ViewCopy v = new ViewCopy(op.opName(), op.iArgs());
        try {
            return v.steps(inputs, outputs) != null && v.agreesWithLibnd4j(inputs, outputs) ? v : null;
        } catch (RuntimeException e) {
            return null;    // arguments this class reads otherwise than libnd4j: the op runs as it is
        }
    }

    /** Whether the op reads input i's values ({@code strided_slice_bp} only takes its first input's shape). */
    private static boolean reads(String op, int i) {
        return !(op.equals("strided_slice_bp") && i == 0);
    }

    private static boolean floats(INDArray[] arrays) {
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE || a.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the copies on these arrays (of the shapes the instance was made for); where their layout allows no views
     * (an input of another order than at the first run), the custom op itself.
     */
    void run(INDArray[] inputs, INDArray[] outputs) {
        List<INDArray> read = new ArrayList<>(inputs.length + outputs.length);
        for (int i = 0; i < inputs.length; i++) {
            if (reads(op, i)) {
                read.add(inputs[i]);
            }
        }
        read.addAll(Arrays.asList(outputs));
        bound.run(read.toArray(new INDArray[0]), () -> {
            List<Runnable> steps;
            try {
                steps = steps(inputs, outputs);
            } catch (RuntimeException e) {
                steps = null;
            }
            return steps != null ? steps : List.of(() -> Nd4j.exec(customOp(inputs, outputs)));
        });
    }

    private DynamicCustomOp customOp(INDArray[] inputs, INDArray[] outputs) {
        return customOp(op, args, inputs, outputs);
    }

    /** The custom op {@code op} with these integer arguments on these arrays (what the copies stand for). */
    static DynamicCustomOp customOp(String op, long[] args, INDArray[] inputs, INDArray[] outputs) {
        return DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(outputs)
                .addIntegerArguments(Arrays.stream(args).mapToInt(a -> (int) a).toArray()).build();
    }

    /** The copies (and fills) for these arrays, or null where the op or its arguments are not covered. */
    private List<Runnable> steps(INDArray[] in, INDArray[] out) {
        List<Runnable> steps = new ArrayList<>();
        switch (op) {
            case "permute", "strided_slice" -> {
                INDArray v = in.length == 1 && out.length == 1 ? inputView(in[0]) : null;
                return v == null ? null : copy(v, out[0], steps);
            }
            case "strided_slice_bp" -> {
                INDArrayIndex[] idx = in.length == 2 && out.length == 1 ? sliceIndices(out[0].shape()) : null;
                if (idx == null) {
                    return null;
                }
                steps.add(DirectLegacy.fill(out[0], 0));
                return copy(in[1], view(out[0], out[0].get(idx)), steps);
            }
            case "concat_bp" -> {
                // inputs x_1 .. x_n and the error of their concatenation; outputs the error's parts of x_i's sizes
                INDArray error = in[in.length - 1];
                if (args.length != 1 || out.length != in.length - 1) {
                    return null;
                }
                int axis = axis(args[0], error.rank());
                long offset = 0;
                for (int i = 0; i < out.length; i++) {
                    INDArrayIndex[] idx = all(error.rank());
                    idx[axis] = NDArrayIndex.interval(offset, offset + in[i].size(axis));
                    offset += in[i].size(axis);
                    if (copy(view(error, error.get(idx)), out[i], steps) == null) {
                        return null;
                    }
                }
                return offset == error.size(axis) ? steps : null;
            }
            case "stack", "unstack" -> {
                boolean stack = op.equals("stack");
                INDArray whole = stack ? out[0] : in[0];
                INDArray[] parts = stack ? in : out;
                if (args.length < 1 || (stack ? out.length != 1 : in.length != 1)) {
                    return null;
                }
                int axis = axis(args[0], whole.rank());
                if (whole.size(axis) != parts.length) {
                    return null;
                }
                for (int i = 0; i < parts.length; i++) {
                    INDArrayIndex[] idx = all(whole.rank());
                    idx[axis] = NDArrayIndex.point(i);
                    INDArray v = view(whole, whole.get(idx));
                    if ((stack ? copy(parts[i], v, steps) : copy(v, parts[i], steps)) == null) {
                        return null;
                    }
                }
                return steps;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The view of {@code input} whose elements, in 'c' order, are the output of {@code op} ({@code permute} or
     * {@code strided_slice}, as this class covers them), or null where the op or its arguments are not covered;
     * {@link StridedCopy} copies it from inputs that change at every run.
     */
    static INDArray inputView(DynamicCustomOp op, INDArray input) {
        try {
            return new ViewCopy(op.opName(), op.iArgs()).inputView(input);
        } catch (RuntimeException e) {
            return null;    // arguments this class reads otherwise than libnd4j
        }
    }

    private INDArray inputView(INDArray in) {
        switch (op) {
            case "permute" -> {
                return args.length != in.rank() ? null
                        : view(in, in.permute(Arrays.stream(args).mapToInt(a -> (int) a).toArray()));
            }
            case "strided_slice" -> {
                INDArrayIndex[] idx = sliceIndices(in.shape());
                return idx == null ? null : view(in, in.get(idx));
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The indices of {@code strided_slice}'s arguments on an array of this shape: five masks (begin, ellipsis, end,
     * new axis, shrink axis), then begin, end and strides per axis; null where a new or ellipsis axis or a stride that
     * is not positive is asked for.
     */
    private INDArrayIndex[] sliceIndices(long[] shape) {
        int rank = shape.length;
        if (args.length != 5 + 3 * rank || args[1] != 0 || args[3] != 0) {
            return null;
        }
        long beginMask = args[0];
        long endMask = args[2];
        long shrinkMask = args[4];
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int i = 0; i < rank; i++) {
            long size = shape[i];
            long stride = args[5 + 2 * rank + i];
            if (stride <= 0) {
                return null;
            }
            long begin = (beginMask >> i & 1) != 0 ? 0 : resolve(args[5 + i], size);
            long end = (endMask >> i & 1) != 0 ? size : resolve(args[5 + rank + i], size);
            if ((shrinkMask >> i & 1) != 0) {
                idx[i] = NDArrayIndex.point(begin);
            } else if (begin >= end) {
                return null;    // an empty slice: libnd4j's own handling
            } else {
                idx[i] = stride == 1 ? NDArrayIndex.interval(begin, end) : NDArrayIndex.interval(begin, stride, end);
            }
        }
        return idx;
    }

    private static long resolve(long index, long size) {
        return Math.max(0, Math.min(size, index < 0 ? index + size : index));
    }

    private static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    private static INDArrayIndex[] all(int rank) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        Arrays.fill(idx, NDArrayIndex.all());
        return idx;
    }

    /** {@code view} where it is a view of {@code source}'s memory (else a copy would be read or written: refused). */
    private static INDArray view(INDArray source, INDArray view) {
        if (view.data().address() != source.data().address()) {
            throw new IllegalStateException("not a view");
        }
        return view;
    }

    /** Adds {@code to.assign(from)} for arrays of one shape (a rank-1 difference reshaped away); null if they differ. */
    private static List<Runnable> copy(INDArray from, INDArray to, List<Runnable> steps) {
        if (!Arrays.equals(from.shape(), to.shape())) {
            if (from.length() != to.length()) {
                return null;
            }
            from = view(from, from.reshape(to.shape()));    // a dropped or kept axis of size 1
        }
        steps.add(DirectLegacy.copy(from, to));
        return steps;
    }

    /**
     * Runs the custom op and the copies on arrays of the given shapes, orders and types whose elements are their
     * positions among all the inputs' elements (1, 2, ..., exact in float below 2^24; none repeats), the copies' outputs
     * first filled with -1: whether every output agrees to the bit.
     */
    private boolean agreesWithLibnd4j(INDArray[] inputs, INDArray[] outputs) {
        INDArray[] in = new INDArray[inputs.length];
        long base = 0;
        for (int i = 0; i < in.length; i++) {
            long n = inputs[i].length();
            in[i] = Nd4j.create(inputs[i].dataType(), inputs[i].shape(), inputs[i].ordering())
                    .assign(Nd4j.arange(base + 1, base + n + 1).castTo(inputs[i].dataType()).reshape('c',
                            inputs[i].shape()));
            base += n;
        }
        if (base >= 1L << 24) {
            return false;   // positions no longer exact in float
        }
        INDArray[] expected = new INDArray[outputs.length];
        INDArray[] actual = new INDArray[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            expected[i] = Nd4j.create(outputs[i].dataType(), outputs[i].shape());
            actual[i] = Nd4j.create(outputs[i].dataType(), outputs[i].shape()).assign(-1);
        }
        Nd4j.exec(customOp(in, expected));
        List<Runnable> steps = steps(in, actual);
        if (steps == null) {
            return false;
        }
        steps.forEach(Runnable::run);
        for (int i = 0; i < outputs.length; i++) {
            if (!HostMemory.sameBits(expected[i], actual[i])) {
                return false;
            }
        }
        return true;
    }
}

package org.dl4jpgm.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@code permute} and {@code strided_slice} of an input that is another array at every run (a placeholder: DL4J hands
 * a layer a new input array at each call) as bulk copies, in Java, of the view's contiguous runs from the input's
 * native memory into the output; the index map is {@link ViewCopy#inputView}'s.
 *
 * <p>Shapes: the input {@code x} of any rank, contiguous in 'c' order, of the shape it had at the first run; the
 * output the view's elements in 'c' order, contiguous (a {@code strided_slice} with shrunk axes has fewer axes).
 * Where the view's last axis, once the axes of size 1 are dropped and contiguous axes merged, has stride 1 (a slice
 * with stride 1 along the last axis that is not of size 1, a permutation that keeps that axis last), the view is R
 * runs of L consecutive elements ({@code [128, 147, 1]} sliced to {@code [128, 64, 1]}: 128 runs of 64), each one
 * {@code put} between two {@code java.nio} buffers (a memory copy); where that axis is strided, a view of at most
 * {@value #MAX_SINGLES} elements is copied one element at a time (a slice of one element per row), a larger one is
 * not covered. An input of another shape or layout than at the first run, or an output not contiguous in 'c' order,
 * runs the custom op.
 *
 * <p>Why: {@link ViewCopy} binds its copies to views of the first run's arrays; for an input that changes at every
 * run it would make its views again each time, which costs more than the op, so these ops ran through libnd4j's
 * declarable-op machinery: 11-12 us per call for the 8 slices of PgM's input in a main-config {@code output}, each a
 * copy of at most a few thousand floats; here 1.8-3.4 us (docs/performance.md, "Slices of the layer's input as bulk
 * copies, and {@code output}'s activations lent").
 *
 * <p>A copy moves the same bits; what can go wrong is the index map, so each instance is checked against the custom
 * op when it is made, as {@link ViewCopy} checks its own: both run on an input whose elements are their own positions
 * and the outputs must agree to the bit. Float and double arrays; CPU backend only ({@link HostMemory}).
 */
final class StridedCopy {

    /** The ops covered: those of {@link ViewCopy#inputView}. */
    private static final String PERMUTE = "permute";
    private static final String STRIDED_SLICE = "strided_slice";

    /**
     * The most elements copied one at a time, where the view's innermost axis of size > 1 is strided: a slice of one
     * element per row of {@code [128, 147, 1]} costs libnd4j 5-9 us a call, mostly the op's fixed cost; its loop is
     * the faster one on large views ({@code permute [128,16,24]}, whose last axis moves: 31-38 us a call, about
     * twice that in a loop of absolute {@code get} and {@code put}).
     */
    static final int MAX_SINGLES = 2048;

    private final String op;
    private final long[] args;
    private final long[] inputShape;
    private final long[] outputShape;
    /** The first element of each run, counted from the input's first element. */
    private final int[] starts;
    /** Elements per run. */
    private final int runLength;
    private final boolean doubles;

    private StridedCopy(DynamicCustomOp op, INDArray input, INDArray output, int[] starts, int runLength) {
        this.op = op.opName();
        this.args = op.iArgs();
        this.inputShape = input.shape();
        this.outputShape = output.shape();
        this.starts = starts;
        this.runLength = runLength;
        this.doubles = input.dataType() == DataType.DOUBLE;
    }

    /**
     * The copies that compute {@code op} on {@code inputs} into {@code outputs} (the plan's first-run arrays), or null
     * where the op is not one of {@code permute} and {@code strided_slice} on an input that is another array at every
     * run ({@code changing}; else {@link ViewCopy} takes it), its view is not covered (see the class comment), or the
     * check against the custom op fails.
     */
    static StridedCopy of(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs, boolean[] changing) {
        String name = op.opName();
        if (!(PERMUTE.equals(name) || STRIDED_SLICE.equals(name)) || inputs.length != 1 || outputs.length != 1
                || changing.length != 1 || !changing[0] || !HostMemory.hasNativeBuffers()
                || op.numBArguments() != 0 || op.numTArguments() != 0 || op.numDArguments() != 0) {
            return null;
        }
        INDArray x = inputs[0];
        INDArray z = outputs[0];
        DataType type = x.dataType();
        if ((type != DataType.FLOAT && type != DataType.DOUBLE) || z.dataType() != type || x.isEmpty()
                || !HostMemory.addressable(x) || !HostMemory.addressable(z) || !DirectBroadcast.packed(x)
                || !DirectBroadcast.packed(z)) {
            return null;
        }
        INDArray view = ViewCopy.inputView(op, x);
        int[][] runs = view == null || view.length() != z.length() ? null : runs(view, x);
        if (runs == null) {
            return null;
        }
        StridedCopy c = new StridedCopy(op, x, z, runs[0], runs[1][0]);
        return c.agreesWithLibnd4j() ? c : null;
    }

    /**
     * The view as runs of consecutive elements, {@code {starts, {length}}} with the starts counted from the first
     * element of {@code x}; runs of one element where its last axis (axes of size 1 dropped, contiguous axes merged)
     * is strided, or null there if it has more than {@link #MAX_SINGLES} elements.
     */
    private static int[][] runs(INDArray view, INDArray x) {
        long[] shape = view.shape();
        long[] stride = view.stride();
        // the axes of size > 1, innermost last, with the contiguous ones merged into the run
        long length = 1;
        int inner = shape.length - 1;
        while (inner >= 0 && (shape[inner] == 1 || stride[inner] == length)) {
            length *= shape[inner];
            inner--;
        }
        if (length == 1 && view.length() > MAX_SINGLES || length > Integer.MAX_VALUE) {
            return null;    // a strided innermost axis of many elements: libnd4j's loop is the faster
        }
        long count = view.length() / length;
        if (count > Integer.MAX_VALUE) {
            return null;
        }
        int[] starts = new int[(int) count];
        long[] index = new long[inner + 1];
        long first = view.offset() - x.offset();
        for (int r = 0; r < starts.length; r++) {
            long at = first;
            for (int d = 0; d <= inner; d++) {
                at += index[d] * stride[d];
            }
            starts[r] = Math.toIntExact(at);
            for (int d = inner; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return new int[][]{starts, {(int) length}};
    }

    /** Runs the copies on these arrays, or the custom op where they are laid out otherwise than at the first run. */
    void run(INDArray[] inputs, INDArray[] outputs) {
        INDArray x = inputs[0];
        INDArray z = outputs[0];
        if (!Arrays.equals(x.shape(), inputShape) || !DirectBroadcast.packed(x)
                || !Arrays.equals(z.shape(), outputShape) || !DirectBroadcast.packed(z) || x.dataType() != z.dataType()
                || (x.dataType() == DataType.DOUBLE) != doubles) {
            Nd4j.exec(customOp(inputs, outputs));
            return;
        }
        copy(x, z);
    }

    /** The runs, as bytes between the buffers' {@code java.nio} views (whole buffers: the arrays' offsets count). */
    private void copy(INDArray x, INDArray z) {
        int width = doubles ? Double.BYTES : Float.BYTES;
        ByteBuffer in = HostMemory.bytes(x);
        ByteBuffer out = HostMemory.bytes(z);
        int from = Math.toIntExact(x.offset() * width);
        int to = Math.toIntExact(z.offset() * width);
        if (runLength == 1) {
            for (int start : starts) {
                int at = from + start * width;
                if (doubles) {
                    out.putLong(to, in.getLong(at));
                } else {
                    out.putInt(to, in.getInt(at));
                }
                to += width;
            }
            return;
        }
        int bytes = runLength * width;
        for (int start : starts) {
            out.put(to, in, from + start * width, bytes);
            to += bytes;
        }
    }

    private DynamicCustomOp customOp(INDArray[] inputs, INDArray[] outputs) {
        return ViewCopy.customOp(op, args, inputs, outputs);
    }

    /**
     * The custom op and the copies on a contiguous input of the first run's shape whose elements are their positions
     * (1, 2, ..., exact in float below 2^24), the copies' output first filled with -1: whether they agree to the bit.
     */
    private boolean agreesWithLibnd4j() {
        DataType type = doubles ? DataType.DOUBLE : DataType.FLOAT;
        long n = 1;
        for (long s : inputShape) {
            n *= s;
        }
        if (n >= 1L << 24) {
            return false;
        }
        INDArray x = Nd4j.arange(1, n + 1).castTo(type).reshape('c', inputShape);
        INDArray expected = Nd4j.create(type, outputShape);
        INDArray actual = Nd4j.create(type, outputShape).assign(-1);
        Nd4j.exec(customOp(new INDArray[]{x}, new INDArray[]{expected}));
        copy(x, actual);
        return HostMemory.sameBits(expected, actual);
    }
}

package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The gradient op of an elementwise {@code multiply} whose two inputs have different shapes (one broadcast against the
 * other), computed by a plain broadcast product and a sum over the broadcast axes instead of by libnd4j's
 * {@code multiply_bp}.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 {@code multiply_bp} first tiles both inputs to the output's shape, which makes it several
 * times slower than the same op on equal shapes: at the main job's sizes the 72 {@code multiply_bp} of a training
 * step took 9-11 ms, as product and sum 3.5 ms (docs/performance.md, "Where the op compute goes"). The values are the
 * same sums of the same products, bit for bit ({@code impl/BroadcastGradientTest}). The same rewrite of
 * {@code add_bp} and {@code subtract_bp} was measured slower than libnd4j's own ops and is not made.
 *
 * <p>With {@code eps} the gradient of the product (the output's shape), input {@code a}'s gradient is
 * {@code eps * b}, summed over the axes where {@code a} was broadcast (its size 1 or missing where the output's is
 * not).
 */
final class BroadcastGradient {

    /** The gradient op this class replaces where its inputs' shapes differ. */
    static final String OP = "multiply_bp";

    private final Side x;
    private final Side y;
    /** The products {@code eps * other} before their sums, allocated at the first run. */
    private INDArray productX;
    private INDArray productY;
    /** The arrays (x, y, eps, gx, gy) the prepared steps are bound to; null before the first run. */
    private INDArray[] boundTo;
    /** The ops of both gradients, bound to {@link #boundTo}. */
    private List<Runnable> steps;

    /** One input's gradient: the axes to sum over and the shape, with those axes kept, that the sum has. */
    private record Side(int[] axes, long[] keptShape) {
        boolean full() {
            return axes.length == 0;
        }
    }

    private BroadcastGradient(Side x, Side y) {
        this.x = x;
        this.y = y;
    }

    /**
     * The replacement of gradient op {@code op} on inputs {@code x, y} and incoming gradient {@code eps}, or null where
     * libnd4j's own op is as fast (the inputs have the same shape) or the op is not {@value #OP}.
     */
    static BroadcastGradient of(String op, INDArray x, INDArray y, INDArray eps) {
        if (!OP.equals(op) || Arrays.equals(x.shape(), y.shape()) || eps.ordering() != 'c') {
            return null;
        }
        Side sx = side(x.shape(), eps.shape());
        Side sy = side(y.shape(), eps.shape());
        return sx == null || sy == null ? null : new BroadcastGradient(sx, sy);
    }

    /** The axes of {@code out} an input of shape {@code in} was broadcast along; null if it was not broadcast to it. */
    private static Side side(long[] in, long[] out) {
        if (in.length > out.length) {
            return null;
        }
        int lead = out.length - in.length;
        int[] axes = new int[out.length];
        int n = 0;
        long[] kept = out.clone();
        for (int i = 0; i < out.length; i++) {
            long s = i < lead ? 1 : in[i - lead];
            if (s == out[i]) {
                continue;
            }
            if (s != 1) {
                return null;
            }
            axes[n++] = i;
            kept[i] = 1;
        }
        return new Side(Arrays.copyOf(axes, n), kept);
    }

    /**
     * Writes the gradients of both inputs.
     *
     * @param x   the product's first input
     * @param y   its second input
     * @param eps the gradient of its output
     * @param gx  out: x's gradient, x's shape
     * @param gy  out: y's gradient, y's shape
     */
    void run(INDArray x, INDArray y, INDArray eps, INDArray gx, INDArray gy) {
        INDArray[] arrays = {x, y, eps, gx, gy};
        if (!OpPlan.sameArrays(boundTo, arrays)) {
            if (!this.x.full() && productX == null) {
                productX = Nd4j.createUninitialized(eps.dataType(), eps.shape());
            }
            if (!this.y.full() && productY == null) {
                productY = Nd4j.createUninitialized(eps.dataType(), eps.shape());
            }
            steps = new ArrayList<>();
            prepare(this.x, eps, y, productX, gx, steps);
            prepare(this.y, eps, x, productY, gy, steps);
            boundTo = arrays;
        }
        for (Runnable step : steps) {
            step.run();
        }
    }

    /**
     * The ops writing one input's gradient into {@code g}: {@code eps * other} summed over the side's axes, as ops
     * bound to these arrays once (a new op object, its shape function and its native views at every run cost more
     * than the arithmetic at the main job's sizes).
     */
    private static void prepare(Side side, INDArray eps, INDArray other, INDArray product, INDArray g,
                                List<Runnable> steps) {
        INDArray kept = g.reshape('c', side.keptShape());
        boolean shared = g.ordering() == 'c' && kept.data().address() == g.data().address()
                && kept.offset() == g.offset();
        INDArray target = shared ? kept : Nd4j.createUninitialized(eps.dataType(), side.keptShape());
        INDArray full = side.full() ? target : product;
        MulOp mul = new MulOp(eps, other, full);
        OpContext mulContext = Nd4j.getExecutioner().buildContext();
        mulContext.setInputArrays(eps, other);
        mulContext.setOutputArrays(full);
        steps.add(() -> Nd4j.exec(mul, mulContext));
        if (!side.full()) {
            Sum sum = new Sum(full, target, true, side.axes());
            steps.add(() -> Nd4j.exec(sum));
        }
        if (!shared) {
            INDArray back = target.reshape(g.shape());
            steps.add(() -> g.assign(back));
        }
    }
}

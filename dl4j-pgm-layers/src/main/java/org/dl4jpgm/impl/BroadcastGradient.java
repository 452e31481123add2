package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
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

    /** The gradient ops this class replaces where their inputs' shapes differ. */
    static final String MULTIPLY = "multiply_bp";
    static final String DIVIDE = "divide_bp";

    /**
     * The fewest output elements for which a division's gradient is computed here: measured in training steps,
     * libnd4j's {@code divide_bp} took 1,620 us on 73,728 elements ({@code [96, 768] / [96, 1]}) against 370 us here,
     * and 91 us on 12,288 ({@code [384, 32] / [384, 1]}) against 93 us here (docs/performance.md).
     */
    static final long DIVIDE_MIN_LENGTH = 32_768;

    /** Whether the op is {@value #DIVIDE} (else {@value #MULTIPLY}). */
    private final boolean divide;
    private final Side x;
    private final Side y;
    /** The products {@code eps * other} before their sums, allocated at the first run. */
    private INDArray productX;
    private INDArray productY;
    /** The ops of both gradients, bound to the arrays (x, y, eps, gx, gy) of the last run. */
    private final BoundOps ops = new BoundOps();

    /** One input's gradient: the axes to sum over and the shape, with those axes kept, that the sum has. */
    private record Side(int[] axes, long[] keptShape) {
        boolean full() {
            return axes.length == 0;
        }
    }

    private BroadcastGradient(boolean divide, Side x, Side y) {
        this.divide = divide;
        this.x = x;
        this.y = y;
    }

    /**
     * The replacement of gradient op {@code op} on inputs {@code x, y} and incoming gradient {@code eps}, or null where
     * libnd4j's own op is as fast (the inputs have the same shape, or a division with fewer than
     * {@value #DIVIDE_MIN_LENGTH} output elements), the op is neither {@value #MULTIPLY} nor {@value #DIVIDE}, or it is
     * a division by one element.
     */
    static BroadcastGradient of(String op, INDArray x, INDArray y, INDArray eps) {
        return of(op, x, y, eps, DIVIDE_MIN_LENGTH);
    }

    /** {@link #of(String, INDArray, INDArray, INDArray)} with another size threshold for divisions. */
    static BroadcastGradient of(String op, INDArray x, INDArray y, INDArray eps, long divideMinLength) {
        boolean divide = DIVIDE.equals(op);
        if (!(divide || MULTIPLY.equals(op)) || Arrays.equals(x.shape(), y.shape()) || eps.ordering() != 'c'
                || divide && (y.length() == 1 || eps.length() < divideMinLength)) {
            return null;
        }
        Side sx = side(x.shape(), eps.shape());
        Side sy = side(y.shape(), eps.shape());
        return sx == null || sy == null ? null : new BroadcastGradient(divide, sx, sy);
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
        ops.run(new INDArray[]{x, y, eps, gx, gy}, () -> {
            if (!this.x.full() && productX == null) {
                productX = Nd4j.createUninitialized(eps.dataType(), eps.shape());
            }
            if (!this.y.full() && productY == null) {
                productY = Nd4j.createUninitialized(eps.dataType(), eps.shape());
            }
            List<Runnable> steps = new ArrayList<>();
            if (divide) {
                INDArray ySquared = Nd4j.createUninitialized(y.dataType(), y.shape());
                prepare(this.x, productX, gx, steps, full -> BoundOps.pairwise(new DivOp(eps, y, full), eps, y, full),
                        false);
                prepare(this.y, productY, gy, steps, full -> {
                    Runnable product = BoundOps.pairwise(new MulOp(eps, x, full), eps, x, full);
                    Runnable square = BoundOps.pairwise(new MulOp(y, y, ySquared), y, y, ySquared);
                    Runnable quotient = BoundOps.pairwise(new DivOp(full, ySquared, full), full, ySquared, full);
                    return () -> {
                        product.run();
                        square.run();
                        quotient.run();
                    };
                }, true);
            } else {
                prepare(this.x, productX, gx, steps, full -> BoundOps.pairwise(new MulOp(eps, y, full), eps, y, full),
                        false);
                prepare(this.y, productY, gy, steps, full -> BoundOps.pairwise(new MulOp(eps, x, full), eps, x, full),
                        false);
            }
            return steps;
        });
    }

    /**
     * The ops writing one input's gradient into {@code g}: the elementwise terms ({@code terms} writes them into the
     * array it is given, of the output's shape), summed over the side's axes and negated where asked, as ops bound to
     * these arrays ({@link BoundOps}).
     */
    private static void prepare(Side side, INDArray product, INDArray g, List<Runnable> steps,
                                java.util.function.Function<INDArray, Runnable> terms, boolean negate) {
        INDArray kept = g.reshape('c', side.keptShape());
        boolean shared = g.ordering() == 'c' && kept.data().address() == g.data().address()
                && kept.offset() == g.offset();
        INDArray target = shared ? kept : Nd4j.createUninitialized(g.dataType(), side.keptShape());
        INDArray full = side.full() ? target : product;
        steps.add(terms.apply(full));
        if (!side.full()) {
            Sum sum = new Sum(full, target, true, side.axes());
            steps.add(() -> Nd4j.exec(sum));
        }
        if (negate) {
            Negative negative = new Negative(target, target);
            steps.add(() -> Nd4j.exec(negative));
        }
        if (!shared) {
            INDArray back = target.reshape(g.shape());
            steps.add(() -> g.assign(back));
        }
    }
}

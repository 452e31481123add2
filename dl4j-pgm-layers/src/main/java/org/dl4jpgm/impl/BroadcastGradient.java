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
 * The gradient op of an elementwise {@code multiply}, {@code divide}, {@code add} or {@code subtract} whose two inputs
 * have different shapes (one broadcast against the other), computed by plain elementwise ops and a sum over the
 * broadcast axes instead of by libnd4j's gradient op.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 {@code multiply_bp} first tiles both inputs to the output's shape, which makes it several
 * times slower than the same op on equal shapes: at the main job's sizes the 72 {@code multiply_bp} of a training
 * step took 9-11 ms, as product and sum 3.5 ms (docs/performance.md, "Where the op compute goes"); {@code divide_bp}
 * allocates its tiled temporaries at every call. {@code add_bp} and {@code subtract_bp} are only sums of the incoming
 * gradient: a copy and sums over trailing axes, here, are direct calls ({@link DirectLegacy}), which beat libnd4j's op
 * at every size the plans meet ({@code [384, 1, 32] - [384, 1, 1]} 17 -> 7.5 us); a sum over leading axes is a
 * column sum in Java ({@link ColumnSums}), which beats it from {@value #SUM_MIN_ROWS} terms on (a bias's gradient on
 * {@code [96, 1536] + [1, 1536]} 397 -> 42 us in a training step). The products and quotients are direct calls
 * too ({@link DirectBroadcast}, {@link DirectPairwise}): a division's gradient at the main job's sizes
 * ({@code [384, 32] / [384, 1]}) 65 -> 23 us (docs/performance.md, "Legacy and broadcast ops as direct calls").
 * The values are the same sums of the same terms, bit for bit ({@code impl/BroadcastGradientTest}).
 *
 * <p>With {@code eps} the gradient of the output, input {@code a}'s gradient is the term ({@code eps * b} for a
 * product, {@code eps} for a sum, ...) summed over the axes where {@code a} was broadcast (its size 1 or missing where
 * the output's is not).
 */
final class BroadcastGradient {

    /** The gradient ops this class replaces where their inputs' shapes differ. */
    static final String MULTIPLY = "multiply_bp";
    static final String DIVIDE = "divide_bp";
    static final String ADD = "add_bp";
    static final String SUBTRACT = "subtract_bp";

    /**
     * The fewest terms per column sum (R of {@link ColumnSums}) for which a sum's gradient ({@value #ADD},
     * {@value #SUBTRACT}) summed over leading axes is computed here. With few terms libnd4j's chains of adds are short
     * and its one op can beat a copy and a column sum; since the column sums run vectorised, this path wins at the
     * fewest terms the plans meet, 32, in training steps: {@code [32, 768] + [1, 768]} 26.1 against 12.4 us here,
     * {@code [3, 32, 768] + [3, 1, 768]} 69.0 against 18.2, {@code [32, 1536] + [1, 1536]} 54.5 against 20.8
     * (docs/performance.md, "Column sums vectorised"). Fewer terms were not measured.
     */
    static final long SUM_MIN_ROWS = 32;

    /** The gradient op replaced: {@value #MULTIPLY}, {@value #DIVIDE}, {@value #ADD} or {@value #SUBTRACT}. */
    private final String op;
    private final Side x;
    private final Side y;
    /** The products {@code eps * other} before their sums, allocated at the first run. */
    private INDArray productX;
    private INDArray productY;
    /** The ops of both gradients, bound to the arrays (x, y, eps, gx, gy) of the last run. */
    private final BoundOps ops = new BoundOps();

    /**
     * One input's gradient: the axes to sum over, the shape, with those axes kept, that the sum has, and the sum as a
     * column sum (null where it is not one).
     */
    private record Side(int[] axes, long[] keptShape, ColumnSums columns) {
        boolean full() {
            return axes.length == 0;
        }
    }

    private BroadcastGradient(String op, Side x, Side y) {
        this.op = op;
        this.x = x;
        this.y = y;
    }

    /**
     * The replacement of gradient op {@code op} on inputs {@code x, y} and incoming gradient {@code eps}, or null where
     * libnd4j's own op is as fast (the inputs have the same shape, a sum's gradient with a column sum of fewer than
     * {@value #SUM_MIN_ROWS} terms), the op is not one of the four, or it is a division by one element (libnd4j's
     * scalar case).
     */
    static BroadcastGradient of(String op, INDArray x, INDArray y, INDArray eps) {
        return of(op, x, y, eps, SUM_MIN_ROWS);
    }

    /** {@link #of(String, INDArray, INDArray, INDArray)} with another threshold for column sums. */
    static BroadcastGradient of(String op, INDArray x, INDArray y, INDArray eps, long sumMinRows) {
        boolean divide = DIVIDE.equals(op);
        boolean sum = ADD.equals(op) || SUBTRACT.equals(op);
        if (!(divide || sum || MULTIPLY.equals(op)) || Arrays.equals(x.shape(), y.shape()) || eps.ordering() != 'c'
                || divide && y.length() == 1) {
            return null;
        }
        Side sx = side(x.shape(), eps.shape());
        Side sy = side(y.shape(), eps.shape());
        if (sx == null || sy == null || sum && !(summedHere(sx, sumMinRows) && summedHere(sy, sumMinRows))) {
            return null;
        }
        return new BroadcastGradient(op, sx, sy);
    }

    /**
     * Whether a sum's gradient on this side is computed here: a copy, a sum over trailing axes, or a column sum of at
     * least {@code minRows} terms.
     */
    private static boolean summedHere(Side side, long minRows) {
        return side.full() || side.columns() == null || side.columns().rows() >= minRows;
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
        int[] summed = Arrays.copyOf(axes, n);
        return new Side(summed, kept, n == 0 ? null : ColumnSums.of(out, summed));
    }

    /**
     * Writes the gradients of both inputs.
     *
     * @param x   the op's first input
     * @param y   its second input
     * @param eps the gradient of its output
     * @param gx  out: x's gradient, x's shape
     * @param gy  out: y's gradient, y's shape
     */
    void run(INDArray x, INDArray y, INDArray eps, INDArray gx, INDArray gy) {
        ops.run(new INDArray[]{x, y, eps, gx, gy}, () -> {
            boolean sum = ADD.equals(op) || SUBTRACT.equals(op);
            if (!sum && !this.x.full() && productX == null) {
                productX = Nd4j.createUninitialized(eps.dataType(), eps.shape());
            }
            if (!sum && !this.y.full() && productY == null) {
                productY = Nd4j.createUninitialized(eps.dataType(), eps.shape());
            }
            List<Runnable> steps = new ArrayList<>();
            switch (op) {
                case DIVIDE -> {
                    INDArray ySquared = Nd4j.createUninitialized(y.dataType(), y.shape());
                    prepare(this.x, productX, gx, steps,
                            full -> BoundOps.elementwise(new DivOp(eps, y, full), eps, y, full), false);
                    prepare(this.y, productY, gy, steps, full -> {
                        Runnable product = BoundOps.elementwise(new MulOp(eps, x, full), eps, x, full);
                        Runnable square = BoundOps.elementwise(new MulOp(y, y, ySquared), y, y, ySquared);
                        Runnable quotient = BoundOps.elementwise(new DivOp(full, ySquared, full), full, ySquared, full);
                        return () -> {
                            product.run();
                            square.run();
                            quotient.run();
                        };
                    }, true);
                }
                case MULTIPLY -> {
                    prepare(this.x, productX, gx, steps,
                            full -> BoundOps.elementwise(new MulOp(eps, y, full), eps, y, full), false);
                    prepare(this.y, productY, gy, steps,
                            full -> BoundOps.elementwise(new MulOp(eps, x, full), eps, x, full), false);
                }
                default -> {
                    // the terms are eps itself: summed where broadcast, else copied
                    prepare(this.x, eps, gx, steps, this.x.full() ? full -> DirectLegacy.copy(eps, full) : null,
                            false);
                    prepare(this.y, eps, gy, steps, this.y.full() ? full -> DirectLegacy.copy(eps, full) : null,
                            SUBTRACT.equals(op));
                }
            }
            return steps;
        });
    }

    /**
     * The ops writing one input's gradient into {@code g}: the elementwise terms of the output's shape ({@code terms}
     * writes them into the array it is given), summed over the side's axes and negated where asked, as ops bound to
     * these arrays ({@link BoundOps}). For a side that is summed, {@code product} holds the terms: {@code terms} writes
     * them there, or, where {@code terms} is null, they are there already (a sum's gradient: the incoming gradient).
     */
    private static void prepare(Side side, INDArray product, INDArray g, List<Runnable> steps,
                                java.util.function.Function<INDArray, Runnable> terms, boolean negate) {
        INDArray kept = g.reshape('c', side.keptShape());
        boolean shared = g.ordering() == 'c' && kept.data().address() == g.data().address()
                && kept.offset() == g.offset();
        INDArray target = shared ? kept : Nd4j.createUninitialized(g.dataType(), side.keptShape());
        INDArray full = side.full() ? target : product;
        if (terms != null) {
            steps.add(terms.apply(full));
        }
        if (!side.full()) {
            Runnable columns = side.columns() == null ? null : side.columns().bind(full, target);
            if (columns != null) {
                steps.add(columns);
            } else {
                steps.add(BoundOps.legacy(new Sum(full, target, true, side.axes()), full, target));
            }
        }
        if (negate) {
            steps.add(BoundOps.legacy(new Negative(target, target), target, target));
        }
        if (!shared) {
            steps.add(DirectLegacy.copy(target.reshape(g.shape()), g));
        }
    }
}

package org.dl4jpgm.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link JavaAdamUpdater}'s update written with the JDK's Vector API ({@code jdk.incubator.vector}), reading and
 * writing the parameters' native memory in place: per element the same float operations in the same order as the
 * scalar loop (with the per-call values of {@code JavaAdamUpdater.Coefficients}; no fused multiply-adds, the square
 * root and the division correctly rounded as IEEE 754 asks of both), so the same bits.
 *
 * <p>Why: the scalar loop copies each block of the gradient and both moments into Java arrays and back, six copies on
 * top of the six streams the update must read and write. At the paper's size (42 M parameters, 168 MB per stream) the
 * copies do not overlap the arithmetic: Java Adam was about a ninth of a training step, and twice as fast on the
 * native memory (docs/performance.md, "Adam on the Vector API").
 *
 * <p>With the parameters given, the pass also takes the optimizer's step, {@code p ← p - update}, as DL4J's
 * {@code params.subi(update)} computes it (one float subtraction per element): the gradient is still written as the
 * update, so that what DL4J leaves in its arrays after a step is the same, and the parameters' pass of their own
 * is saved ({@link FusedParameterStep}).
 *
 * <p>Shapes: the buffers hold float arrays of N elements each at their own element offsets (DL4J's updater
 * blocks are views into its flat gradient and state arrays); this class covers elements {@code [0, N - N % L)} with L
 * the vector's lanes, in blocks of {@link JavaAdamUpdater#BLOCK} (one call each, so that the JIT compiler compiles the
 * loop after a few calls rather than after a whole pass), and leaves the rest to the scalar loop. Loaded only where
 * the module is in the JVM ({@link VectorExp#moduleLoaded}).
 *
 * <p>Squares that the second moment absorbs: where {@code g·g·(1 - β2)} is below the smallest normal float, the CPU
 * computes the product through a slow path (a subnormal result or an underflow to zero), for the whole vector if one
 * lane is so. In a paper-config training run about 5.5 % of the gradients were so after 30 steps, in 18 % of the
 * vectors. Where the decayed moment {@code v·β2} is at least 2^-102, its last place is at least 2^-125, so adding a
 * term below 2^-126 (less than half of it) rounds back to {@code v·β2}, as adding +0 does: those lanes square 0
 * instead, the same bits without the slow path ({@link JavaAdamUpdater#squareUnderflow}, {@link #ABSORBING}).
 * Measured in docs/performance.md, "Squares the second moment absorbs";
 * {@link JavaAdamUpdater#ABSORBED_SQUARES_PROPERTY} {@code false} switches it off.
 */
final class AdamKernels {

    /**
     * The least {@code v·β2} from which on any term below 2^-126 is less than half its last place: 2^-102, whose last
     * place is 2^-125.
     */
    static final float ABSORBING = 0x1p-102f;

    private static final VectorSpecies<Float> FLOATS = FloatLanes.SPECIES;
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private AdamKernels() {
    }

    /**
     * Updates the whole vectors of the N parameters in place, {@code g} becoming the update, and where {@code p} is
     * not null subtracts the update from the parameters.
     *
     * @param p     the parameters' buffer, or null: the step is left to the caller
     * @param below {@link JavaAdamUpdater#squareUnderflow} of the step's {@code 1 - β2}, or 0: every lane squares g
     * @return      the number of elements updated (N rounded down to whole vectors); the caller updates the rest
     */
    static int update(ByteBuffer p, int pOffset, ByteBuffer g, int gOffset, ByteBuffer m, int mOffset, ByteBuffer v,
                      int vOffset, int n, JavaAdamUpdater.Coefficients c, float below) {
        int whole = n - n % LANES;
        for (int s = 0; s < whole; s += JavaAdamUpdater.BLOCK) {
            int len = Math.min(JavaAdamUpdater.BLOCK, whole - s);
            if (p == null) {
                block(g, gOffset + s, m, mOffset + s, v, vOffset + s, len, c, below);
            } else {
                blockWithStep(p, pOffset + s, g, gOffset + s, m, mOffset + s, v, vOffset + s, len, c, below);
            }
        }
        return whole;
    }

    /**
     * Elements {@code [0, len)} from the offsets given (in elements), len a multiple of the lanes; gradients below
     * {@code below} in magnitude square 0 where the moment absorbs their square.
     */
    private static void block(ByteBuffer g, int go, ByteBuffer m, int mo, ByteBuffer v, int vo, int len,
                              JavaAdamUpdater.Coefficients c, float below) {
        for (int i = 0; i < len; i += LANES) {
            update(g, (go + i) * Float.BYTES, m, (mo + i) * Float.BYTES, v, (vo + i) * Float.BYTES, c, below)
                    .intoByteBuffer(g, (go + i) * Float.BYTES, ORDER);
        }
    }

    /** As {@link #block}, and the parameters at {@code po} stepped by the update. */
    private static void blockWithStep(ByteBuffer p, int po, ByteBuffer g, int go, ByteBuffer m, int mo, ByteBuffer v,
                                      int vo, int len, JavaAdamUpdater.Coefficients c, float below) {
        for (int i = 0; i < len; i += LANES) {
            int gAt = (go + i) * Float.BYTES;
            int pAt = (po + i) * Float.BYTES;
            FloatVector u = update(g, gAt, m, (mo + i) * Float.BYTES, v, (vo + i) * Float.BYTES, c, below);
            u.intoByteBuffer(g, gAt, ORDER);
            FloatVector.fromByteBuffer(FLOATS, p, pAt, ORDER).sub(u).intoByteBuffer(p, pAt, ORDER);
        }
    }

    /**
     * One vector of moments updated in place at the byte offsets given; returns the update. The lanes whose square
     * the decayed moment absorbs (the class comment) square 0 instead of the gradient.
     */
    private static FloatVector update(ByteBuffer g, int gAt, ByteBuffer m, int mAt, ByteBuffer v, int vAt,
                                      JavaAdamUpdater.Coefficients c, float below) {
        FloatVector gi = FloatVector.fromByteBuffer(FLOATS, g, gAt, ORDER);
        if (c.minibatch() > 0) {
            gi = gi.div((float) c.minibatch());
        }
        FloatVector mi = FloatVector.fromByteBuffer(FLOATS, m, mAt, ORDER).mul(c.beta1())
                .add(gi.mul(c.oneMinusBeta1()));
        FloatVector decayed = FloatVector.fromByteBuffer(FLOATS, v, vAt, ORDER).mul(c.beta2());
        FloatVector squared = gi.blend(0f, gi.abs().compare(VectorOperators.LT, below)
                .and(decayed.compare(VectorOperators.GE, ABSORBING)));
        FloatVector vi = decayed.add(squared.mul(squared).mul(c.oneMinusBeta2()));
        mi.intoByteBuffer(m, mAt, ORDER);
        vi.intoByteBuffer(v, vAt, ORDER);
        return mi.mul(c.epsilonT()).div(vi.lanewise(VectorOperators.SQRT).add(c.epsilon()));
    }
}

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
 * <p>Shapes: the three buffers hold float arrays of N elements each at their own element offsets (DL4J's updater
 * blocks are views into its flat gradient and state arrays); this class covers elements {@code [0, N - N % L)} with L
 * the vector's lanes, in blocks of {@link JavaAdamUpdater#BLOCK} (one call each, so that the JIT compiler compiles the
 * loop after a few calls rather than after a whole pass), and leaves the rest to the scalar loop. Loaded only where
 * the module is in the JVM ({@link VectorExp#moduleLoaded}).
 */
final class AdamKernels {

    private static final VectorSpecies<Float> FLOATS = FloatLanes.SPECIES;
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private AdamKernels() {
    }

    /**
     * Updates the whole vectors of the N parameters in place, {@code g} becoming the update.
     *
     * @return the number of elements updated (N rounded down to whole vectors); the caller updates the rest
     */
    static int update(ByteBuffer g, int gOffset, ByteBuffer m, int mOffset, ByteBuffer v, int vOffset, int n,
                      JavaAdamUpdater.Coefficients c) {
        int whole = n - n % LANES;
        for (int s = 0; s < whole; s += JavaAdamUpdater.BLOCK) {
            block(g, gOffset + s, m, mOffset + s, v, vOffset + s, Math.min(JavaAdamUpdater.BLOCK, whole - s), c);
        }
        return whole;
    }

    /** Elements {@code [0, len)} from the offsets given (in elements), len a multiple of the lanes. */
    private static void block(ByteBuffer g, int go, ByteBuffer m, int mo, ByteBuffer v, int vo, int len,
                              JavaAdamUpdater.Coefficients c) {
        boolean divide = c.minibatch() > 0;
        float batch = c.minibatch();
        for (int i = 0; i < len; i += LANES) {
            int gAt = (go + i) * Float.BYTES;
            int mAt = (mo + i) * Float.BYTES;
            int vAt = (vo + i) * Float.BYTES;
            FloatVector gi = FloatVector.fromByteBuffer(FLOATS, g, gAt, ORDER);
            if (divide) {
                gi = gi.div(batch);
            }
            FloatVector mi = FloatVector.fromByteBuffer(FLOATS, m, mAt, ORDER).mul(c.beta1())
                    .add(gi.mul(c.oneMinusBeta1()));
            FloatVector vi = FloatVector.fromByteBuffer(FLOATS, v, vAt, ORDER).mul(c.beta2())
                    .add(gi.mul(gi).mul(c.oneMinusBeta2()));
            mi.intoByteBuffer(m, mAt, ORDER);
            vi.intoByteBuffer(v, vAt, ORDER);
            mi.mul(c.epsilonT()).div(vi.lanewise(VectorOperators.SQRT).add(c.epsilon())).intoByteBuffer(g, gAt, ORDER);
        }
    }
}

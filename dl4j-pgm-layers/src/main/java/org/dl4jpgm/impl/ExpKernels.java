package org.dl4jpgm.impl;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * glibc's {@code expf} ({@link VectorExp#expf}) vectorised with the JDK's Vector API
 * ({@code jdk.incubator.vector}), and libnd4j's {@code exp} and {@code sigmoid} transforms on it: 2 L floats at a
 * time ({@link FloatLanes}' vector), L the lanes of the machine's preferred double vector (8 with AVX-512, which
 * {@link #usable} requires), each half widened to double, reduced, scaled by its table entry and rounded back to float
 * as the scalar function does.
 *
 * <p>The table lookup is what keeps the JIT compiler from vectorising the scalar loop; here the 32 entries are
 * {@code 32 / L} long vectors and an element's entry is selected from each by the low bits of its index and blended by
 * the high ones. Lanes whose input is at least 88 in magnitude, infinite or NaN (glibc's special cases) are computed
 * with the scalar function, a group of 2 L at a time.
 *
 * <p>Loaded only where the module {@code jdk.incubator.vector} is in the JVM ({@link VectorExp#available}): elsewhere
 * this class cannot link.
 */
final class ExpKernels {

    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    /** The package's one float species ({@link FloatLanes}): twice the doubles' lanes, each half widened in turn. */
    private static final VectorSpecies<Float> FLOATS = FloatLanes.SPECIES;
    private static final int LANES = DOUBLES.length();
    /** The upper half of a float vector's lanes, where the second half's results go. */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(FLOATS, -1L << LANES);
    /** glibc's table, {@code 32 / L} vectors of L entries. */
    private static final LongVector[] TABLE = table();

    private ExpKernels() {
    }

    /**
     * Whether the machine's vectors hold 8 doubles (AVX-512) and the species line up ({@link FloatLanes}' vectors hold
     * twice as many floats as the doubles' vectors hold doubles). The table lookup selects long lanes by index, which
     * AVX-512 does in one instruction ({@code vpermq}); narrower vectors were not measured, and where the JIT compiler
     * cannot turn a Vector API call into instructions it runs far slower than libnd4j's loop.
     */
    static boolean usable() {
        return DOUBLES.vectorBitSize() >= 512 && LONGS.length() == LANES && FLOATS.length() == 2 * LANES
                && TABLE.length * LANES == VectorExp.TABLE.length;
    }

    /** The floats computed per iteration, a float vector's lanes (for the docs and the tests). */
    static int lanes() {
        return FLOATS.length();
    }

    /** {@code a[i] = expf(a[i])} for i below n, in place. */
    static void exp(float[] a, int n) {
        apply(a, n, false);
    }

    /** {@code a[i] = 1 / (1 + expf(-a[i]))} for i below n, in place: libnd4j's sigmoid, in its float operations. */
    static void sigmoid(float[] a, int n) {
        apply(a, n, true);
    }

    /**
     * The function on {@code a[0, n)} in place, a vector of 2 L floats per iteration, each half widened to doubles in
     * turn; the last floats short of a whole vector in the scalar function.
     *
     * <p>Written as one method on purpose. A method that takes or returns vectors is inlined into its caller or not
     * depending on the order in which the JIT compiler meets the two ({@code -XX:+PrintInlining}: "already compiled
     * into a big method"); where it is not, every vector that crosses it is allocated on the heap. With the halves and
     * glibc's general case as methods of their own, the compiled loop called them in the training steps measured, and
     * a {@code [384, 64]} sigmoid took 89-123 us per call instead of 31-39 (docs/performance.md, "exp and sigmoid in
     * one method"). So the general case is written out for each half.
     */
    private static void apply(float[] a, int n, boolean sigmoid) {
        FloatVector one = FloatVector.broadcast(FLOATS, 1f);
        int lanes = FLOATS.length();
        int i = 0;
        for (int bound = FLOATS.loopBound(n); i < bound; i += lanes) {
            FloatVector x = FloatVector.fromArray(FLOATS, a, i);
            FloatVector arg = sigmoid ? x.neg() : x;
            VectorMask<Float> special = arg.abs().compare(VectorOperators.LT, VectorExp.SPECIAL).not();
            if (special.anyTrue()) {
                for (int k = i; k < i + lanes; k++) {
                    a[k] = sigmoid ? VectorExp.sigmoid(a[k]) : VectorExp.expf(a[k]);
                }
                continue;
            }
            // the lower half: VectorExp.expf's general case on L lanes in double (exactly a float's value)
            DoubleVector z = ((DoubleVector) arg.convertShape(VectorOperators.F2D, DOUBLES, 0))
                    .mul(VectorExp.INV_LN2_N);
            DoubleVector kd = z.add(VectorExp.SHIFT);
            LongVector ki = kd.reinterpretAsLongs();
            DoubleVector r = z.sub(kd.sub(VectorExp.SHIFT));
            LongVector low = ki.and(LANES - 1);
            LongVector block = ki.and(31 & ~(LANES - 1));
            LongVector t = low.selectFrom(TABLE[0]);
            for (int b = 1; b < TABLE.length; b++) {
                t = t.blend(low.selectFrom(TABLE[b]), block.eq((long) b * LANES));
            }
            DoubleVector s = t.add(ki.lanewise(VectorOperators.LSHL, 47)).reinterpretAsDoubles();
            FloatVector lower = (FloatVector) r.fma(VectorExp.C0, VectorExp.C1)
                    .fma(r.mul(r), r.fma(VectorExp.C2, 1.0)).mul(s).convertShape(VectorOperators.D2F, FLOATS, 0);
            // the upper half, the same operations
            z = ((DoubleVector) arg.convertShape(VectorOperators.F2D, DOUBLES, 1)).mul(VectorExp.INV_LN2_N);
            kd = z.add(VectorExp.SHIFT);
            ki = kd.reinterpretAsLongs();
            r = z.sub(kd.sub(VectorExp.SHIFT));
            low = ki.and(LANES - 1);
            block = ki.and(31 & ~(LANES - 1));
            t = low.selectFrom(TABLE[0]);
            for (int b = 1; b < TABLE.length; b++) {
                t = t.blend(low.selectFrom(TABLE[b]), block.eq((long) b * LANES));
            }
            s = t.add(ki.lanewise(VectorOperators.LSHL, 47)).reinterpretAsDoubles();
            FloatVector upper = (FloatVector) r.fma(VectorExp.C0, VectorExp.C1)
                    .fma(r.mul(r), r.fma(VectorExp.C2, 1.0)).mul(s).convertShape(VectorOperators.D2F, FLOATS, -1);
            FloatVector e = lower.blend(upper, UPPER);
            (sigmoid ? one.div(one.add(e)) : e).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] = sigmoid ? VectorExp.sigmoid(a[i]) : VectorExp.expf(a[i]);
        }
    }

    private static LongVector[] table() {
        int lanes = DoubleVector.SPECIES_PREFERRED.length();
        if (lanes > VectorExp.TABLE.length || LongVector.SPECIES_PREFERRED.length() != lanes) {
            return new LongVector[0];
        }
        LongVector[] t = new LongVector[VectorExp.TABLE.length / lanes];
        for (int b = 0; b < t.length; b++) {
            t[b] = LongVector.fromArray(LongVector.SPECIES_PREFERRED, VectorExp.TABLE, b * lanes);
        }
        return t;
    }
}

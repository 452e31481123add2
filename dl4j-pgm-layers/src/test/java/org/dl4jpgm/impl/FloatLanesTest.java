package org.dl4jpgm.impl;

import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link FloatLanes}: the package's Vector API kernels, run one after the other in one JVM as a training step runs
 * them ({@link ExpKernels}' sigmoid, then a layer normalisation's forward and gradient loops ({@link RowKernels}), then
 * Adam's update ({@link AdamKernels})), allocate nothing per call once the JIT compiler has compiled them: their
 * vectors stay in registers. Where two float species meet in the shared type profiles of {@code FloatVector}'s
 * methods, the compiled code of the kernel met second boxes every vector in Java arrays (73,728 bytes per gradient
 * loop of {@code [384, 32]}, measured with ExpKernels' 8 floats beside 16-float row loops, as they were): this test
 * then fails.
 */
class FloatLanesTest {

    private static final int ROWS = 384;
    private static final int E = 32;

    /** The package's classes with Vector API kernels on floats. */
    private static final List<Class<?>> KERNELS = List.of(RowKernels.class, AdamKernels.class, ExpKernels.class);

    /**
     * ExpKernels' loop calls no method of its own that takes or returns vectors. The JIT compiler inlines such a method
     * into the loop or not depending on the order in which it compiles the two ("already compiled into a big
     * method"), and where it does not, every vector crossing the call is allocated: with the halves and glibc's
     * general case as methods of their own, as they were, the training steps measured ran its sigmoid 2-3 times
     * slower than written as one method. On that code this test fails.
     */
    @Test
    void expKernelsPassNoVectorsBetweenMethods() {
        assumeTrue(VectorExp.moduleLoaded(), "the Vector API module");
        for (Method m : ExpKernels.class.getDeclaredMethods()) {
            boolean vectors = Vector.class.isAssignableFrom(m.getReturnType())
                    || Arrays.stream(m.getParameterTypes()).anyMatch(Vector.class::isAssignableFrom);
            assertFalse(vectors, "ExpKernels." + m.getName() + " takes or returns vectors");
        }
    }

    /**
     * Each kernel class holds its float species in a static field, and that field is {@link FloatLanes#SPECIES}: a
     * kernel that declared a species of its own (ExpKernels' 8 floats, as it was) fails here on AVX-512 machines.
     */
    @Test
    void everyKernelUsesTheOneSpecies() throws IllegalAccessException {
        assumeTrue(VectorExp.moduleLoaded() && FloatLanes.usable(), "the Vector API with 8 floats or more");
        for (Class<?> kernel : KERNELS) {
            int floatSpecies = 0;
            for (Field field : kernel.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && VectorSpecies.class.isAssignableFrom(field.getType())) {
                    field.setAccessible(true);
                    VectorSpecies<?> species = (VectorSpecies<?>) field.get(null);
                    if (species.elementType() == float.class) {
                        assertSame(FloatLanes.SPECIES, species, kernel.getSimpleName() + "." + field.getName());
                        floatSpecies++;
                    }
                }
            }
            assertEquals(1, floatSpecies, kernel.getSimpleName() + ": static float species fields");
        }
        assertSame(RowKernels.VECTOR, LayerNormFusion.RowLoops.of());
    }

    @Test
    void kernelsCompiledOneAfterAnotherAllocateNothing() {
        assumeTrue(VectorExp.moduleLoaded() && FloatLanes.usable() && ExpKernels.usable(),
                "the Vector API with 8 doubles (AVX-512), where ExpKernels runs beside the float kernels");
        Random random = new Random(5);
        float[] logits = new float[ROWS * E];
        float[] sigmoid = new float[ROWS * E];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        float[][] forwardOut = {new float[ROWS], new float[ROWS * E], new float[ROWS * E], new float[ROWS],
                new float[ROWS], new float[ROWS], new float[ROWS * E], new float[ROWS * E], new float[ROWS * E]};
        float[] gain = values(random, E);
        float[] bias = values(random, E);
        float[][] backwardIn = {values(random, ROWS * E), gain, forwardOut[6], forwardOut[1], forwardOut[5],
                values(random, ROWS)};
        float[][] scratch = {new float[ROWS * E], new float[ROWS * E], new float[ROWS]};
        float[][] backwardOut = {new float[E], new float[E], new float[ROWS * E], new float[ROWS * E]};
        int n = 1 << 14;
        ByteBuffer g = direct(random, n);
        ByteBuffer m = direct(random, n);
        ByteBuffer v = direct(random, n);
        JavaAdamUpdater.Coefficients c = JavaAdamUpdater.Coefficients.of(1e-3, 0.9, 0.999, 1e-8, 3, 0);

        Map<String, Runnable> kernels = new LinkedHashMap<>();
        kernels.put("ExpKernels.sigmoid", () -> {
            System.arraycopy(logits, 0, sigmoid, 0, logits.length);
            ExpKernels.sigmoid(sigmoid, sigmoid.length);
        });
        kernels.put("RowKernels, forward", () -> LayerNormFusion.forward(logits, gain, bias, ROWS, E, 1e-5f,
                forwardOut, RowKernels.VECTOR));
        kernels.put("RowKernels, gradient", () -> LayerNormFusion.backward(backwardIn, ROWS, E, 1f / E, scratch,
                backwardOut, true, RowKernels.VECTOR));
        ByteBuffer p = direct(random, n);
        float below = JavaAdamUpdater.squareUnderflow(c.oneMinusBeta2());
        kernels.put("AdamKernels", () -> AdamKernels.update(null, 0, g, 0, m, 0, v, 0, n, c, below));
        kernels.put("AdamKernels, with the parameter step",
                () -> AdamKernels.update(p, 0, g, 0, m, 0, v, 0, n, c, below));
        // each kernel in turn, as a step meets them, so that each one's profile is taken beside the others'
        for (Runnable kernel : kernels.values()) {
            for (int i = 0; i < 2_000; i++) {
                kernel.run();
            }
        }
        for (Map.Entry<String, Runnable> kernel : kernels.entrySet()) {
            assertEquals(0, steadyAllocation(kernel.getValue()), kernel.getKey()
                    + ": bytes allocated per call once compiled (its vectors boxed: another float species met it)");
        }
    }

    /**
     * The bytes the current thread allocates per call of {@code kernel}: the least over rounds of 200 calls, run until
     * a round allocates nothing or for 20 s (the JIT compiler compiles in the background).
     */
    private static long steadyAllocation(Runnable kernel) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        long end = System.nanoTime() + 20_000_000_000L;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200; i++) {
                kernel.run();
            }
            least = Math.min(least, (threads.getCurrentThreadAllocatedBytes() - before) / 200);
        } while (least > 0 && System.nanoTime() < end);
        return least;
    }

    private static float[] values(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static ByteBuffer direct(Random random, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            b.putFloat(i * Float.BYTES, (float) Math.abs(random.nextGaussian()) * 1e-2f);
        }
        return b;
    }
}

package org.dl4jpgm.impl;

import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.OpaqueDataBuffer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Java views of the host memory under an array on the CPU backend, for the loops that run in Java
 * ({@link JavaAdamUpdater}, {@link ColumnSums}): the whole buffer, indexed as the array's {@code offset()} counts, so
 * a view at an offset inside a larger array reads its own elements. The buffers are views of the native memory, not
 * copies; their bulk {@code get}/{@code put} copy blocks to and from Java arrays. And the native address of an array's
 * first element, for identity checks ({@link FlatGradientUpdater}) and native calls ({@link DirectGemm}); and the
 * bitwise comparison of float arrays that the probes of the Java and direct paths make against libnd4j. And the
 * native buffer and shape info that libnd4j's legacy entry points take ({@link DirectPairwise}, {@link DirectLegacy}).
 */
final class HostMemory {

    /** {@code BaseCpuDataBuffer}, the CPU backend's buffers in host memory; null on another backend. */
    private static final Class<?> CPU_BUFFER = cpuBufferClass();

    /** {@code BaseCpuDataBuffer.getOpaqueDataBuffer()} of the CPU backend; null on another backend. */
    private static final MethodHandle OPAQUE = opaqueAccessor();

    private HostMemory() {
    }

    /**
     * Whether the loops in Java may view the buffer under {@code a}: a CPU backend buffer, whose host memory is the
     * array (another backend's buffer has a copy on its device, which a write through a Java view would leave stale,
     * and whose host copy a read could find stale), that fits one {@code java.nio} buffer, whose byte positions are
     * {@code int}s (at most {@code Integer.MAX_VALUE} bytes).
     */
    static boolean addressable(INDArray a) {
        return CPU_BUFFER != null && CPU_BUFFER.isInstance(a.data())
                && a.data().length() <= Integer.MAX_VALUE / a.dataType().width();
    }

    /** The buffer under a float array, as floats. */
    static FloatBuffer floats(INDArray a) {
        return bytes(a).asFloatBuffer();
    }

    /** The buffer under an array, as bytes in the machine's order (the Vector API's loads and stores take these). */
    static ByteBuffer bytes(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder());
    }

    /** The buffer under a double array, as doubles. */
    static DoubleBuffer doubles(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    /** The native address of an array's first element: its buffer's address plus its offset. */
    static long address(INDArray a) {
        return a.data().address() + a.offset() * a.data().getElementSize();
    }

    /**
     * Whether two float or double arrays have one type, one shape and the same bits in every element (so {@code -0.0}
     * differs from {@code 0.0}, and NaNs must match to the payload): what the probes of the Java and direct paths
     * ({@link JavaAdamUpdater}, {@link DirectGemm}, {@link DirectBroadcast}) require of theirs against libnd4j's.
     */
    static boolean sameBits(INDArray a, INDArray b) {
        if (a.dataType() != b.dataType() || !java.util.Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        if (a.dataType() == DataType.DOUBLE) {
            double[] x = a.ravel().toDoubleVector();
            double[] y = b.ravel().toDoubleVector();
            for (int i = 0; i < x.length; i++) {
                if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
                    return false;
                }
            }
            return true;
        }
        return sameBits(a.ravel().toFloatVector(), b.ravel().toFloatVector());
    }

    /** Whether two float arrays of one length have the same bits in every element ({@code -0.0} is not {@code 0.0}). */
    static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether arrays here have the CPU backend's native buffers ({@link NativeArray}); looked up by name so that the
     * CUDA build compiles.
     */
    static boolean hasNativeBuffers() {
        return OPAQUE != null;
    }

    /**
     * An array as libnd4j's legacy entry points take it: its native buffer (libnd4j's {@code InteropDataBuffer}, on the
     * CPU backend) and its shape info. Holds neither the array nor its buffer: the caller keeps the array reachable.
     */
    record NativeArray(OpaqueDataBuffer buffer, LongPointer shape) {

        static NativeArray of(INDArray a) {
            try {
                return new NativeArray((OpaqueDataBuffer) OPAQUE.invokeExact(a.data()),
                        (LongPointer) a.shapeInfoDataBuffer().addressPointer());
            } catch (Throwable t) {
                throw new IllegalStateException("HostMemory: no native buffer for an array of "
                        + a.data().getClass().getName(), t);
            }
        }
    }

    /** The CPU backend's buffer class where the arrays made here are its buffers; null otherwise. */
    private static Class<?> cpuBufferClass() {
        try {
            Class<?> cpu = Class.forName("org.nd4j.linalg.cpu.nativecpu.buffer.BaseCpuDataBuffer");
            return cpu.isInstance(Nd4j.create(DataType.FLOAT, 1).data()) ? cpu : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static MethodHandle opaqueAccessor() {
        try {
            Class<?> cpu = CPU_BUFFER;
            if (cpu == null) {
                return null;
            }
            return MethodHandles.publicLookup().findVirtual(cpu, "getOpaqueDataBuffer",
                    MethodType.methodType(OpaqueDataBuffer.class)).asType(
                    MethodType.methodType(OpaqueDataBuffer.class, DataBuffer.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * Probe values for the direct paths' checks against libnd4j ({@link DirectBroadcast}, {@link ReductionGradient}):
     * both signs, none zero, a spread of magnitudes, written out from the index, not drawn (the checks run inside a
     * training step, where a draw would change its dropout masks).
     */
    static INDArray probe(DataType type, long[] shape, double step) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 2 == 0 ? 1 : -1) * (0.5 + step * step * i + 0.013 * i * i);
        }
        return Nd4j.createFromArray(v).reshape(shape).castTo(type);
    }
}

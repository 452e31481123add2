package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Java views of the host memory under an array on the CPU backend, for the loops that run in Java
 * ({@link JavaAdamUpdater}, {@link ColumnSums}): the whole buffer, indexed as the array's {@code offset()} counts, so
 * a view at an offset inside a larger array reads its own elements. The buffers are views of the native memory, not
 * copies; their bulk {@code get}/{@code put} copy blocks to and from Java arrays. And the native address of an array's
 * first element, for identity checks ({@link FlatGradientUpdater}) and native calls ({@link DirectGemm}).
 */
final class HostMemory {

    private HostMemory() {
    }

    /**
     * Whether the buffer under {@code a} fits one {@code java.nio} buffer, whose byte positions are {@code int}s (at
     * most {@code Integer.MAX_VALUE} bytes).
     */
    static boolean addressable(INDArray a) {
        return a.data().length() <= Integer.MAX_VALUE / a.dataType().width();
    }

    /** The buffer under a float array, as floats. */
    static FloatBuffer floats(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The buffer under a double array, as doubles. */
    static DoubleBuffer doubles(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    /** The native address of an array's first element: its buffer's address plus its offset. */
    static long address(INDArray a) {
        return a.data().address() + a.offset() * a.data().getElementSize();
    }
}

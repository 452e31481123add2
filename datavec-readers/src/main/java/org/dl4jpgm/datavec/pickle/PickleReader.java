package org.dl4jpgm.datavec.pickle;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Unpickler;
import org.dl4jpgm.datavec.common.DataFormatException;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a Python pickle (any protocol up to 5) with Pyrolite ({@code net.razorvine:pickle}), reconstructing numpy
 * arrays as {@link NumpyArray}: both {@code numpy.core.multiarray._reconstruct} (numpy 1.x, as the MMSA pickles
 * were written) and {@code numpy._core.multiarray._reconstruct} (numpy 2.x) are understood, and for protocol 5
 * {@code numpy.core.numeric._frombuffer} / {@code numpy._core.numeric._frombuffer} with the data in-band
 * (BYTEARRAY8), as {@code pickle.dumps(array, protocol=5)} writes it. Python dicts come back as
 * {@code java.util.Map}, lists as {@code java.util.List}, tuples as {@code Object[]}, str as String, bytes as
 * byte[].
 */
public final class PickleReader {

    static {
        IObjectConstructor reconstruct = args -> new NumpyArray();
        IObjectConstructor dtype = args -> {
            if (args.length < 1 || !(args[0] instanceof String)) {
                throw new IllegalArgumentException("numpy.dtype: expected a type name as first argument");
            }
            return new NumpyDType((String) args[0]);
        };
        for (String m : new String[]{"numpy.core.multiarray", "numpy._core.multiarray"}) {
            Unpickler.registerConstructor(m, "_reconstruct", reconstruct);
        }
        // protocol 5: numpy.core.numeric._frombuffer(bytearray, dtype, shape, order) (numpy 2: numpy._core.numeric)
        for (String m : new String[]{"numpy.core.numeric", "numpy._core.numeric"}) {
            Unpickler.registerConstructor(m, "_frombuffer", NumpyArray::fromBuffer);
        }
        Unpickler.registerConstructor("numpy", "dtype", dtype);
    }

    /**
     * Heap a pickle of {@code n} bytes needs while it is read, as a multiple of {@code n}: the file's bytes (numpy
     * arrays keep their raw bytes) plus the unpickler's buffers and the Python objects besides the arrays.
     */
    public static final double HEAP_FACTOR = 2.0;

    /** Bytes of heap still available: max heap minus the heap in use (tests replace it). */
    static java.util.function.LongSupplier freeHeap = () -> {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    };

    private PickleReader() {
    }

    /**
     * Fails before reading when the pickle cannot fit: {@link #HEAP_FACTOR} times its size must be available on the
     * heap (after one garbage collection), else a {@link PickleTooLargeException} names the file, its size and the
     * {@code -Xmx} it needs.
     */
    static void requireHeap(Path file, long size) {
        long need = (long) Math.ceil(HEAP_FACTOR * size);
        long free = freeHeap.getAsLong();
        if (free >= need) {
            return;
        }
        System.gc();
        free = freeHeap.getAsLong();
        if (free >= need) {
            return;
        }
        Runtime r = Runtime.getRuntime();
        long used = Math.max(0, r.totalMemory() - r.freeMemory());
        long xmxGiB = (long) Math.ceil((double) (used + need) / (1L << 30));
        throw new PickleTooLargeException(file, size, need, free, xmxGiB);
    }

    /**
     * Unpickles a whole file.
     *
     * @throws DataFormatException     naming the file and the byte offset reached, for a truncated or malformed pickle
     * @throws PickleTooLargeException before reading, when {@link #HEAP_FACTOR} times the file's size is more than the
     *                                 heap still available
     */
    public static Object read(Path file) throws IOException {
        requireHeap(file, Files.size(file));
        PickleScan.check(file);
        try (CountingStream in = new CountingStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            Unpickler u = new Unpickler();
            try {
                Object o = u.load(in);
                return o;
            } catch (IOException | RuntimeException e) {
                String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                boolean eof = in.count >= Files.size(file);
                throw new DataFormatException(file, "byte " + in.count + " of " + Files.size(file),
                        "a complete pickle (with numpy arrays)",
                        (eof ? "end of file (truncated?): " : "") + what, e);
            } finally {
                u.close();
            }
        }
    }

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}

package org.dl4jpgm.datavec.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes Python pickles in protocol 4 the way CPython's {@code pickle.dump(obj, f, protocol=4)} does (PROTO 4,
 * FRAME, MEMOIZE after each memoizable object, STACK_GLOBAL, SETITEMS / APPENDS batches), with numpy arrays as
 * numpy 1.x pickles them: {@code numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')} then BUILD
 * {@code (1, shape, numpy.dtype(name, False, True) + BUILD state, False, rawbytes-or-list)}.
 *
 * <p>With {@link #protocol5(boolean)}, in protocol 5 as CPython writes {@code pickle.dumps(obj, protocol=5)}: numeric
 * and string arrays as {@code numpy._core.numeric._frombuffer(bytearray, dtype, shape, 'C')} (numpy 2; numpy 1.x:
 * {@code numpy.core.numeric}) with the data in-band as BYTEARRAY8, object arrays still through {@code _reconstruct}.
 *
 * <p>As CPython's C pickler: frames of about 64 KiB (a frame is closed at an opcode boundary once it holds 64 KiB or
 * more), a bytes or bytearray payload of 64 KiB or more written outside any frame (its opcode and length too),
 * and the interned strings (module and global names, byte order and order characters), globals and dtypes written
 * once, then fetched from the memo (BINGET).
 *
 * <p>Python values: Map (dict, insertion order), List (list), Object[] (tuple), String, byte[], Integer / Long,
 * Double, Boolean, null, and {@link Nd} (an ndarray).
 */
public final class Pickle4Writer {

    /** A numpy array to write: dtype name ("f4", "f8", "i8", "U12", "O"), shape, data. */
    public static final class Nd {
        final String dtype;
        final long[] shape;
        final Object data;

        /**
         * @param dtype numpy dtype name without byte order: f4, f8, i4, i8, U&lt;n&gt; or O
         * @param shape the shape
         * @param data  float[] (f4), double[] (f8), long[] (i4/i8), String[] (U or O), Object[] (O)
         */
        public Nd(String dtype, long[] shape, Object data) {
            this.dtype = dtype;
            this.shape = shape;
            this.data = data;
        }
    }

    private static final int FRAME_SIZE_TARGET = 64 * 1024;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream done = new ByteArrayOutputStream();
    private final String numpyModule;
    private final String numericModule;
    private final int protocol;
    private final java.util.Map<String, Integer> memoOf = new java.util.HashMap<>();
    private int memo;

    /** @param numpyModule "numpy.core.multiarray" (numpy 1.x, MMSA) or "numpy._core.multiarray" (numpy 2.x) */
    public Pickle4Writer(String numpyModule) {
        this(numpyModule, null, 4);
    }

    private Pickle4Writer(String numpyModule, String numericModule, int protocol) {
        this.numpyModule = numpyModule;
        this.numericModule = numericModule;
        this.protocol = protocol;
    }

    /**
     * @param numpy2 true: numpy 2.x module paths ({@code numpy._core}); false: numpy 1.x ({@code numpy.core})
     * @return a writer of protocol-5 pickles, as {@code pickle.dumps(obj, protocol=5)} with that numpy
     */
    public static Pickle4Writer protocol5(boolean numpy2) {
        String core = numpy2 ? "numpy._core" : "numpy.core";
        return new Pickle4Writer(core + ".multiarray", core + ".numeric", 5);
    }

    /** Pickles {@code obj} in protocol 5 (numpy 2.x module paths when {@code numpy2}) and writes it to {@code file}. */
    public static void write5(Path file, Object obj, boolean numpy2) throws IOException {
        Files.write(file, protocol5(numpy2).dumps(obj));
    }

    /** Pickles {@code obj} and writes it to {@code file}. */
    public static void write(Path file, Object obj) throws IOException {
        Files.write(file, new Pickle4Writer("numpy.core.multiarray").dumps(obj));
    }

    /** @return the pickle of {@code obj} */
    public byte[] dumps(Object obj) {
        out.reset();
        done.reset();
        memoOf.clear();
        memo = 0;
        done.write(0x80);
        done.write(protocol); // PROTO
        save(obj);
        out.write('.'); // STOP
        commitFrame();
        return done.toByteArray();
    }

    /** Closes the current frame: FRAME and its length, then its opcodes (under 4 bytes: no FRAME, as CPython). */
    private void commitFrame() {
        byte[] f = out.toByteArray();
        out.reset();
        if (f.length >= 4) {
            done.write(0x95);
            for (int i = 0; i < 8; i++) {
                done.write((int) ((long) f.length >> (8 * i)) & 0xFF);
            }
        }
        done.write(f, 0, f.length);
    }

    /** Writes a bytes-like opcode; a payload of 64 KiB or more goes outside the frames, as CPython's C pickler. */
    private void payload(byte[] header, byte[] data) {
        if (data.length >= FRAME_SIZE_TARGET) {
            commitFrame();
            done.write(header, 0, header.length);
            done.write(data, 0, data.length);
        } else {
            out.write(header, 0, header.length);
            out.write(data, 0, data.length);
        }
    }

    private void memoize() {
        out.write(0x94);
        memo++;
    }

    /** Memoizes what was just written under {@code key}, for {@link #fetch}. */
    private void memoize(String key) {
        memoOf.put(key, memo);
        memoize();
    }

    /** @return whether {@code key} was memoized, in which case its BINGET / LONG_BINGET is written */
    private boolean fetch(String key) {
        Integer i = memoOf.get(key);
        if (i == null) {
            return false;
        }
        if (i < 256) {
            out.write('h');
            out.write(i);
        } else {
            out.write('j');
            writeLE(i);
        }
        return true;
    }

    /** An interned Python string: written once, then fetched from the memo. */
    private void saveInterned(String s) {
        if (!fetch("s:" + s)) {
            writeString(s);
            memoize("s:" + s);
        }
    }

    private void save(Object o) {
        saveObject(o);
        if (out.size() >= FRAME_SIZE_TARGET) {
            commitFrame(); // an opcode boundary
        }
    }

    private void saveObject(Object o) {
        if (o == null) {
            out.write('N');
        } else if (o instanceof Boolean) {
            out.write((Boolean) o ? 0x88 : 0x89);
        } else if (o instanceof Integer || o instanceof Long) {
            saveInt(((Number) o).longValue());
        } else if (o instanceof Double || o instanceof Float) {
            out.write('G');
            writeBE(Double.doubleToLongBits(((Number) o).doubleValue()));
        } else if (o instanceof String) {
            saveString((String) o);
        } else if (o instanceof byte[]) {
            saveBytes((byte[]) o);
        } else if (o instanceof Object[]) {
            saveTuple((Object[]) o);
        } else if (o instanceof List) {
            out.write(']');
            memoize();
            List<?> l = (List<?>) o;
            for (int i = 0; i < l.size(); i += 1000) {
                out.write('(');
                for (int j = i; j < Math.min(l.size(), i + 1000); j++) {
                    save(l.get(j));
                }
                out.write('e'); // APPENDS
            }
        } else if (o instanceof Map) {
            out.write('}');
            memoize();
            Map<?, ?> m = (Map<?, ?>) o;
            if (!m.isEmpty()) {
                out.write('(');
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    save(e.getKey());
                    save(e.getValue());
                }
                out.write('u'); // SETITEMS
            }
        } else if (o instanceof Nd) {
            saveNd((Nd) o);
        } else {
            throw new IllegalArgumentException("cannot pickle " + o.getClass());
        }
    }

    private void saveInt(long v) {
        if (v < 0 && v >= Integer.MIN_VALUE) {
            out.write('J');
            writeLE((int) v);
        } else if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write((int) (v & 0xFF));
            out.write((int) (v >> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            writeLE((int) v);
        } else {
            out.write(0x8a); // LONG1
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >> (8 * i)) & 0xFF);
            }
        }
    }

    private void saveString(String s) {
        writeString(s);
        memoize();
    }

    private void writeString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 256) {
            out.write(0x8c);
            out.write(b.length);
        } else {
            out.write('X');
            writeLE(b.length);
        }
        out.write(b, 0, b.length);
    }

    private void saveBytes(byte[] b) {
        if (b.length < 256) {
            payload(new byte[]{'C', (byte) b.length}, b);
        } else {
            payload(new byte[]{'B', (byte) b.length, (byte) (b.length >> 8), (byte) (b.length >> 16),
                    (byte) (b.length >> 24)}, b);
        }
        memoize();
    }

    /** BYTEARRAY8 (protocol 5): a bytearray in-band. */
    private void saveByteArray(byte[] b) {
        byte[] h = new byte[9];
        h[0] = (byte) 0x96;
        for (int i = 0; i < 8; i++) {
            h[1 + i] = (byte) ((long) b.length >> (8 * i));
        }
        payload(h, b);
        memoize();
    }

    private void saveTuple(Object[] t) {
        if (t.length == 0) {
            out.write(')');
            return;
        }
        if (t.length > 3) {
            out.write('(');
        }
        for (Object e : t) {
            save(e);
        }
        out.write(t.length == 1 ? 0x85 : t.length == 2 ? 0x86 : t.length == 3 ? 0x87 : 't');
        memoize();
    }

    private void global(String module, String name) {
        if (fetch("g:" + module + "." + name)) {
            return;
        }
        saveInterned(module);
        saveInterned(name);
        out.write(0x93); // STACK_GLOBAL
        memoize("g:" + module + "." + name);
    }

    private void saveNd(Nd a) {
        if (protocol >= 5 && !a.dtype.equals("O")) {
            // numpy's __reduce_ex__(5) of a contiguous array: _frombuffer(bytearray, dtype, shape, order)
            global(numericModule, "_frombuffer");
            out.write('(');
            long n = 1;
            for (long d : a.shape) {
                n *= d;
            }
            saveByteArray(raw(a, (int) n));
            saveDType(a.dtype);
            Object[] shape = new Object[a.shape.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = a.shape[i];
            }
            saveTuple(shape);
            saveInterned("C");
            out.write('t');
            memoize();
            out.write('R');
            memoize();
            return;
        }
        global(numpyModule, "_reconstruct");
        global("numpy", "ndarray");
        saveTuple(new Object[]{0});
        saveBytes(new byte[]{'b'});
        out.write(0x87);
        memoize();
        out.write('R');
        memoize();
        // state
        out.write('(');
        saveInt(1);
        Object[] shape = new Object[a.shape.length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = a.shape[i];
        }
        saveTuple(shape);
        saveDType(a.dtype);
        out.write(0x89); // is_fortran False
        long n = 1;
        for (long d : a.shape) {
            n *= d;
        }
        if (a.dtype.equals("O")) {
            Object[] objs = a.data instanceof String[] ? (Object[]) a.data : (Object[]) a.data;
            save(java.util.Arrays.asList(objs));
        } else {
            saveBytes(raw(a, (int) n));
        }
        out.write('t');
        memoize();
        out.write('b'); // BUILD
    }

    private void saveDType(String name) {
        if (fetch("d:" + name)) {
            return; // numpy's dtypes are singletons: the second array of a dtype refers to the first one's
        }
        global("numpy", "dtype");
        saveString(name.equals("O") ? "O8" : name);
        out.write(0x89);
        out.write(0x88);
        out.write(0x87);
        memoize();
        out.write('R');
        memoize("d:" + name);
        out.write('(');
        saveInt(3);
        boolean object = name.equals("O");
        boolean unicode = name.startsWith("U");
        saveInterned(object ? "|" : "<");
        out.write('N');
        out.write('N');
        out.write('N');
        if (unicode) {
            saveInt(Integer.parseInt(name.substring(1)) * 4L);
            saveInt(4);
            saveInt(8);
        } else {
            saveInt(-1);
            saveInt(-1);
            saveInt(object ? 63 : 0);
        }
        out.write('t');
        memoize();
        out.write('b');
    }

    private static byte[] raw(Nd a, int n) {
        String t = a.dtype;
        ByteBuffer b;
        if (t.equals("f4")) {
            float[] d = (float[]) a.data;
            b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putFloat(d[i]);
        } else if (t.equals("f8")) {
            double[] d = (double[]) a.data;
            b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putDouble(d[i]);
        } else if (t.equals("i8")) {
            long[] d = (long[]) a.data;
            b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putLong(d[i]);
        } else if (t.equals("i4")) {
            long[] d = (long[]) a.data;
            b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putInt((int) d[i]);
        } else if (t.startsWith("U")) {
            int chars = Integer.parseInt(t.substring(1));
            String[] d = (String[]) a.data;
            b = ByteBuffer.allocate(4 * chars * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                int[] cps = d[i].codePoints().toArray();
                for (int c = 0; c < chars; c++) b.putInt(c < cps.length ? cps[c] : 0);
            }
        } else {
            throw new IllegalArgumentException("dtype " + t);
        }
        return b.array();
    }

    private void writeLE(int v) {
        for (int i = 0; i < 4; i++) {
            out.write((v >> (8 * i)) & 0xFF);
        }
    }

    private void writeBE(long v) {
        for (int i = 7; i >= 0; i--) {
            out.write((int) (v >> (8 * i)) & 0xFF);
        }
    }
}

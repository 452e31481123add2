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

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final String numpyModule;
    private int memo;

    /** @param numpyModule "numpy.core.multiarray" (numpy 1.x, MMSA) or "numpy._core.multiarray" (numpy 2.x) */
    public Pickle4Writer(String numpyModule) {
        this.numpyModule = numpyModule;
    }

    /** Pickles {@code obj} and writes it to {@code file}. */
    public static void write(Path file, Object obj) throws IOException {
        Files.write(file, new Pickle4Writer("numpy.core.multiarray").dumps(obj));
    }

    /** @return the protocol-4 pickle of {@code obj} */
    public byte[] dumps(Object obj) {
        out.reset();
        memo = 0;
        save(obj);
        out.write('.'); // STOP
        byte[] body = out.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(2 + 9 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x80).put((byte) 4); // PROTO 4
        b.put((byte) 0x95).putLong(body.length); // FRAME
        b.put(body);
        return b.array();
    }

    private void memoize() {
        out.write(0x94);
        memo++;
    }

    private void save(Object o) {
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
        if (v >= 0 && v < 256) {
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
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 256) {
            out.write(0x8c);
            out.write(b.length);
        } else {
            out.write('X');
            writeLE(b.length);
        }
        out.write(b, 0, b.length);
        memoize();
    }

    private void saveBytes(byte[] b) {
        if (b.length < 256) {
            out.write('C');
            out.write(b.length);
        } else {
            out.write('B');
            writeLE(b.length);
        }
        out.write(b, 0, b.length);
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
        saveString(module);
        saveString(name);
        out.write(0x93); // STACK_GLOBAL
        memoize();
    }

    private void saveNd(Nd a) {
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
        global("numpy", "dtype");
        saveString(name);
        out.write(0x89);
        out.write(0x88);
        out.write(0x87);
        memoize();
        out.write('R');
        memoize();
        out.write('(');
        saveInt(3);
        boolean object = name.equals("O");
        boolean unicode = name.startsWith("U");
        saveString(object ? "|" : "<");
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

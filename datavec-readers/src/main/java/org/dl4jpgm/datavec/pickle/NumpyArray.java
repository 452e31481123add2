package org.dl4jpgm.datavec.pickle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A numpy {@code ndarray} unpickled by {@link PickleReader}: {@code numpy.core.multiarray._reconstruct(ndarray,
 * (0,), b'b')} followed by BUILD with {@code (1, shape, dtype, is_fortran, rawdata)}; rawdata is the raw bytes, or a
 * list of Python objects for object arrays. Protocol 5 pickles of numeric and string arrays instead call
 * {@code numpy.core.numeric._frombuffer(buffer, dtype, shape, order)} (numpy 2: {@code numpy._core.numeric}) with the
 * data in-band as a BYTEARRAY8. Elements are addressed by their C-order (row-major) flat index whatever the storage
 * order.
 */
public final class NumpyArray {

    private long[] shape = new long[0];
    private NumpyDType dtype;
    private boolean fortran;
    private ByteBuffer raw;
    private List<?> objects;

    NumpyArray() {
    }

    /**
     * {@code _frombuffer(buffer, dtype, shape, order)}, numpy's protocol-5 reduction.
     *
     * @param args the call's arguments as unpickled
     */
    static NumpyArray fromBuffer(Object[] args) {
        if (args.length != 4) {
            throw new IllegalArgumentException("numpy _frombuffer: expected 4 arguments (buffer, dtype, shape, order), "
                    + "found " + args.length);
        }
        if (!(args[0] instanceof byte[])) {
            throw new IllegalArgumentException("numpy _frombuffer: expected the data in-band (bytes or bytearray), "
                    + "found " + (args[0] == null ? "None" : args[0].getClass().getSimpleName())
                    + " (out-of-band buffers, pickle.dumps(..., buffer_callback=...), are not supported)");
        }
        if (!(args[1] instanceof NumpyDType) || !(args[2] instanceof Object[]) || !(args[3] instanceof String)) {
            throw new IllegalArgumentException("numpy _frombuffer: expected (buffer, numpy.dtype, shape tuple, 'C' or "
                    + "'F'), found (" + typeName(args[0]) + ", " + typeName(args[1]) + ", " + typeName(args[2]) + ", "
                    + typeName(args[3]) + ")");
        }
        String order = (String) args[3];
        if (!order.equals("C") && !order.equals("F")) {
            throw new IllegalArgumentException("numpy _frombuffer: expected order 'C' or 'F', found '" + order + "'");
        }
        if (((NumpyDType) args[1]).kind() == 'O') {
            throw new IllegalArgumentException("numpy _frombuffer: an object dtype has no raw buffer");
        }
        NumpyArray a = new NumpyArray();
        a.__setstate__(new Object[]{1, args[2], args[1], order.equals("F"), args[0]});
        return a;
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    /** BUILD: {@code (version, shape, dtype, is_fortran, rawdata)}. */
    public void __setstate__(Object[] state) {
        if (state.length != 5) {
            throw new IllegalArgumentException("numpy ndarray state: expected 5 items (version, shape, dtype, "
                    + "is_fortran, data), found " + state.length);
        }
        if (!(state[1] instanceof Object[]) || !(state[2] instanceof NumpyDType)) {
            throw new IllegalArgumentException("numpy ndarray state: expected (version, shape tuple, numpy.dtype, "
                    + "is_fortran, data), found (" + typeName(state[0]) + ", " + typeName(state[1]) + ", "
                    + typeName(state[2]) + ", " + typeName(state[3]) + ", " + typeName(state[4]) + ")");
        }
        Object[] s = (Object[]) state[1];
        shape = new long[s.length];
        long n = 1;
        for (int i = 0; i < s.length; i++) {
            if (!(s[i] instanceof Integer || s[i] instanceof Long) || ((Number) s[i]).longValue() < 0) {
                throw new IllegalArgumentException("numpy ndarray state: expected a shape of non-negative integers, "
                        + "found " + Arrays.deepToString(s));
            }
            shape[i] = ((Number) s[i]).longValue();
            try {
                n = Math.multiplyExact(n, shape[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("numpy ndarray state: the shape " + Arrays.toString(shape)
                        + " has more than 2^63 elements");
            }
        }
        dtype = (NumpyDType) state[2];
        fortran = Boolean.TRUE.equals(state[3]);
        if (state[4] instanceof byte[] || state[4] instanceof String) {
            int limit = Integer.MAX_VALUE - 8;
            if (dtype.itemSize() == 0 || n > limit / dtype.itemSize()) {
                throw new IllegalArgumentException("numpy ndarray " + Arrays.toString(shape) + " of " + dtype
                        + ": expected at most " + limit + " data bytes and an item size above 0");
            }
            if (dtype.kind() == 'O') {
                throw new IllegalArgumentException("numpy ndarray of " + dtype + ": expected a list of objects as "
                        + "data, found raw bytes");
            }
        } else if (dtype.kind() != 'O') {
            throw new IllegalArgumentException("numpy ndarray of " + dtype + ": expected raw bytes as data, found "
                    + typeName(state[4]));
        }
        if (state[4] instanceof List) {
            objects = (List<?>) state[4];
            if (objects.size() != n) {
                throw new IllegalArgumentException("numpy ndarray " + Arrays.toString(shape) + ": expected " + n
                        + " objects, found " + objects.size());
            }
        } else if (state[4] instanceof byte[] || state[4] instanceof String) {
            // Python 2 pickles hold the data as a py2 str, which Pyrolite gives back one char per byte
            byte[] b = state[4] instanceof byte[] ? (byte[]) state[4]
                    : ((String) state[4]).getBytes(StandardCharsets.ISO_8859_1);
            if ((long) b.length != n * dtype.itemSize()) {
                throw new IllegalArgumentException("numpy ndarray " + Arrays.toString(shape) + " of " + dtype
                        + ": expected " + n * dtype.itemSize() + " data bytes, found " + b.length);
            }
            raw = ByteBuffer.wrap(b).order(dtype.order());
            if (dtype.kind() == 'U') { // UTF-32: every non-zero unit must be a code point
                for (int p = 0; p + 4 <= b.length; p += 4) {
                    int cp = raw.getInt(p);
                    if (cp != 0 && (!Character.isValidCodePoint(cp) || (cp >= 0xD800 && cp <= 0xDFFF))) {
                        throw new IllegalArgumentException("numpy ndarray " + Arrays.toString(shape) + " of " + dtype
                                + ": element " + p / Math.max(1, dtype.itemSize()) + " holds 0x"
                                + Integer.toHexString(cp) + ", which is not a Unicode code point");
                    }
                }
            }
        } else {
            throw new IllegalArgumentException("numpy ndarray: expected raw bytes or a list as data, found "
                    + (state[4] == null ? "None" : state[4].getClass().getSimpleName()));
        }
    }

    /** @return the shape, e.g. [N, S, D] */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the dtype */
    public NumpyDType dtype() {
        return dtype;
    }

    /** @return the number of elements */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** @return whether the data is a list of Python objects (dtype O) */
    public boolean isObjectArray() {
        return objects != null;
    }

    /** @return whether every element is a number: always for numeric dtypes, checked one by one for objects */
    public boolean allNumbers() {
        if (objects == null) {
            return isNumeric();
        }
        for (Object o : objects) {
            if (!(o instanceof Number)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the elements are numbers (kinds f, i, u, b, or O holding only numbers) */
    public boolean isNumeric() {
        if (dtype == null) {
            return false; // reconstructed but never built (no BUILD in the pickle)
        }
        char k = dtype.kind();
        if (k == 'O') {
            return objects != null && allNumbers();
        }
        return k == 'f' || k == 'i' || k == 'u' || k == 'b';
    }

    private int storageIndex(long flatC) {
        if (!fortran || shape.length < 2) {
            return (int) flatC;
        }
        long rem = flatC;
        long off = 0;
        long stride = 1;
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        for (int d = 0; d < shape.length; d++) {
            off += idx[d] * stride;
            stride *= shape[d];
        }
        return (int) off;
    }

    /** @return element {@code flatIndex} (C order) as a double; object elements must be numbers */
    public double getDouble(long flatIndex) {
        int i = storageIndex(flatIndex);
        if (objects != null) {
            Object o = objects.get(i);
            if (o instanceof Number) {
                return ((Number) o).doubleValue();
            }
            throw new IllegalStateException("numpy object array element " + flatIndex + ": expected a number, found "
                    + (o == null ? "None" : o.getClass().getSimpleName()));
        }
        int sz = dtype.itemSize();
        int p = i * sz;
        switch (dtype.kind()) {
            case 'f':
                if (sz == 4) return raw.getFloat(p);
                if (sz == 8) return raw.getDouble(p);
                break;
            case 'i':
                if (sz == 1) return raw.get(p);
                if (sz == 2) return raw.getShort(p);
                if (sz == 4) return raw.getInt(p);
                if (sz == 8) return raw.getLong(p);
                break;
            case 'u':
                if (sz == 1) return raw.get(p) & 0xFF;
                if (sz == 2) return raw.getShort(p) & 0xFFFF;
                if (sz == 4) return raw.getInt(p) & 0xFFFFFFFFL;
                if (sz == 8) return raw.getLong(p);
                break;
            case 'b':
                return raw.get(p) != 0 ? 1 : 0;
            default:
                break;
        }
        throw new IllegalStateException("numpy array of " + dtype + ": not numeric");
    }

    /** @return {@code length} elements from C-order flat index {@code from}, as floats */
    public float[] getFloats(long from, int length) {
        float[] out = new float[length];
        for (int k = 0; k < length; k++) {
            out[k] = (float) getDouble(from + k);
        }
        return out;
    }

    /** @return element {@code flatIndex} as text: U and S elements decoded (trailing NULs removed), objects by toString */
    public String getString(long flatIndex) {
        int i = storageIndex(flatIndex);
        if (objects != null) {
            Object o = objects.get(i);
            if (o instanceof byte[]) {
                return new String((byte[]) o, StandardCharsets.UTF_8);
            }
            return String.valueOf(o);
        }
        int sz = dtype.itemSize();
        if (dtype.kind() == 'U') {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < sz / 4; c++) {
                int cp = raw.getInt(i * sz + c * 4);
                if (cp == 0) {
                    break;
                }
                sb.appendCodePoint(cp);
            }
            return sb.toString();
        }
        if (dtype.kind() == 'S') {
            int len = 0;
            while (len < sz && raw.get(i * sz + len) != 0) {
                len++;
            }
            byte[] b = new byte[len];
            for (int c = 0; c < len; c++) {
                b[c] = raw.get(i * sz + c);
            }
            return new String(b, StandardCharsets.UTF_8);
        }
        double d = getDouble(flatIndex);
        return d == Math.rint(d) && dtype.kind() != 'f' ? String.valueOf((long) d) : String.valueOf(d);
    }

    @Override
    public String toString() {
        return dtype == null ? "ndarray without state (never built)" : "ndarray" + Arrays.toString(shape) + " " + dtype;
    }
}

package org.dl4jpgm.datavec.pickle;

import java.nio.ByteOrder;

/**
 * A numpy {@code dtype} as pickled: {@code numpy.dtype(name, False, True)} followed by BUILD with the state tuple
 * {@code (3, byteorder, subarray, names, fields, elsize, alignment, flags)}. Only plain (non-structured) dtypes are
 * supported: kinds f (float), i / u (integer), b (bool), U (UCS-4 string), S (bytes), O (object).
 */
public final class NumpyDType {

    private final String name;
    private char kind;
    private int itemSize;
    private char byteOrder = '=';

    /** Called by the unpickler with {@code (name, align, copy)}. */
    NumpyDType(String name) {
        this.name = name;
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("numpy dtype: expected a type name like 'f4', found '" + name + "'");
        }
        String n = name;
        if (n.charAt(0) == '<' || n.charAt(0) == '>' || n.charAt(0) == '|' || n.charAt(0) == '=') {
            byteOrder = n.charAt(0);
            n = n.substring(1);
        }
        kind = n.charAt(0);
        String digits = n.substring(1);
        switch (kind) {
            case 'f': case 'i': case 'u': case 'b': case 'U': case 'S': case 'O':
                break;
            default:
                throw new IllegalArgumentException("numpy dtype: expected a plain kind (f, i, u, b, U, S, O), found '"
                        + name + "'");
        }
        if (!digits.matches("\\d{0,7}")) {
            throw new IllegalArgumentException("numpy dtype: expected an item size of at most 7 digits, found '"
                    + name + "'");
        }
        itemSize = digits.isEmpty() ? (kind == 'b' ? 1 : 0) : Integer.parseInt(digits);
        if (kind == 'U') {
            itemSize *= 4;
        }
        checkItemSize();
    }

    /** Rejects item sizes the element accessors cannot read (f3, i16, b2, ...). */
    private void checkItemSize() {
        boolean ok;
        switch (kind) {
            case 'f':
                ok = itemSize == 4 || itemSize == 8;
                break;
            case 'i':
            case 'u':
                ok = itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8;
                break;
            case 'b':
                ok = itemSize == 1;
                break;
            case 'O':
                ok = true;
                break;
            default: // U and S: the dtype of an array has a size of at least one character
                ok = itemSize >= 0;
        }
        if (!ok) {
            throw new IllegalArgumentException("numpy dtype '" + name + "': item size " + itemSize + " is not "
                    + "supported for kind '" + kind + "' (f4, f8, i1-i8, u1-u8, b1, U<n>, S<n>, O)");
        }
    }

    /** BUILD: {@code (version, byteorder, subarray, names, fields, elsize, alignment, flags)}. */
    public void __setstate__(Object[] state) {
        if (state.length >= 2 && state[1] instanceof String && !((String) state[1]).isEmpty()) {
            byteOrder = ((String) state[1]).charAt(0);
        }
        if (state.length >= 3 && state[2] != null) {
            throw new IllegalArgumentException("numpy dtype '" + name + "': sub-array dtypes are not supported");
        }
        if (state.length >= 5 && state[3] != null) {
            throw new IllegalArgumentException("numpy dtype '" + name + "': structured dtypes are not supported");
        }
        if (state.length >= 6 && state[5] instanceof Number && ((Number) state[5]).intValue() > 0) {
            itemSize = ((Number) state[5]).intValue();
            checkItemSize();
        }
    }

    /** @return the numpy kind character: f, i, u, b, U, S or O */
    public char kind() {
        return kind;
    }

    /** @return bytes per element (0 for object arrays) */
    public int itemSize() {
        return itemSize;
    }

    /** @return the byte order of the raw data ('>' is big endian; '<', '|', '=' are read as little endian) */
    public ByteOrder order() {
        return byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** @return the dtype as numpy writes it, e.g. {@code <f4} */
    public String str() {
        return (kind == 'O' ? "|" : String.valueOf(byteOrder == '=' ? '<' : byteOrder)) + kind
                + (kind == 'O' ? "" : String.valueOf(kind == 'U' ? itemSize / 4 : itemSize));
    }

    @Override
    public String toString() {
        return str();
    }
}

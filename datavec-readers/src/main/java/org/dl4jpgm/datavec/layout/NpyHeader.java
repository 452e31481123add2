package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a numpy {@code .npy} file (format versions 1-3), parsed in Java before the file is
 * handed to ND4J's native reader, so that a missing, truncated or foreign file gives a clear error
 * (naming the file, the expected and the found dtype/shape/size) instead of a native failure.
 */
public final class NpyHeader {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final String descr;
    private final boolean fortranOrder;
    private final long[] shape;
    private final long dataOffset;

    private NpyHeader(String descr, boolean fortranOrder, long[] shape, long dataOffset) {
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
        this.dataOffset = dataOffset;
    }

    /**
     * Reads and checks the header of {@code file}: magic string, header dictionary, and that the
     * file size equals header + product(shape) x item size.
     *
     * @throws DatasetFormatException if the file is missing or is not a well-formed .npy file
     */
    public static NpyHeader read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, -1, "expected a numpy .npy file, found no such file");
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read: " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(file); DataInputStream din = new DataInputStream(in)) {
            byte[] magic = new byte[6];
            if (din.read(magic) != 6 || !Arrays.equals(magic, MAGIC)) {
                throw new DatasetFormatException(file, -1,
                        "expected a numpy .npy file (magic \\x93NUMPY), found other content");
            }
            int major = din.readUnsignedByte();
            din.readUnsignedByte();
            long headerLen;
            int prefix;
            if (major == 1) {
                headerLen = Short.toUnsignedInt(Short.reverseBytes(din.readShort()));
                prefix = 10;
            } else if (major == 2 || major == 3) {
                headerLen = Integer.toUnsignedLong(Integer.reverseBytes(din.readInt()));
                prefix = 12;
            } else {
                throw new DatasetFormatException(file, -1, "expected .npy format version 1, 2 or 3, found " + major);
            }
            if (headerLen > 1 << 20 || prefix + headerLen > size) {
                throw new DatasetFormatException(file, -1, "truncated .npy header (header length " + headerLen
                        + ", file size " + size + ")");
            }
            byte[] h = new byte[(int) headerLen];
            din.readFully(h);
            String dict = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String body = dict.strip();
            if (!body.startsWith("{") || !body.endsWith("}")) {
                throw new DatasetFormatException(file, -1, "expected a header dictionary {...} after the "
                        + prefix + "-byte preamble, found: " + printable(body));
            }
            Matcher md = DESCR.matcher(dict);
            Matcher mf = FORTRAN.matcher(dict);
            Matcher ms = SHAPE.matcher(dict);
            if (!md.find() || !mf.find() || !ms.find()) {
                throw new DatasetFormatException(file, -1,
                        "expected a header dictionary with 'descr', 'fortran_order' and 'shape', found: " + dict.trim());
            }
            List<Long> dims = new ArrayList<>();
            String[] parts = ms.group(1).split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                String d = parts[i].strip();
                if (d.isEmpty() && i == parts.length - 1 && i > 0) {
                    continue; // the trailing comma of (7,)
                }
                if (!d.matches("\\d{1,18}")) {
                    throw new DatasetFormatException(file, -1, "expected a shape of non-negative integers, found ("
                            + printable(ms.group(1)) + ")");
                }
                dims.add(Long.parseLong(d));
            }
            if (ms.group(1).isBlank()) {
                dims.clear();
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            NpyHeader header = new NpyHeader(md.group(1), "True".equals(mf.group(1)), shape, prefix + headerLen);
            long expected;
            try {
                expected = Math.addExact(header.dataOffset, Math.multiplyExact(header.length(), header.itemSize()));
            } catch (ArithmeticException e) {
                expected = Long.MAX_VALUE;
            }
            if (header.itemSize() > 0 && size != expected) {
                throw new DatasetFormatException(file, -1, "expected " + expected + " bytes for dtype " + header.descr
                        + " and shape " + Arrays.toString(shape) + ", found " + size + " bytes (truncated or corrupt file)");
            }
            return header;
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read .npy header: " + e.getMessage(), e);
        }
    }

    /** numpy dtype string, e.g. {@code <f4}. */
    public String descr() {
        return descr;
    }

    /** True when the data is stored column-major. */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    /** The shape as stored (numpy order). */
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements ({@link Long#MAX_VALUE} when the product of the shape overflows). */
    public long length() {
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** Byte offset of the data in the file (after the preamble and the header dictionary). */
    public long dataOffset() {
        return dataOffset;
    }

    /** Bytes per element, parsed from {@link #descr()} (e.g. 4 for {@code <f4}); 0 if unknown. */
    public int itemSize() {
        String digits = descr.replaceAll("[^0-9]", "");
        return digits.isEmpty() || digits.length() > 6 ? 0 : Integer.parseInt(digits);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /**
     * Reads the data of a float32 / float64 file (as checked by {@link #read}, C order) into a float32 array of the
     * header's shape, in Java: ND4J's native .npy parser is not handed files it may crash on.
     */
    public INDArray readFloats(Path file) {
        if (!isFloat() || fortranOrder) {
            throw new DatasetFormatException(file, -1, "expected dtype <f4 or <f8 in C order, found " + descr
                    + (fortranOrder ? " in Fortran order" : ""));
        }
        long n = length();
        if (n > Integer.MAX_VALUE - 8) {
            throw new DatasetFormatException(file, -1, "expected at most " + (Integer.MAX_VALUE - 8)
                    + " elements, found " + n + " (shape " + Arrays.toString(shape) + ")");
        }
        INDArray out = Nd4j.create(DataType.FLOAT, shape.length == 0 ? new long[0] : shape, 'c');
        int item = itemSize();
        try (FileChannel ch = FileChannel.open(file)) {
            ch.position(dataOffset);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long i = 0;
            while (i < n) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), (n - i) * item));
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        throw new DatasetFormatException(file, -1, "expected " + n + " elements, found the end of "
                                + "the file at element " + (i + buf.position() / item));
                    }
                }
                buf.flip();
                while (buf.remaining() >= item) {
                    out.data().put(i++, item == 4 ? buf.getFloat() : (float) buf.getDouble());
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read .npy data: " + e.getMessage(), e);
        }
        return out;
    }

    /** Reads the data of a little-endian integer file ({@link #isInteger()}, shape [N]) as ints. */
    public int[] readInts(Path file) {
        if (!isInteger() || shape.length != 1) {
            throw new DatasetFormatException(file, -1, "expected an integer array [N], found dtype " + descr
                    + " shape " + Arrays.toString(shape));
        }
        if (shape[0] > Integer.MAX_VALUE - 8) {
            throw new DatasetFormatException(file, -1, "expected at most " + (Integer.MAX_VALUE - 8)
                    + " elements, found " + shape[0]);
        }
        int n = (int) shape[0];
        int item = itemSize();
        if ((long) n * item > Integer.MAX_VALUE - 8) {
            throw new DatasetFormatException(file, -1, "expected at most " + (Integer.MAX_VALUE - 8)
                    + " bytes of lengths, found " + (long) n * item);
        }
        boolean unsigned = descr.charAt(1) == 'u';
        int[] out = new int[n];
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer buf = ByteBuffer.allocate(n * item).order(ByteOrder.LITTLE_ENDIAN);
            ch.position(dataOffset);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new DatasetFormatException(file, -1, "expected " + n + " elements, found the end of the "
                            + "file");
                }
            }
            buf.flip();
            for (int i = 0; i < n; i++) {
                long v;
                switch (item) {
                    case 1: v = unsigned ? buf.get() & 0xFF : buf.get(); break;
                    case 2: v = unsigned ? buf.getShort() & 0xFFFF : buf.getShort(); break;
                    case 4: v = unsigned ? buf.getInt() & 0xFFFFFFFFL : buf.getInt(); break;
                    default: v = buf.getLong(); break;
                }
                if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE || unsigned && item == 8 && v < 0) {
                    throw new DatasetFormatException(file, -1, "expected lengths that fit in 32 bits, found "
                            + (unsigned && item == 8 ? Long.toUnsignedString(v) : String.valueOf(v))
                            + " at element " + i);
                }
                out[i] = (int) v;
            }
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read .npy data: " + e.getMessage(), e);
        }
        return out;
    }

    /** True for little-endian or byte-order-free float types ({@code <f4}, {@code <f8}). */
    public boolean isFloat() {
        return descr.equals("<f4") || descr.equals("<f8");
    }

    /** True for little-endian signed/unsigned integer types of 1-8 bytes. */
    public boolean isInteger() {
        return descr.matches("[<|][iu][1248]");
    }
}

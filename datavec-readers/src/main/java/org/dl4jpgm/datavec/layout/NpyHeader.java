package org.dl4jpgm.datavec.layout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
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
            Matcher md = DESCR.matcher(dict);
            Matcher mf = FORTRAN.matcher(dict);
            Matcher ms = SHAPE.matcher(dict);
            if (!md.find() || !mf.find() || !ms.find()) {
                throw new DatasetFormatException(file, -1,
                        "expected a header dictionary with 'descr', 'fortran_order' and 'shape', found: " + dict.trim());
            }
            List<Long> dims = new ArrayList<>();
            for (String s : ms.group(1).split(",")) {
                if (!s.isBlank()) {
                    dims.add(Long.parseLong(s.trim()));
                }
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            NpyHeader header = new NpyHeader(md.group(1), "True".equals(mf.group(1)), shape, prefix + headerLen);
            long expected = header.dataOffset + header.length() * header.itemSize();
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

    /** Number of elements. */
    public long length() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes per element, parsed from {@link #descr()} (e.g. 4 for {@code <f4}); 0 if unknown. */
    public int itemSize() {
        String digits = descr.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
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

package org.dl4jpgm.datavec.wikipedia;

import org.dl4jpgm.datavec.common.DataFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.Inflater;

/**
 * A pass over the top-level elements of a MATLAB v5 file before it is parsed: every element's byte count must fit in
 * the file, and every compressed element must inflate without a zlib error to at least the byte count its inner tag
 * declares. The parser sizes its buffers from those counts, so a corrupt one (a flipped bit in a compressed stream
 * inflates to a garbage tag) would otherwise have it allocate up to gigabytes before the error shows.
 */
final class MatScan {

    private static final int MI_MATRIX = 14;
    private static final int MI_COMPRESSED = 15;

    private MatScan() {
    }

    /** @throws DataFormatException naming the file and the byte offset of the element */
    static void check(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (size < 128) {
                return; // the parser reports the short header
            }
            ByteBuffer head = ByteBuffer.allocate(128);
            ch.read(head, 0);
            ByteOrder order = head.get(126) == 'I' && head.get(127) == 'M' ? ByteOrder.LITTLE_ENDIAN
                    : ByteOrder.BIG_ENDIAN;
            long pos = 128;
            ByteBuffer tag = ByteBuffer.allocate(8).order(order);
            while (pos + 8 <= size) {
                tag.clear();
                ch.read(tag, pos);
                int type = tag.getInt(0);
                long bytes = Integer.toUnsignedLong(tag.getInt(4));
                long left = size - pos - 8;
                if (bytes > left) {
                    throw new DataFormatException(file, "byte " + pos + " of " + size, "a MATLAB v5 element of at "
                            + "most the " + left + " bytes left in the file", "an element (type " + type
                            + ") declaring " + bytes + " bytes (a corrupt or truncated file)");
                }
                if (type == MI_COMPRESSED) {
                    inflated(file, ch, pos, (int) bytes, size, order);
                }
                pos += 8 + bytes;
                if (type == MI_MATRIX) {
                    pos = (pos + 7) / 8 * 8;
                }
            }
        }
    }

    private static void inflated(Path file, FileChannel ch, long pos, int bytes, long size, ByteOrder order)
            throws IOException {
        String where = "byte " + pos + " of " + size + " (compressed element)";
        ByteBuffer in = ByteBuffer.allocate(Math.min(bytes, 1 << 20));
        Inflater inf = new Inflater();
        byte[] out = new byte[1 << 16];
        byte[] innerTag = new byte[8];
        long total = 0;
        long read = 0;
        try {
            while (!inf.finished()) {
                if (inf.needsInput()) {
                    if (read >= bytes) {
                        throw new DataFormatException(file, where, "a complete zlib stream", "its end after "
                                + bytes + " bytes");
                    }
                    in.clear();
                    in.limit((int) Math.min(in.capacity(), bytes - read));
                    int n = ch.read(in, pos + 8 + read);
                    if (n <= 0) {
                        throw new DataFormatException(file, where, "a complete zlib stream", "the end of the file");
                    }
                    read += n;
                    inf.setInput(in.array(), 0, n);
                }
                int n = inf.inflate(out);
                if (n == 0 && inf.needsDictionary()) {
                    throw new DataFormatException(file, where, "a zlib stream without a preset dictionary",
                            "one that needs a dictionary");
                }
                for (int k = 0; k < n && total + k < 8; k++) {
                    innerTag[(int) total + k] = out[k];
                }
                total += n;
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new DataFormatException(file, where, "a valid zlib stream", "zlib error: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
        if (total >= 8) {
            long declared = Integer.toUnsignedLong(ByteBuffer.wrap(innerTag).order(order).getInt(4));
            if ((ByteBuffer.wrap(innerTag).order(order).getInt(0) >>> 16) == 0 && declared > total - 8) {
                throw new DataFormatException(file, where, "an inner element of at most the " + (total - 8)
                        + " bytes inflated", "one declaring " + declared + " bytes");
            }
        }
    }
}

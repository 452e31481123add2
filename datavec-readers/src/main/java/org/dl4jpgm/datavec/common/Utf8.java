package org.dl4jpgm.datavec.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Strict UTF-8 decoding of the text files of the datasets: a byte that is not valid UTF-8 is never replaced; it is a
 * {@link DataFormatException} naming the file, the 1-based line and the 0-based byte offset of the first bad byte.
 */
public final class Utf8 {

    /** The first byte of a file that is not valid UTF-8. */
    public static final class Malformed {
        private final long offset;
        private final long line;
        private final int value;

        Malformed(long offset, long line, int value) {
            this.offset = offset;
            this.line = line;
            this.value = value;
        }

        /** @return the 0-based byte offset of the first bad byte */
        public long offset() {
            return offset;
        }

        /** @return the 1-based line it lies on (lines end with LF) */
        public long line() {
            return line;
        }

        /** @return "line L, byte offset B", for {@link DataFormatException}'s place */
        public String where() {
            return "line " + line + ", byte offset " + offset;
        }

        /** @return what was found: "the byte 0xE9, which is not valid UTF-8 there" */
        public String found() {
            return String.format("the byte 0x%02X, which is not valid UTF-8 there", value);
        }
    }

    private Utf8() {
    }

    /** @return the first bad byte of {@code bytes}, or null when they are all valid UTF-8 */
    public static Malformed find(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) {
                return at(bytes, in.position());
            }
            if (r.isUnderflow()) {
                r = d.flush(out);
                if (r.isError()) {
                    return at(bytes, in.position());
                }
                return in.hasRemaining() ? at(bytes, in.position()) : null;
            }
            out.clear(); // overflow: the text itself is not kept
        }
    }

    private static Malformed at(byte[] bytes, int offset) {
        long line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return new Malformed(offset, line, bytes[offset] & 0xFF);
    }

    /**
     * Decodes {@code bytes} of {@code file} as strict UTF-8.
     *
     * @throws DataFormatException {@code <file>, line L, byte offset B: expected UTF-8 text, found the byte 0xXX,
     *                             which is not valid UTF-8 there}
     */
    public static String decode(Path file, byte[] bytes) {
        Malformed m = find(bytes);
        if (m != null) {
            throw new DataFormatException(file, m.where(), "UTF-8 text", m.found());
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads a whole file as strict UTF-8 (errors as {@link #decode}). */
    public static String read(Path file) throws IOException {
        return decode(file, Files.readAllBytes(file));
    }
}

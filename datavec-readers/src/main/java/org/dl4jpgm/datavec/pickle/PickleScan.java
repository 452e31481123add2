package org.dl4jpgm.datavec.pickle;

import org.dl4jpgm.datavec.common.DataFormatException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pass over a pickle's opcodes before it is unpickled: every length an opcode declares (FRAME, the byte, string and
 * long opcodes, BYTEARRAY8) must fit in the bytes left in the file. The unpickler allocates a buffer of the declared
 * length before reading it, so a corrupt length of, say, 2^31 - 1 would otherwise exhaust the heap or stall the read
 * instead of failing on the truncated file. The pass skips over the data of the length-prefixed opcodes, so its cost
 * is one read of the opcodes, not of the arrays. It stops at STOP or at an opcode it does not know (the unpickler
 * then reports that one).
 */
final class PickleScan {

    private PickleScan() {
    }

    /** @throws DataFormatException naming the file, the opcode's byte offset, its name and the declared length */
    static void check(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long pos = 0;
            while (pos < size) {
                int op = in.read();
                if (op < 0) {
                    return;
                }
                long at = pos;
                pos++;
                int width;
                String name;
                switch (op) {
                    case 0x95: width = 8; name = "FRAME"; break;
                    case 0x8a: width = 1; name = "LONG1"; break;
                    case 'U': width = 1; name = "SHORT_BINSTRING"; break;
                    case 0x8c: width = 1; name = "SHORT_BINUNICODE"; break;
                    case 'C': width = 1; name = "SHORT_BINBYTES"; break;
                    case 'T': width = 4; name = "BINSTRING"; break;
                    case 'X': width = 4; name = "BINUNICODE"; break;
                    case 'B': width = 4; name = "BINBYTES"; break;
                    case 0x8b: width = 4; name = "LONG4"; break;
                    case 0x8d: width = 8; name = "BINUNICODE8"; break;
                    case 0x8e: width = 8; name = "BINBYTES8"; break;
                    case 0x96: width = 8; name = "BYTEARRAY8"; break;
                    case '.':
                        return;
                    case 'I': case 'L': case 'S': case 'V': case 'F': case 'P': case 'g': case 'p':
                    case 'c': case 'i': { // arguments ending at a newline (two lines for GLOBAL and INST)
                        for (int line = 0; line < (op == 'c' || op == 'i' ? 2 : 1); line++) {
                            int c;
                            while ((c = in.read()) >= 0 && c != '\n') {
                                pos++;
                            }
                            if (c < 0) {
                                return;
                            }
                            pos++;
                        }
                        continue;
                    }
                    default: {
                        int skip = fixedArgument(op);
                        if (skip < 0) {
                            return; // an unknown opcode: left to the unpickler
                        }
                        if (skip > 0) {
                            if (!skip(in, skip)) {
                                return;
                            }
                            pos += skip;
                        }
                        continue;
                    }
                }
                byte[] b = new byte[width];
                if (in.readNBytes(b, 0, width) < width) {
                    return; // truncated inside the length: the unpickler reports the end of the file
                }
                pos += width;
                long len = 0;
                for (int k = width - 1; k >= 0; k--) {
                    len = (len << 8) | (b[k] & 0xFF);
                }
                boolean signed = width == 4 && (op == 'T' || op == 0x8b); // BINSTRING and LONG4 lengths are signed
                if (signed) {
                    len = (int) len;
                }
                long left = size - pos;
                if (len < 0 || len > left) {
                    throw new DataFormatException(file, "byte " + at + " of " + size, "a complete pickle: opcode "
                            + name + " with a length of at most the " + left + " bytes left in the file",
                            "length " + (len < 0 && !signed ? Long.toUnsignedString(len) : String.valueOf(len))
                                    + " (a corrupt or truncated file)");
                }
                if (op == 0x95) {
                    continue; // a frame's opcodes follow and are scanned one by one
                }
                if (!skip(in, len)) {
                    return;
                }
                pos += len;
            }
        }
    }

    /** @return the bytes of an opcode's fixed-width argument, 0 for none, -1 for an unknown opcode */
    private static int fixedArgument(int op) {
        switch (op) {
            case '(': case '0': case '1': case '2': case 'N': case 'R': case 'a': case 'b': case 'd': case '}':
            case 'e': case 'l': case ']': case 'o': case 's': case 't': case ')': case 'u':
            case 0x81: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91:
            case 0x92: case 0x93: case 0x94: case 0x97: case 0x98:
                return 0;
            case 'K': case 'h': case 'q': case 0x80: case 0x82:
                return 1;
            case 'M': case 0x83:
                return 2;
            case 'J': case 'j': case 'r': case 0x84:
                return 4;
            case 'G':
                return 8;
            default:
                return -1;
        }
    }

    private static boolean skip(InputStream in, long n) throws IOException {
        try {
            in.skipNBytes(n);
            return true;
        } catch (EOFException e) {
            return false;
        }
    }
}

package org.dl4jpgm.datavec.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a valid file: generic byte-level ones (bit flips, byte insert / delete / duplicate, truncation,
 * splice, boundary integers) and format-aware ones (pickle opcodes and length fields, HDF5 and MAT header words,
 * .npy header dictionary, CSV quotes and fields, JSON keys and types, XML tags and entities, decimal numbers in text).
 * A mutation is a pure function of the input bytes and the {@link Random}, so an input is reproduced by its seed.
 */
final class Mutator {

    /** The kind of file, which selects the format-aware mutations. */
    enum Kind { PICKLE, HDF5, MAT, NPY, CSV, JSON, XML, LIST }

    static final long[] BOUNDARY = {0, 1, -1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, Integer.MAX_VALUE,
            Integer.MIN_VALUE, 0xFFFFFFFFL, 1L << 31, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 1L << 62};
    static final String[] NUMBERS = {"0", "-1", "1", "2147483647", "-2147483648", "2147483648", "4294967296",
            "9223372036854775807", "99999999999999999999999", "-0", "1e309", "-1e309", "NaN", "nan", "inf", "Infinity",
            "1.5", "0x10", "", " ", "007", "1e-400", "3.0000000001"};
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    private Mutator() {
    }

    /** @return {@code in} after one to three mutations chosen with {@code r} */
    static byte[] mutate(byte[] in, Kind kind, Random r) {
        byte[] b = in;
        int n = 1 + (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
        for (int k = 0; k < n; k++) {
            b = r.nextInt(10) < 6 ? aware(b, kind, r) : generic(b, r);
        }
        return b;
    }

    // ---- generic ---------------------------------------------------------------------------------------------

    static byte[] generic(byte[] b, Random r) {
        if (b.length == 0) {
            return new byte[]{(byte) r.nextInt(256)};
        }
        switch (r.nextInt(9)) {
            case 0: { // bit flips
                byte[] o = b.clone();
                int flips = 1 + r.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int p = r.nextInt(o.length);
                    o[p] ^= (byte) (1 << r.nextInt(8));
                }
                return o;
            }
            case 1: { // set bytes to interesting values
                byte[] o = b.clone();
                int[] vals = {0, 0xFF, 0x7F, 0x80, 0x01, '"', ',', '\n', '\r', 0xC3, 0xE9};
                int p = r.nextInt(o.length);
                o[p] = (byte) vals[r.nextInt(vals.length)];
                return o;
            }
            case 2: { // insert random bytes
                int p = r.nextInt(b.length + 1);
                byte[] ins = new byte[1 + r.nextInt(16)];
                r.nextBytes(ins);
                return splice(b, p, 0, ins);
            }
            case 3: { // delete a range
                int p = r.nextInt(b.length);
                int len = 1 + r.nextInt(Math.max(1, Math.min(64, b.length - p)));
                return splice(b, p, Math.min(len, b.length - p), new byte[0]);
            }
            case 4: { // duplicate a chunk
                int p = r.nextInt(b.length);
                int len = 1 + r.nextInt(Math.max(1, Math.min(256, b.length - p)));
                len = Math.min(len, b.length - p);
                return splice(b, p, 0, Arrays.copyOfRange(b, p, p + len));
            }
            case 5: // truncate
                return Arrays.copyOf(b, r.nextInt(b.length));
            case 6: { // splice: overwrite a chunk with bytes from elsewhere in the file
                int len = 1 + r.nextInt(Math.min(64, b.length));
                int from = r.nextInt(b.length - len + 1);
                int to = r.nextInt(b.length - len + 1);
                byte[] o = b.clone();
                System.arraycopy(b, from, o, to, len);
                return o;
            }
            case 7: // a little- or big-endian integer replaced by a boundary value
                return boundaryInt(b, r.nextInt(b.length), r);
            default: { // swap two chunks' order
                int p = r.nextInt(b.length);
                int q = r.nextInt(b.length);
                int lo = Math.min(p, q);
                int hi = Math.max(p, q);
                byte[] o = new byte[b.length];
                int mid = lo + (hi - lo) / 2;
                System.arraycopy(b, 0, o, 0, lo);
                System.arraycopy(b, mid, o, lo, hi - mid);
                System.arraycopy(b, lo, o, lo + hi - mid, mid - lo);
                System.arraycopy(b, hi, o, hi, b.length - hi);
                return o;
            }
        }
    }

    /** Writes a boundary value as a 1, 2, 4 or 8-byte little- or big-endian integer at {@code p}. */
    static byte[] boundaryInt(byte[] b, int p, Random r) {
        int[] widths = {1, 2, 4, 8};
        int w = widths[r.nextInt(4)];
        long v = BOUNDARY[r.nextInt(BOUNDARY.length)];
        if (r.nextInt(4) == 0) {
            v = b.length + r.nextInt(64) - 32; // near the file's size
        }
        return putInt(b, p, w, v, r.nextBoolean());
    }

    static byte[] putInt(byte[] b, int p, int w, long v, boolean littleEndian) {
        byte[] o = b.clone();
        for (int k = 0; k < w && p + k < o.length; k++) {
            int shift = 8 * (littleEndian ? k : w - 1 - k);
            o[p + k] = (byte) (v >>> shift);
        }
        return o;
    }

    static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] o = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, o, 0, at);
        System.arraycopy(insert, 0, o, at, insert.length);
        System.arraycopy(b, at + remove, o, at + insert.length, b.length - at - remove);
        return o;
    }

    // ---- format-aware ----------------------------------------------------------------------------------------

    static byte[] aware(byte[] b, Kind kind, Random r) {
        switch (kind) {
            case PICKLE:
                return pickle(b, r);
            case HDF5:
                return hdf5(b, r);
            case MAT:
                return mat(b, r);
            case NPY:
                return npy(b, r);
            case CSV:
                return csv(b, r);
            case JSON:
                return json(b, r);
            case XML:
                return xml(b, r);
            default:
                return list(b, r);
        }
    }

    // -- pickle

    /** One opcode of a pickle: its offset, the offset and width of its length / integer argument (0 if none). */
    static final class Op {
        final int pos;
        final int code;
        final int argPos;
        final int argWidth;
        final boolean lengthPrefixed;
        final int end;

        Op(int pos, int code, int argPos, int argWidth, boolean lengthPrefixed, int end) {
            this.pos = pos;
            this.code = code;
            this.argPos = argPos;
            this.argWidth = argWidth;
            this.lengthPrefixed = lengthPrefixed;
            this.end = end;
        }
    }

    private static final String NO_ARG = "(.012NRabd}eltl)u]os\u0081\u0085\u0086\u0087\u0088\u0089\u008f\u0090\u0091"
            + "\u0092\u0093\u0094\u0097\u0098";
    private static final String LINE_ARG = "ILSVFPgp";
    /** opcode -> width of its fixed integer argument. */
    private static final String INT1 = "Khq\u0080\u0082";
    private static final String INT2 = "M\u0083";
    private static final String INT4 = "Jjr\u0084";
    private static final String INT8 = "G\u0095";
    /** opcodes whose argument is a length followed by that many bytes, by the length's width. */
    private static final String LEN1 = "\u008aU\u008cC";
    private static final String LEN4 = "TXB\u008b";
    private static final String LEN8 = "\u008d\u008e\u0096";
    /** Every opcode byte, to swap with. */
    private static final byte[] OPCODES = (NO_ARG + LINE_ARG + "ci" + INT1 + INT2 + INT4 + INT8 + LEN1 + LEN4 + LEN8)
            .getBytes(StandardCharsets.ISO_8859_1);

    /** Walks the opcodes of a pickle (stops at STOP, an unknown opcode or the end). */
    static List<Op> ops(byte[] b) {
        List<Op> ops = new ArrayList<>();
        int p = 0;
        while (p < b.length) {
            char c = (char) (b[p] & 0xFF);
            int a = p + 1;
            Op op;
            if (NO_ARG.indexOf(c) >= 0 || c == '.') {
                op = new Op(p, c, a, 0, false, a);
            } else if (LINE_ARG.indexOf(c) >= 0) {
                int e = indexOf(b, (byte) '\n', a);
                if (e < 0) {
                    break;
                }
                op = new Op(p, c, a, 0, false, e + 1);
            } else if (c == 'c' || c == 'i') {
                int e1 = indexOf(b, (byte) '\n', a);
                int e2 = e1 < 0 ? -1 : indexOf(b, (byte) '\n', e1 + 1);
                if (e2 < 0) {
                    break;
                }
                op = new Op(p, c, a, 0, false, e2 + 1);
            } else if (INT1.indexOf(c) >= 0) {
                op = new Op(p, c, a, 1, false, a + 1);
            } else if (INT2.indexOf(c) >= 0) {
                op = new Op(p, c, a, 2, false, a + 2);
            } else if (INT4.indexOf(c) >= 0) {
                op = new Op(p, c, a, 4, false, a + 4);
            } else if (INT8.indexOf(c) >= 0) {
                op = new Op(p, c, a, 8, false, a + 8);
            } else if (LEN1.indexOf(c) >= 0 || LEN4.indexOf(c) >= 0 || LEN8.indexOf(c) >= 0) {
                int w = LEN1.indexOf(c) >= 0 ? 1 : LEN4.indexOf(c) >= 0 ? 4 : 8;
                if (a + w > b.length) {
                    break;
                }
                long len = 0;
                for (int k = w - 1; k >= 0; k--) {
                    len = (len << 8) | (b[a + k] & 0xFF);
                }
                if (len < 0 || a + w + len > b.length) {
                    break;
                }
                op = new Op(p, c, a, w, true, (int) (a + w + len));
            } else {
                break;
            }
            if (op.end > b.length) {
                break;
            }
            ops.add(op);
            if (c == '.') {
                break;
            }
            p = op.end;
        }
        return ops;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** numpy dtype names as they appear in pickles, grouped by length so a swap keeps every length field right. */
    private static final String[][] DTYPES = {
            {"f4", "f8", "i4", "i8", "u1", "u8", "b1", "O8", "U1", "S4", "V4", "c8", "M8", "f2", "i3", "f0"},
            {"<f4", ">f4", "|b1", "<i8", ">i8", "<U8", "|S4", "|O8", "=f8", "<c8", "<V4"},
            {"U12", "U99", "U00", "S12", "f16", "i16", "O12"}};

    static byte[] pickle(byte[] b, Random r) {
        List<Op> ops = ops(b);
        if (ops.isEmpty()) {
            return generic(b, r);
        }
        Op op = ops.get(r.nextInt(ops.size()));
        switch (r.nextInt(8)) {
            case 0: { // swap the opcode for another one
                byte[] o = b.clone();
                o[op.pos] = OPCODES[r.nextInt(OPCODES.length)];
                return o;
            }
            case 1: // delete the opcode with its argument
                return splice(b, op.pos, op.end - op.pos, new byte[0]);
            case 2: // duplicate the opcode with its argument
                return splice(b, op.end, 0, Arrays.copyOfRange(b, op.pos, op.end));
            case 3:
            case 4: { // an integer or length argument set to a boundary value
                List<Op> withArg = new ArrayList<>();
                for (Op x : ops) {
                    if (x.argWidth > 0) {
                        withArg.add(x);
                    }
                }
                if (withArg.isEmpty()) {
                    return generic(b, r);
                }
                Op x = withArg.get(r.nextInt(withArg.size()));
                long v = BOUNDARY[r.nextInt(BOUNDARY.length)];
                if (x.lengthPrefixed && r.nextBoolean()) {
                    v = (x.end - x.argPos - x.argWidth) + r.nextInt(5) - 2; // off by a little
                }
                return putInt(b, x.argPos, x.argWidth, v, true);
            }
            case 5: { // a numpy dtype name swapped for another of the same length
                int len = 2 + r.nextInt(3);
                String[] names = DTYPES[len - 2];
                String s = new String(b, StandardCharsets.ISO_8859_1);
                List<Integer> at = new ArrayList<>();
                for (String nm : names) {
                    for (int i = s.indexOf(nm); i >= 0; i = s.indexOf(nm, i + 1)) {
                        at.add(i);
                    }
                }
                if (at.isEmpty()) {
                    return generic(b, r);
                }
                byte[] o = b.clone();
                byte[] rep = names[r.nextInt(names.length)].getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(rep, 0, o, at.get(r.nextInt(at.size())), rep.length);
                return o;
            }
            case 6: { // move an opcode elsewhere
                byte[] cut = Arrays.copyOfRange(b, op.pos, op.end);
                byte[] rest = splice(b, op.pos, op.end - op.pos, new byte[0]);
                Op to = ops.get(r.nextInt(ops.size()));
                int at = Math.min(rest.length, to.pos);
                return splice(rest, at, 0, cut);
            }
            default: // truncate at an opcode boundary or inside an argument
                return Arrays.copyOf(b, Math.min(b.length, r.nextBoolean() ? op.pos : op.argPos + r.nextInt(
                        Math.max(1, op.end - op.argPos))));
        }
    }

    // -- binary containers

    static byte[] hdf5(byte[] b, Random r) {
        // the superblock, object headers and B-tree nodes near the start hold the addresses and sizes
        int region = Math.min(b.length, r.nextBoolean() ? 2048 : b.length);
        int p = r.nextInt(Math.max(1, region)) & ~(r.nextBoolean() ? 7 : 3);
        if (r.nextInt(3) == 0) {
            byte[] o = b.clone();
            o[Math.min(p, o.length - 1)] ^= (byte) (1 << r.nextInt(8));
            return o;
        }
        int w = r.nextBoolean() ? 8 : 4;
        return putInt(b, Math.min(p, Math.max(0, b.length - w)), w, BOUNDARY[r.nextInt(BOUNDARY.length)], true);
    }

    static byte[] mat(byte[] b, Random r) {
        // MAT v5: a 128-byte header, then 8-byte tags (type, byte count) of elements and their sub-elements
        if (b.length <= 136) {
            return generic(b, r);
        }
        int p = 128 + (r.nextInt(b.length - 128) & ~3);
        switch (r.nextInt(4)) {
            case 0: // the version / endian indicator
                return putInt(b, 124 + r.nextInt(4), 1, r.nextInt(256), true);
            case 1: { // a data type
                int[] types = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 99};
                return putInt(b, p, 4, types[r.nextInt(types.length)], true);
            }
            default: // a byte count or a dimension
                return putInt(b, p, 4, BOUNDARY[r.nextInt(BOUNDARY.length)], true);
        }
    }

    static byte[] npy(byte[] b, Random r) {
        int dictEnd = Math.min(b.length, indexOf(b, (byte) '\n', 0) < 0 ? b.length : indexOf(b, (byte) '\n', 0) + 1);
        if (b.length < 10 || r.nextInt(4) == 0) {
            if (b.length < 10) {
                return generic(b, r);
            }
            switch (r.nextInt(3)) {
                case 0: // the version
                    return putInt(b, 6, 1, new int[]{0, 1, 2, 3, 4, 255}[r.nextInt(6)], true);
                case 1: // the header length
                    return putInt(b, 8, 2, BOUNDARY[r.nextInt(BOUNDARY.length)], true);
                default: // the magic
                    return putInt(b, r.nextInt(6), 1, r.nextInt(256), true);
            }
        }
        String head = new String(b, 0, dictEnd, StandardCharsets.ISO_8859_1);
        String[][] swaps = {{"'<f4'", "'<f8'", "'>f4'", "'<i4'", "'|b1'", "'<U8'", "'|O'", "'<f2'", "'<c8'", "'f4'",
                "'<f'", "''", "'<f4 '", "'<f99999999999'"}, {"False", "True", "None", "0"}};
        String mutated;
        switch (r.nextInt(4)) {
            case 0: {
                String[] set = swaps[0];
                mutated = head.replaceFirst("'[<>|=]?[a-zA-Z]\\d*'", set[r.nextInt(set.length)]);
                break;
            }
            case 1:
                mutated = head.replaceFirst("False|True", swaps[1][r.nextInt(swaps[1].length)]);
                break;
            case 2: { // a shape number
                Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(head);
                if (!m.find()) {
                    return generic(b, r);
                }
                String[] shapes = {"()", "(0,)", "(-1, 4)", "(7,)", "(2147483647, 2147483647, 4)", "(a, b)",
                        "(7, 4, 1, 1)", "(9223372036854775807, 2)", "(4294967296, 4294967296)", "(7, 0)", "(7,,4)",
                        "(99999999999999999999, 1)", "(-7, -4)", "(7, 4"};
                mutated = head.substring(0, m.start()) + "'shape': " + shapes[r.nextInt(shapes.length)]
                        + head.substring(m.end());
                break;
            }
            default:
                mutated = number(head, r);
                break;
        }
        byte[] h = mutated.getBytes(StandardCharsets.ISO_8859_1);
        byte[] o = splice(b, 0, dictEnd, h);
        if (r.nextBoolean() && o.length >= 10 && (o[6] == 1)) { // keep the header length consistent
            o = putInt(o, 8, 2, h.length - 10, true);
        }
        return o;
    }

    // -- text

    static byte[] csv(byte[] b, Random r) {
        String s = new String(b, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
        int li = r.nextInt(lines.size());
        String line = lines.get(li);
        switch (r.nextInt(10)) {
            case 0: // an extra quote
                lines.set(li, insertAt(line, r, "\""));
                break;
            case 1: // a removed quote
                lines.set(li, removeOne(line, r, '"'));
                break;
            case 2: // an extra field
                lines.set(li, insertAt(line, r, ","));
                break;
            case 3: // a removed separator
                lines.set(li, removeOne(line, r, ','));
                break;
            case 4: // a duplicated line
                lines.add(li, line);
                break;
            case 5: // a removed line
                lines.remove(li);
                break;
            case 6: // an emptied field
                lines.set(li, line.replaceFirst(",[^,]*,", ",,"));
                break;
            case 7: // CRLF / lone CR / a NUL / BOM
                lines.set(li, line + new String[]{"\r", "\r\r", "\u0000", ""}[r.nextInt(4)]);
                if (r.nextInt(4) == 0) {
                    lines.set(0, "\uFEFF" + lines.get(0));
                }
                break;
            case 8: // a quoted field made to span lines
                lines.set(li, insertAt(line, r, "\"\n\""));
                break;
            default:
                return number(s, r).getBytes(StandardCharsets.UTF_8);
        }
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] json(byte[] b, Random r) {
        String s = new String(b, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"([A-Za-z_]+)\"\\s*:\\s*").matcher(s);
        List<int[]> keys = new ArrayList<>();
        while (m.find()) {
            keys.add(new int[]{m.start(), m.end()});
        }
        if (keys.isEmpty() || r.nextInt(8) == 0) {
            return number(s, r).getBytes(StandardCharsets.UTF_8);
        }
        int[] k = keys.get(r.nextInt(keys.size()));
        int valueEnd = valueEnd(s, k[1]);
        String value = s.substring(k[1], valueEnd);
        String[] replacements = {"null", "0", "-1", "2147483648", "\"\"", "\"x\"", "[]", "{}", "true", "[null]",
                "[\"a\", \"a\"]", "[1, 2]", "{\"name\": 1}", "1e999", "\"..\\/..\\/x\"", "\"\\u0000\""};
        switch (r.nextInt(5)) {
            case 0: { // remove the key with its value (and a following comma)
                int end = valueEnd;
                while (end < s.length() && Character.isWhitespace(s.charAt(end))) {
                    end++;
                }
                if (end < s.length() && s.charAt(end) == ',') {
                    end++;
                }
                return (s.substring(0, k[0]) + s.substring(end)).getBytes(StandardCharsets.UTF_8);
            }
            case 1: // rename the key
                return (s.substring(0, k[0]) + "\"zz\" : " + s.substring(k[1])).getBytes(StandardCharsets.UTF_8);
            case 2: // an array value wrapped / unwrapped
                return (s.substring(0, k[1]) + (value.startsWith("[") ? value.replaceAll("^\\[|]$", "")
                        : "[" + value + "]") + s.substring(valueEnd)).getBytes(StandardCharsets.UTF_8);
            case 3: // duplicate the pair
                return (s.substring(0, valueEnd) + ", " + s.substring(k[0], valueEnd) + s.substring(valueEnd))
                        .getBytes(StandardCharsets.UTF_8);
            default: // the value's type changed
                return (s.substring(0, k[1]) + replacements[r.nextInt(replacements.length)] + s.substring(valueEnd))
                        .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** End of the JSON value starting at {@code from} (balanced brackets, strings with escapes). */
    private static int valueEnd(String s, int from) {
        int depth = 0;
        boolean str = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (str) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    str = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                continue;
            }
            if (c == '"') {
                str = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return s.length();
    }

    static byte[] xml(byte[] b, Random r) {
        String s = new String(b, StandardCharsets.UTF_8);
        String[] pieces = {"<text>", "</text>", "&amp;", "&#0;", "&#x110000;", "&#xD800;", "&#99999999999;", "&bogus;",
                "&", "<![CDATA[x]]>", "<!-- </text> -->", "<!DOCTYPE d [<!ENTITY e \"x\">]>", "&e;", "\uFFFF",
                "\uD800", "<text/>", "]]>", "&#;", "&#x;"};
        switch (r.nextInt(5)) {
            case 0: // a removed tag
                return s.replaceFirst(r.nextBoolean() ? "<text>" : "</text>", "").getBytes(StandardCharsets.UTF_8);
            case 1: // tags swapped
                return s.replace("<text>", "\u0001").replace("</text>", "<text>").replace("\u0001", "</text>")
                        .getBytes(StandardCharsets.UTF_8);
            case 2: // an inserted piece
                return insertAt(s, r, pieces[r.nextInt(pieces.length)]).getBytes(StandardCharsets.UTF_8);
            case 3: { // a non-UTF-8 byte or a lone continuation byte
                byte[] o = b.clone();
                o[r.nextInt(o.length)] = (byte) new int[]{0xE9, 0x80, 0xFF, 0xC3, 0x00}[r.nextInt(5)];
                return o;
            }
            default: // the text emptied
                return s.replaceAll("(?s)<text>.*</text>", r.nextBoolean() ? "<text></text>" : "<text> </text>")
                        .getBytes(StandardCharsets.UTF_8);
        }
    }

    static byte[] list(byte[] b, Random r) {
        String s = new String(b, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
        int li = r.nextInt(lines.size());
        String line = lines.get(li);
        String[] f = line.split("\t", -1);
        switch (r.nextInt(7)) {
            case 0: // a field removed
                if (f.length > 1) {
                    List<String> l = new ArrayList<>(Arrays.asList(f));
                    l.remove(r.nextInt(l.size()));
                    lines.set(li, String.join("\t", l));
                }
                break;
            case 1: // a field added
                lines.set(li, line + "\t" + new String[]{"x", "3", "", " "}[r.nextInt(4)]);
                break;
            case 2: { // an id with path characters
                String[] ids = {"../x", "/etc/passwd", "a\u0000b", "", " ", "a/b", "..", "CON", "a:b", "\u00e9",
                        "x".repeat(300)};
                f[r.nextInt(Math.min(2, f.length))] = ids[r.nextInt(ids.length)];
                lines.set(li, String.join("\t", f));
                break;
            }
            case 3: // the category
                f[f.length - 1] = NUMBERS[r.nextInt(NUMBERS.length)];
                lines.set(li, String.join("\t", f));
                break;
            case 4: // separators changed
                lines.set(li, line.replace('\t', new char[]{' ', ',', '\u00a0', '\u000b'}[r.nextInt(4)]));
                break;
            case 5: // a duplicated line
                lines.add(li, line);
                break;
            default: // a blank or whitespace line
                lines.add(li, new String[]{"", " ", "\t", "\r"}[r.nextInt(4)]);
                break;
        }
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    /** A decimal number of {@code s} replaced by a boundary value. */
    static String number(String s, Random r) {
        Matcher m = NUMBER.matcher(s);
        List<int[]> at = new ArrayList<>();
        while (m.find()) {
            at.add(new int[]{m.start(), m.end()});
        }
        if (at.isEmpty()) {
            return insertAt(s, r, NUMBERS[r.nextInt(NUMBERS.length)]);
        }
        int[] x = at.get(r.nextInt(at.size()));
        return s.substring(0, x[0]) + NUMBERS[r.nextInt(NUMBERS.length)] + s.substring(x[1]);
    }

    private static String insertAt(String s, Random r, String piece) {
        int p = r.nextInt(s.length() + 1);
        return s.substring(0, p) + piece + s.substring(p);
    }

    private static String removeOne(String s, Random r, char c) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                at.add(i);
            }
        }
        if (at.isEmpty()) {
            return s;
        }
        int i = at.get(r.nextInt(at.size()));
        return s.substring(0, i) + s.substring(i + 1);
    }

    /** Concatenates byte arrays (for building inputs in regression tests). */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }
}

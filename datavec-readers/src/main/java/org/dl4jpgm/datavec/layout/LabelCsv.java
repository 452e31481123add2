package org.dl4jpgm.datavec.layout;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes a target file of the layout: CSV, header {@code id,label} (or {@code id,<target name>}),
 * one row per example in {@code .npy} row order. Fields may be quoted RFC 4180 style.
 */
final class LabelCsv {

    /** Ids and raw label strings of one target file. */
    record Rows(List<String> ids, List<String> labels) {
    }

    private LabelCsv() {
    }

    static Rows read(Path file, TargetSpec target) {
        List<String> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, -1, "expected the CSV of target '" + target.getName() + "', found no such file");
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read: " + e.getMessage(), e);
        }
        org.dl4jpgm.datavec.common.Utf8.Malformed bad = org.dl4jpgm.datavec.common.Utf8.find(bytes);
        if (bad != null) {
            throw new DatasetFormatException(file, bad.line(), "expected UTF-8 text, found at byte offset "
                    + bad.offset() + " " + bad.found());
        }
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8)))) {
            String header = r.readLine();
            if (header == null) {
                throw new DatasetFormatException(file, 1, "expected header \"id,label\", found an empty file");
            }
            if (header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            List<String> h = split(header, file, 1);
            if (h.size() != 2 || !h.get(0).trim().equals("id")
                    || !(h.get(1).trim().equals("label") || h.get(1).trim().equals(target.getName()))) {
                throw new DatasetFormatException(file, 1, "expected header \"id,label\" (or \"id," + target.getName()
                        + "\"), found \"" + header + "\"");
            }
            String line;
            long lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                List<String> f = split(line, file, lineNo);
                if (f.size() != 2) {
                    throw new DatasetFormatException(file, lineNo, "expected 2 fields (id,label), found " + f.size() + ": \"" + line + "\"");
                }
                ids.add(f.get(0));
                labels.add(f.get(1).trim());
            }
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read: " + e.getMessage(), e);
        }
        return new Rows(ids, labels);
    }

    static void write(Path file, List<String> ids, List<String> labels) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id,label\n");
            for (int i = 0; i < ids.size(); i++) {
                w.write(quote(ids.get(i)));
                w.write(',');
                w.write(quote(labels.get(i)));
                w.write('\n');
            }
        }
    }

    private static String quote(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    static List<String> split(String line, Path file, long lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"' && cur.length() == 0) {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new DatasetFormatException(file, lineNo, "unterminated quoted field in \"" + line + "\"");
        }
        out.add(cur.toString());
        return out;
    }
}

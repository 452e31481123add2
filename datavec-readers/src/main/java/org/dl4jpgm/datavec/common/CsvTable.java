package org.dl4jpgm.datavec.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An RFC 4180 CSV file read whole: comma separated, fields optionally in double quotes, a doubled quote inside
 * quotes is a literal quote, quoted fields may span lines (CRLF or LF). The file is decoded as strict UTF-8 (a
 * leading byte order mark is dropped); characters are kept exactly as shipped. Each row remembers the physical
 * line it starts on, so that errors can name it.
 */
public final class CsvTable {

    /** One row: its fields and the 1-based line of the file it starts on. */
    public static final class Row {
        private final int line;
        private final List<String> fields;

        Row(int line, List<String> fields) {
            this.line = line;
            this.fields = Collections.unmodifiableList(fields);
        }

        /** @return the 1-based line the row starts on */
        public int line() {
            return line;
        }

        /** @return the row's fields */
        public List<String> fields() {
            return fields;
        }
    }

    private final Path file;
    private final List<Row> rows;

    private CsvTable(Path file, List<Row> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /** @return all rows, header included if the file has one */
    public List<Row> rows() {
        return rows;
    }

    /**
     * Reads a CSV file.
     *
     * @throws DataFormatException for invalid UTF-8 (naming line and byte offset of the first bad byte), a quote inside an unquoted field, text after a closing quote
     *                             or a quoted field never closed
     */
    public static CsvTable read(Path file) throws IOException {
        String text = Utf8.read(file); // a bad byte: file, line and byte offset
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return new CsvTable(file, parse(file, text));
    }

    private static List<Row> parse(Path file, String s) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int rowLine = 1;
        int quoteLine = 0;
        boolean inQuotes = false;
        boolean wasQuoted = false;
        boolean rowHasContent = false;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < n && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        inQuotes = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
                continue;
            }
            if (c == '"') {
                if (field.length() > 0 || wasQuoted) {
                    throw new DataFormatException(file, "line " + line, "a quote only at the start of a field",
                            "a quote after '" + field + "'");
                }
                inQuotes = true;
                wasQuoted = true;
                quoteLine = line;
                rowHasContent = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
                rowHasContent = true;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i++;
                }
                if (rowHasContent || field.length() > 0) {
                    fields.add(field.toString());
                    rows.add(new Row(rowLine, fields));
                }
                fields = new ArrayList<>();
                field.setLength(0);
                wasQuoted = false;
                rowHasContent = false;
                line++;
                rowLine = line;
            } else {
                if (wasQuoted) {
                    throw new DataFormatException(file, "line " + line, "a comma or line end after a closing quote",
                            "'" + c + "'");
                }
                field.append(c);
                rowHasContent = true;
            }
        }
        if (inQuotes) {
            throw new DataFormatException(file, "line " + quoteLine, "a closing quote for the field opened there",
                    "end of file");
        }
        if (rowHasContent || field.length() > 0) {
            fields.add(field.toString());
            rows.add(new Row(rowLine, fields));
        }
        return rows;
    }
}

package org.dl4jpgm.datavec.layout;

import java.nio.file.Path;

/**
 * A dataset directory does not follow the project's layout. The message always says what was
 * expected, what was found, and where (the file and, for text files, the 1-based line; for
 * {@code .npy} files, the 0-based row).
 */
public class DatasetFormatException extends RuntimeException {

    private final Path file;
    private final long line;

    /**
     * @param file    the offending file (may be null when the problem spans files)
     * @param line    the 1-based line for text files or 0-based row for arrays; -1 when not applicable
     * @param message what was expected and what was found
     */
    public DatasetFormatException(Path file, long line, String message) {
        super(where(file, line) + message);
        this.file = file;
        this.line = line;
    }

    /** Same as {@link #DatasetFormatException(Path, long, String)}, with a cause. */
    public DatasetFormatException(Path file, long line, String message, Throwable cause) {
        super(where(file, line) + message, cause);
        this.file = file;
        this.line = line;
    }

    private static String where(Path file, long line) {
        if (file == null) {
            return "";
        }
        return line >= 0 ? file + ":" + line + ": " : file + ": ";
    }

    /** The offending file, or null. */
    public Path getFile() {
        return file;
    }

    /** The line (text) or row (array) of the problem, or -1. */
    public long getLine() {
        return line;
    }
}

package org.dl4jpgm.datavec.layout;

import org.dl4jpgm.datavec.common.DataFormatException;

import java.nio.file.Path;

/**
 * A dataset directory does not follow the project's layout. The message always says what was
 * expected, what was found, and where (the file and, for text files, the 1-based line; for
 * {@code .npy} files, the 0-based row). A {@link DataFormatException}, like every reader's format error.
 */
public class DatasetFormatException extends DataFormatException {

    private final long line;

    /**
     * @param file    the offending file (may be null when the problem spans files)
     * @param line    the 1-based line for text files or 0-based row for arrays; -1 when not applicable
     * @param message what was expected and what was found
     */
    public DatasetFormatException(Path file, long line, String message) {
        this(file, line, message, null);
    }

    /** Same as {@link #DatasetFormatException(Path, long, String)}, with a cause. */
    public DatasetFormatException(Path file, long line, String message, Throwable cause) {
        super(where(file, line) + message, file, line >= 0 ? "line " + line : null, cause);
        this.line = line;
    }

    private static String where(Path file, long line) {
        if (file == null) {
            return "";
        }
        return line >= 0 ? file + ":" + line + ": " : file + ": ";
    }

    /** The line (text) or row (array) of the problem, or -1. */
    public long getLine() {
        return line;
    }
}

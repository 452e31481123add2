package org.dl4jpgm.datavec.common;

import java.nio.file.Path;

/**
 * A dataset file does not have the structure its reader expects. The message always names the file, the place
 * inside it (line, record, dataset path or byte offset) and what was expected versus what was found. Every reader of
 * this module throws it (the project layout's {@code DatasetFormatException} is one), so one catch covers them all.
 */
public class DataFormatException extends RuntimeException {

    private final String file;
    private final String where;

    /**
     * @param file     the offending file (or directory)
     * @param where    location inside the file: "line 12", "record 3", "dataset /x/data/v1/features", "byte 812"
     * @param expected what the reader expected there
     * @param found    what it found instead
     */
    public DataFormatException(Path file, String where, String expected, String found) {
        this(file, where, expected, found, null);
    }

    /** As {@link #DataFormatException(Path, String, String, String)}, with the underlying cause. */
    public DataFormatException(Path file, String where, String expected, String found, Throwable cause) {
        this(file + (where == null || where.isEmpty() ? "" : ", " + where) + ": expected " + expected
                + ", found " + found, file, where, cause);
    }

    /**
     * For subclasses that word their messages themselves (they must still name the file, the place, what was
     * expected and what was found).
     *
     * @param message the whole message
     * @param file    the offending file, or null when the problem spans files
     * @param where   the location inside the file, or null
     */
    protected DataFormatException(String message, Path file, String where, Throwable cause) {
        super(message, cause);
        this.file = file == null ? null : file.toString();
        this.where = where;
    }

    /** @return the offending file, as a string (null when the problem spans files) */
    public String getFile() {
        return file;
    }

    /** @return the location inside the file ("line 12", "record 3", ...) */
    public String getWhere() {
        return where;
    }
}

package org.dl4jpgm.datavec.common;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** File names read from a dataset's own files (CSV fields, list entries), resolved with a format error when invalid. */
public final class FileNames {

    private FileNames() {
    }

    /**
     * Resolves {@code names} one after the other against {@code base}.
     *
     * @param source the file the names were read from
     * @param where  the place in {@code source} ("line 12")
     * @param what   what the names denote, for the message ("the image")
     * @throws DataFormatException naming {@code source} and {@code where} when a name is not a valid path (a NUL
     *                             character, for example)
     */
    public static Path resolve(Path base, Path source, String where, String what, String... names) {
        Path p = base;
        for (String n : names) {
            try {
                p = p.resolve(n);
            } catch (InvalidPathException e) {
                throw new DataFormatException(source, where, "a valid file name for " + what, "'"
                        + n.replace("\u0000", "\\0") + "' (" + e.getReason() + ")");
            }
        }
        return p;
    }
}

package org.dl4jpgm.datavec.pickle;

import org.dl4jpgm.datavec.common.DataFormatException;

import java.nio.file.Path;

/**
 * A pickle too large for the Java heap, found before reading it (instead of an {@code OutOfMemoryError} part way):
 * the message names the file, its size, the heap it needs and the {@code -Xmx} to run with. A
 * {@link DataFormatException}, so that one catch covers every reader's errors.
 */
public class PickleTooLargeException extends DataFormatException {

    private final long fileSize;
    private final long xmxGiB;

    PickleTooLargeException(Path file, long fileSize, long need, long free, long xmxGiB) {
        super(file + ", file of " + fileSize + " bytes: expected a pickle that fits in the Java heap (reading it needs "
                + "about " + mib(need) + " MiB, " + PickleReader.HEAP_FACTOR + " x its size, and " + mib(free)
                + " MiB are available), found too little heap; run Java with -Xmx" + xmxGiB + "g or more",
                file, "file of " + fileSize + " bytes", null);
        this.fileSize = fileSize;
        this.xmxGiB = xmxGiB;
    }

    private static long mib(long bytes) {
        return (long) Math.ceil(bytes / (double) (1L << 20));
    }

    /** @return the size of the pickle in bytes */
    public long getFileSize() {
        return fileSize;
    }

    /** @return the -Xmx to run with, in GiB */
    public long getXmxGiB() {
        return xmxGiB;
    }
}

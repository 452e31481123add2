package org.dl4jpgm.datavec.common;

import org.datavec.api.split.FileSplit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DataVec input splits over a dataset's files that never write to the dataset. DataVec's {@link FileSplit} creates an
 * empty file where its path names nothing ({@code createNewFile} in its initialisation), so a missing MELD CSV would be
 * left behind as an empty file in the user's data folder and then reported as empty; here a missing path is a
 * {@link DataFormatException} naming it, before any split exists.
 */
public final class InputSplits {

    private InputSplits() {
    }

    /**
     * A {@link FileSplit} over an existing file or folder.
     *
     * @param path a dataset file or folder
     * @param what what the path should hold, for the message, e.g. {@code "MELD's train CSV"}
     * @throws DataFormatException naming {@code path} when nothing is there
     */
    public static FileSplit existing(Path path, String what) {
        if (!Files.exists(path)) {
            throw new DataFormatException(path, null, what, "nothing at that path");
        }
        return new FileSplit(path.toFile());
    }
}

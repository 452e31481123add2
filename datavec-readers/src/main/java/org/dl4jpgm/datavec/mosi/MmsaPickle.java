package org.dl4jpgm.datavec.mosi;

import org.dl4jpgm.datavec.pickle.PickleReader;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An MMSA pickle parsed once, to be shared by several {@link MosiPickleSequenceRecordReader}s (one per modality and
 * one for the labels) through {@link MosiPickleSequenceRecordReader.Builder#preloaded}: the real files are 0.3-1 GB.
 */
public final class MmsaPickle {

    private final Path file;
    private final Object root;

    private MmsaPickle(Path file, Object root) {
        this.file = file;
        this.root = root;
    }

    /** Parses {@code file} (errors as {@link PickleReader#read}). */
    public static MmsaPickle read(Path file) throws IOException {
        return new MmsaPickle(file.toAbsolutePath(), PickleReader.read(file));
    }

    /** @return the file parsed */
    public Path file() {
        return file;
    }

    Object root() {
        return root;
    }
}

package org.dl4jpgm.datavec.common;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.SequenceRecord;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.records.reader.SequenceRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.Writable;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Base of the dataset readers: the dataset is parsed and validated once in {@link #initialize(InputSplit)}, then
 * served by index. Every record carries a {@link RecordMetaDataIndex} whose index is the record's position in the
 * source file (so a skipped record leaves a gap, and {@link #loadFromMetaData} of a kept record works in any order).
 *
 * <p>It is both a {@link org.datavec.api.records.reader.RecordReader} ({@link #next()}: the record view, e.g. ids and
 * labels) and a {@link SequenceRecordReader} ({@link #sequenceRecord()}: the sequence view, e.g. a modality's
 * [S, D] features, one time step per list). Use one instance per view in a
 * {@code RecordReaderMultiDataSetIterator}.
 *
 * <p>The split: a {@link FileSplit} contributes its root (file or directory, see each reader); any other
 * {@link InputSplit} contributes its first location.
 */
public abstract class IndexedRecordReader extends BaseRecordReader implements SequenceRecordReader {

    private Configuration conf;
    private int[] kept = new int[0];
    private int[] keptSorted = new int[0];
    private int cursor;
    private Path source;
    /** Records left out under {@link BadRecordPolicy#SKIP}. */
    protected final SkipReport skipReport = new SkipReport();

    @Override
    public final void initialize(InputSplit split) throws IOException {
        Path location;
        if (split instanceof FileSplit) {
            location = ((FileSplit) split).getRootDir().toPath();
        } else {
            URI[] locations = split.locations();
            if (locations == null || locations.length == 0) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": the input split has no location");
            }
            location = new File(locations[0]).toPath();
        }
        this.inputSplit = split;
        this.source = location;
        skipReport.clear();
        kept = load(location);
        keptSorted = kept.clone();
        java.util.Arrays.sort(keptSorted);
        cursor = 0;
    }

    @Override
    public final void initialize(Configuration conf, InputSplit split) throws IOException {
        setConf(conf);
        initialize(split);
    }

    /**
     * Parses and validates the dataset at {@code location}.
     *
     * @return source indices of the records to serve, in order
     */
    protected abstract int[] load(Path location) throws IOException;

    /** @return the record view of the record at source index {@code index} */
    protected abstract List<Writable> recordAt(int index);

    /** @return the sequence view (one list per time step) of the record at source index {@code index} */
    protected List<List<Writable>> sequenceAt(int index) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no sequence view");
    }

    /** @return the location given to {@link #initialize(InputSplit)} */
    public Path getSource() {
        return source;
    }

    /** @return the records left out under {@link BadRecordPolicy#SKIP} since the last initialize */
    public SkipReport getSkipReport() {
        return skipReport;
    }

    /** @return the number of records served per epoch */
    public int size() {
        return kept.length;
    }

    private void requireInitialized() {
        if (source == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": call initialize(InputSplit) first");
        }
    }

    private RecordMetaData meta(int index) {
        return new RecordMetaDataIndex(index, source.toUri(), getClass());
    }

    private int nextIndex() {
        requireInitialized();
        if (cursor >= kept.length) {
            throw new NoSuchElementException(getClass().getSimpleName() + ": no more records in " + source);
        }
        return kept[cursor++];
    }

    @Override
    public boolean hasNext() {
        return source != null && cursor < kept.length;
    }

    @Override
    public List<Writable> next() {
        int i = nextIndex();
        List<Writable> r = recordAt(i);
        invokeListeners(r);
        return r;
    }

    @Override
    public Record nextRecord() {
        int i = nextIndex();
        List<Writable> r = recordAt(i);
        invokeListeners(r);
        return new org.datavec.api.records.impl.Record(r, meta(i));
    }

    @Override
    public List<List<Writable>> sequenceRecord() {
        int i = nextIndex();
        List<List<Writable>> s = sequenceAt(i);
        invokeListeners(s);
        return s;
    }

    @Override
    public SequenceRecord nextSequence() {
        int i = nextIndex();
        List<List<Writable>> s = sequenceAt(i);
        invokeListeners(s);
        return new org.datavec.api.records.impl.SequenceRecord(s, meta(i));
    }

    private int indexOf(RecordMetaData m) {
        requireInitialized();
        if (!(m instanceof RecordMetaDataIndex)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected RecordMetaDataIndex, found "
                    + (m == null ? "null" : m.getClass().getName()));
        }
        long idx = ((RecordMetaDataIndex) m).getIndex();
        if (idx >= 0 && idx <= Integer.MAX_VALUE && java.util.Arrays.binarySearch(keptSorted, (int) idx) >= 0) {
            return (int) idx;
        }
        throw new IllegalArgumentException(getClass().getSimpleName() + ": record " + idx + " of " + source
                + " is not served (out of range or skipped; " + skipReport + ")");
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        int i = indexOf(recordMetaData);
        return new org.datavec.api.records.impl.Record(recordAt(i), meta(i));
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> list) {
        List<Record> out = new ArrayList<>(list.size());
        for (RecordMetaData m : list) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    @Override
    public SequenceRecord loadSequenceFromMetaData(RecordMetaData recordMetaData) {
        int i = indexOf(recordMetaData);
        return new org.datavec.api.records.impl.SequenceRecord(sequenceAt(i), meta(i));
    }

    @Override
    public List<SequenceRecord> loadSequenceFromMetaData(List<RecordMetaData> list) {
        List<SequenceRecord> out = new ArrayList<>(list.size());
        for (RecordMetaData m : list) {
            out.add(loadSequenceFromMetaData(m));
        }
        return out;
    }

    @Override
    public void reset() {
        cursor = 0;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " reads whole dataset files; use initialize(InputSplit)");
    }

    @Override
    public List<List<Writable>> sequenceRecord(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " reads whole dataset files; use initialize(InputSplit)");
    }

    @Override
    public void close() {
    }

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }

    /** Builds the source-index array of all {@code n} records. */
    protected static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Turns a list of kept source indices into an array. */
    protected static int[] toArray(List<Integer> indices) {
        int[] a = new int[indices.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = indices.get(i);
        }
        return a;
    }
}

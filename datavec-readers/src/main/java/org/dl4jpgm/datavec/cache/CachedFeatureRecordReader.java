package org.dl4jpgm.datavec.cache;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads a {@link FeatureCache} entry back as DataVec records: one record per item, holding one
 * {@link NDArrayWritable} with the item's features [1, ...]. The entry is verified (encoder identity, dataset
 * fingerprint, SHA-256) when the reader is built: a stale entry throws {@link StaleFeatureCacheException}.
 */
public final class CachedFeatureRecordReader extends BaseRecordReader {

    private final INDArray features;
    private final URI source;
    private int cursor;

    /**
     * @param cache              the cache
     * @param name               the entry
     * @param encoderIdentity    the encoder the features must come from
     * @param datasetFingerprint {@link FeatureCache#fingerprint} of the items they must describe
     */
    public CachedFeatureRecordReader(FeatureCache cache, String name, String encoderIdentity,
                                     String datasetFingerprint) throws IOException {
        this.features = cache.read(name, encoderIdentity, datasetFingerprint);
        this.source = cache.dataFile(name).toUri();
    }

    /** @return N, the number of records */
    public long size() {
        return features.size(0);
    }

    private List<Writable> row(int i) {
        long[] shape = features.shape().clone();
        shape[0] = 1;
        INDArray r = features.get(NDArrayIndex.interval(i, i + 1)).dup().reshape(shape);
        List<Writable> l = new ArrayList<>(1);
        l.add(new NDArrayWritable(r));
        return l;
    }

    @Override
    public void initialize(InputSplit split) {
        // the entry is fixed at construction; nothing to read from a split
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) {
    }

    @Override
    public List<Writable> next() {
        if (!hasNext()) {
            throw new NoSuchElementException("CachedFeatureRecordReader: all " + size() + " records of " + source
                    + " read; call reset()");
        }
        return row(cursor++);
    }

    @Override
    public boolean hasNext() {
        return cursor < features.size(0);
    }

    @Override
    public List<String> getLabels() {
        return null;
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
        throw new UnsupportedOperationException("CachedFeatureRecordReader reads a feature cache entry, not streams");
    }

    @Override
    public Record nextRecord() {
        int i = cursor;
        List<Writable> r = next();
        return new org.datavec.api.records.impl.Record(r, new RecordMetaDataIndex(i, source,
                CachedFeatureRecordReader.class));
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        int i = (int) ((RecordMetaDataIndex) recordMetaData).getIndex();
        return new org.datavec.api.records.impl.Record(row(i), recordMetaData);
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> list) {
        List<Record> out = new ArrayList<>();
        for (RecordMetaData m : list) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    @Override
    public void close() {
    }

    @Override
    public void setConf(Configuration conf) {
    }

    @Override
    public Configuration getConf() {
        return null;
    }

}

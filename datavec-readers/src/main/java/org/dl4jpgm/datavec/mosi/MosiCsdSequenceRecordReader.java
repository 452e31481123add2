package org.dl4jpgm.datavec.mosi;

import org.datavec.api.writable.DoubleWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.common.Validation;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CMU-MOSI from CMU-MultimodalSDK computational sequences ({@link ComputationalSequence}): one record per labelled
 * opinion segment of the label sequence ({@code CMU_MOSI_Opinion_Labels.csd}: per video, features [n_seg, 1] =
 * sentiment in [-3, 3], intervals [n_seg, 2]), named {@code <video>[<k>]} as the SDK names aligned segments.
 * Initialize with a {@code FileSplit} of the folder holding the .csd files.
 *
 * <p>Record view ({@link #next()}): {@code [segment id (Text), sentiment (Double)]}, label column
 * {@link #COLUMN_LABEL}. Sequence view ({@link #sequenceRecord()}): the rows of the feature sequence
 * ({@link Builder#featureFile}, e.g. {@code CMU_MOSI_COVAREP.csd}) of that video whose interval overlaps the segment
 * (positive overlap, or a zero-length interval inside it), in row order; segments come video by video in id
 * order, then segment order: one {@code NDArrayWritable [1, D]} per step,
 * or one {@code Text} per step for a word sequence ({@code CMU_MOSI_TimestampedWords.csd}). Sequences therefore have
 * their true lengths; {@code RecordReaderMultiDataSetIterator} pads them and makes the [B, S] mask (1 = real step).
 *
 * <p>Validation: a video of the label sequence missing from the feature sequence (ids that don't match across
 * modalities), a segment with no overlapping feature row, non-finite features and labels outside [-3, 3] are errors
 * naming both files and the segment, or counted skips under {@link BadRecordPolicy#SKIP}. Splits: restrict to the
 * SDK's standard fold (its list of video ids) with {@link Builder#videos}.
 */
public class MosiCsdSequenceRecordReader extends IndexedRecordReader {

    /** Column of the segment id. */
    public static final int COLUMN_ID = 0;
    /** Column of the sentiment label. */
    public static final int COLUMN_LABEL = 1;

    private String featureFile;
    private String labelFile;
    private Set<String> videos;
    private BadRecordPolicy policy;

    private transient List<String> ids;
    private transient List<Double> labels;
    private transient List<int[]> rowsOf;
    private transient List<ComputationalSequence.Entry> entryOf;
    private transient int dims;

    private MosiCsdSequenceRecordReader() {
    }

    @Override
    protected int[] load(Path dir) throws IOException {
        Path lf = dir.resolve(labelFile);
        Path ff = dir.resolve(featureFile);
        for (Path p : new Path[]{lf, ff}) {
            if (!Files.isRegularFile(p)) {
                throw new DataFormatException(dir, "", "the computational sequence " + p.getFileName(), "no such file");
            }
        }
        ComputationalSequence lab = ComputationalSequence.read(lf);
        ComputationalSequence feat = ComputationalSequence.read(ff);
        ids = new ArrayList<>();
        labels = new ArrayList<>();
        rowsOf = new ArrayList<>();
        entryOf = new ArrayList<>();
        dims = -1;
        List<Integer> kept = new ArrayList<>();
        for (Map.Entry<String, ComputationalSequence.Entry> v : lab.data().entrySet()) {
            if (videos != null && !videos.contains(v.getKey())) {
                continue;
            }
            ComputationalSequence.Entry le = v.getValue();
            if (le.features() == null || (le.rows() > 0 && le.features()[0].length != 1)) {
                throw new DataFormatException(lf, "/" + lab.rootName() + "/data/" + v.getKey() + "/features",
                        "one sentiment score per segment [n, 1]", le.features() == null ? "strings"
                                : "width " + le.features()[0].length);
            }
            ComputationalSequence.Entry fe = feat.data().get(v.getKey());
            for (int k = 0; k < le.rows(); k++) {
                String id = v.getKey() + "[" + k + "]";
                String where = "segment " + id;
                double y = le.features()[k][0];
                double s = le.intervals()[k][0];
                double e = le.intervals()[k][1];
                int[] rows = null;
                try {
                    if (!Double.isFinite(y) || Math.abs(y) > MosiPickleSequenceRecordReader.LABEL_BOUND) {
                        throw new DataFormatException(lf, where, "a sentiment score in [-3, 3]", String.valueOf(y));
                    }
                    if (fe == null) {
                        throw new DataFormatException(ff, where, "video " + v.getKey() + " (it is in "
                                + lf.getFileName() + ")", "no such video: ids don't match across modalities");
                    }
                    rows = overlapping(fe.intervals(), s, e);
                    if (rows.length == 0) {
                        throw new DataFormatException(ff, where, "at least one row overlapping [" + s + ", " + e + "]",
                                "none");
                    }
                    if (fe.features() != null) {
                        for (int r : rows) {
                            Validation.requireFinite(fe.features()[r], ff, where + ", video " + v.getKey() + " row "
                                    + r);
                        }
                        dims = fe.features()[0].length;
                    }
                } catch (DataFormatException ex) {
                    rows = null;
                    Validation.reject(ex, policy, skipReport);
                }
                if (rows != null) {
                    kept.add(ids.size());
                }
                ids.add(id);
                labels.add(y);
                rowsOf.add(rows);
                entryOf.add(fe);
            }
        }
        Validation.requireNonEmpty(kept.size(), lf, videos == null ? "all videos" : "the " + videos.size()
                + " videos asked for", skipReport.count());
        return toArray(kept);
    }

    private static int[] overlapping(double[][] intervals, double s, double e) {
        List<Integer> out = new ArrayList<>();
        for (int r = 0; r < intervals.length; r++) {
            double a = intervals[r][0];
            double b = intervals[r][1];
            if ((a < e && b > s) || (a == b && a >= s && a <= e)) {
                out.add(r);
            }
        }
        return toArray(out);
    }

    @Override
    protected List<Writable> recordAt(int index) {
        List<Writable> r = new ArrayList<>(2);
        r.add(new Text(ids.get(index)));
        r.add(new DoubleWritable(labels.get(index)));
        return r;
    }

    @Override
    protected List<List<Writable>> sequenceAt(int index) {
        ComputationalSequence.Entry fe = entryOf.get(index);
        int[] rows = rowsOf.get(index);
        List<List<Writable>> seq = new ArrayList<>(rows.length);
        for (int r : rows) {
            if (fe.features() == null) {
                seq.add(Collections.singletonList(new Text(fe.words()[r])));
            } else {
                double[] v = fe.features()[r];
                seq.add(Collections.singletonList(new NDArrayWritable(Nd4j.create(v, new long[]{1, v.length})
                        .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT))));
            }
        }
        return seq;
    }

    /** MOSI is a regression task: there are no class labels. */
    @Override
    public List<String> getLabels() {
        return null;
    }

    /** @return the feature width D (-1 for a word sequence) */
    public int getFeatureSize() {
        return dims;
    }

    /** Builder. */
    public static final class Builder {
        /** The feature sequence file name, in the split's folder. Required. */
        private String featureFile;
        /** The label sequence file name. Default {@code CMU_MOSI_Opinion_Labels.csd}. */
        private String labelFile = "CMU_MOSI_Opinion_Labels.csd";
        /** Videos to serve (a fold); null (default) serves every labelled video. */
        private Set<String> videos;
        /** What to do with a bad segment. Default {@link BadRecordPolicy#FAIL}. */
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** @param name the feature sequence, e.g. {@code CMU_MOSI_COVAREP.csd} */
        public Builder featureFile(String name) {
            this.featureFile = name;
            return this;
        }

        /** @param name the label sequence */
        public Builder labelFile(String name) {
            this.labelFile = name;
            return this;
        }

        /** @param videos the video ids of a fold */
        public Builder videos(Set<String> videos) {
            this.videos = videos == null ? null : Set.copyOf(videos);
            return this;
        }

        /** @param policy what to do with bad segments */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** @return the reader; call {@code initialize(new FileSplit(folder))} next */
        public MosiCsdSequenceRecordReader build() {
            if (featureFile == null || featureFile.isEmpty() || labelFile == null || policy == null) {
                throw new IllegalStateException("MosiCsdSequenceRecordReader: featureFile, labelFile and "
                        + "badRecordPolicy must be set (found featureFile=" + featureFile + ", labelFile=" + labelFile
                        + ", policy=" + policy + ")");
            }
            MosiCsdSequenceRecordReader r = new MosiCsdSequenceRecordReader();
            r.featureFile = featureFile;
            r.labelFile = labelFile;
            r.videos = videos;
            r.policy = policy;
            return r;
        }
    }
}

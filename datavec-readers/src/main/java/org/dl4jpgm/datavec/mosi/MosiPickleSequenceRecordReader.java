package org.dl4jpgm.datavec.mosi;

import org.datavec.api.writable.DoubleWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.common.Validation;
import org.dl4jpgm.datavec.pickle.NumpyArray;
import org.dl4jpgm.datavec.pickle.PickleReader;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * CMU-MOSI as MMSA ships it: {@code aligned_50.pkl} / {@code unaligned_50.pkl}, a protocol-4 pickle of
 * {@code {"train"|"valid"|"test": {"text": [N,50,768], "audio": [N,S,5], "vision": [N,S,20], "raw_text": [N],
 * "id": [N], "regression_labels": [N], ..., "audio_lengths": [N], "vision_lengths": [N] (unaligned only)}}}.
 * Initialize with a {@code FileSplit} of the .pkl file.
 *
 * <p>Record view ({@link #next()}): {@code [id (Text), regression label in [-3, 3] (Double)]}, label column
 * {@link #COLUMN_LABEL}. Sequence view ({@link #sequenceRecord()}): the chosen modality's features, one time step
 * per list holding one {@code NDArrayWritable [1, D]}; with {@link Builder#trimToLengths} the sequence is cut to the
 * pickle's {@code <modality>_lengths} entry, so that {@code RecordReaderMultiDataSetIterator} (ALIGN_START) makes a
 * [B, S] mask with 1 = real step, 0 = padding.
 *
 * <p>Masks of aligned pickles ({@code aligned_50.pkl}): they hold no {@code <modality>_lengths}; as MMSA, the true
 * length of a record is the number of ones of its BERT attention mask, row 1 of {@code text_bert} [N, 3, S] (ones,
 * then zeros). It applies to every modality of the pickle's S (all three in an aligned pickle, which share the
 * alignment; the text in an unaligned one), so that the zero padding after it is not served as real steps. A mask
 * that is not ones then zeros, or has no one, is an error for that record.
 *
 * <p>On request ({@link Builder#extras}) the record view also serves {@code raw_text}, {@code classification_labels}
 * and {@code text_bert} ({@link MosiExtra}), after the id and the label; {@link #columnOf} gives their columns.
 *
 * <p>Validation (at initialize, over every modality present, so that all readers of one file keep the same records):
 * the split exists and is not empty, all arrays have the same N, features are [N, S, D] and finite, labels are finite
 * and in [-3, 3], lengths in [1, S]. A failing record is an error naming file, split and record, or, under
 * {@link BadRecordPolicy#SKIP}, counted in {@link #getSkipReport()}.
 */
public class MosiPickleSequenceRecordReader extends IndexedRecordReader {

    /** Column of the id in the record view. */
    public static final int COLUMN_ID = 0;
    /** Column of the regression label in the record view. */
    public static final int COLUMN_LABEL = 1;
    /** MOSI sentiment scores lie in [-LABEL_BOUND, LABEL_BOUND]. */
    public static final double LABEL_BOUND = 3.0;

    private MmsaSplit split;
    private MosiModality modality;
    private boolean trimToLengths;
    private BadRecordPolicy policy;
    private transient MmsaPickle preloaded;
    private List<MosiExtra> extras = List.of();

    private transient NumpyArray features;
    private transient String[] ids;
    private transient double[] labels;
    private transient int[] lengths;
    private transient long steps;
    private transient long dims;
    private transient java.util.Map<MosiExtra, NumpyArray> extraArrays;

    private MosiPickleSequenceRecordReader() {
    }

    @Override
    protected int[] load(Path file) throws IOException {
        if (preloaded != null && !preloaded.file().equals(file.toAbsolutePath())) {
            throw new IllegalArgumentException("MosiPickleSequenceRecordReader: initialized with " + file
                    + " but built with the preloaded " + preloaded.file());
        }
        Object root = preloaded != null ? preloaded.root() : PickleReader.read(file);
        if (!(root instanceof Map)) {
            throw new DataFormatException(file, "top level", "a dict with keys train, valid, test", typeOf(root));
        }
        Object s = ((Map<?, ?>) root).get(split.key());
        if (!(s instanceof Map)) {
            throw new DataFormatException(file, "top level", "a dict under key '" + split.key() + "'",
                    s == null ? "keys " + ((Map<?, ?>) root).keySet() : typeOf(s));
        }
        Map<?, ?> d = (Map<?, ?>) s;
        String where = "split '" + split.key() + "'";
        NumpyArray idArr = array(file, d, "id", where);
        NumpyArray labelArr = array(file, d, "regression_labels", where);
        if (idArr.shape().length == 0 || idArr.shape()[0] > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(file, where + ", 'id'", "an array of ids [N]",
                    "shape " + Arrays.toString(idArr.shape()));
        }
        requireNumeric(file, where, "regression_labels", labelArr);
        int n = (int) idArr.shape()[0];
        Validation.requireNonEmpty(n, file, where);
        requireRows(file, where, "regression_labels", labelArr, n);
        ids = new String[n];
        labels = new double[n];
        int perLabel = (int) (labelArr.size() / Math.max(1, n));
        if (perLabel != 1) {
            throw new DataFormatException(file, where + ", 'regression_labels'", "one label per record ([N] or [N, 1])",
                    "shape " + Arrays.toString(labelArr.shape()));
        }
        for (int i = 0; i < n; i++) {
            ids[i] = idArr.getString(i);
            labels[i] = labelArr.getDouble(i);
        }
        boolean[] ok = new boolean[n];
        Arrays.fill(ok, true);
        extraArrays = new java.util.EnumMap<>(MosiExtra.class);
        for (MosiExtra x : extras) {
            NumpyArray a = array(file, d, x.key(), where);
            requireRows(file, where, x.key(), a, n);
            if (x != MosiExtra.RAW_TEXT) {
                requireNumeric(file, where, x.key(), a);
            }
            extraArrays.put(x, a);
        }
        int[] maskLengths = null;
        long maskSteps = -1;
        if (d.containsKey(MosiExtra.TEXT_BERT.key())) {
            NumpyArray tb = array(file, d, MosiExtra.TEXT_BERT.key(), where);
            requireRows(file, where, MosiExtra.TEXT_BERT.key(), tb, n);
            if (tb.shape().length != 3 || tb.shape()[1] != 3 || !tb.isNumeric()) {
                throw new DataFormatException(file, where + ", 'text_bert'", "numbers [N, 3, S] (input ids, attention "
                        + "mask, segment ids)", tb.toString());
            }
            maskSteps = tb.shape()[2];
            maskLengths = new int[n];
            for (int i = 0; i < n; i++) {
                int len = 0;
                for (int t = 0; t < maskSteps; t++) {
                    double v = tb.getDouble((i * 3L + 1) * maskSteps + t);
                    if (v == 1 && len == t) {
                        len++;
                    } else if (v != 0) { // not 0 or 1, or a 1 after a 0
                        if (ok[i]) {
                            ok[i] = Validation.reject(new DataFormatException(file, where + ", record " + i + " (id "
                                    + ids[i] + "), 'text_bert' row 1 (attention mask), step " + t,
                                    "ones then zeros (a BERT attention mask)", String.valueOf(v)), policy, skipReport);
                        }
                        break;
                    }
                }
                maskLengths[i] = len;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(labels[i]) || Math.abs(labels[i]) > LABEL_BOUND) {
                ok[i] = Validation.reject(new DataFormatException(file, where + ", record " + i + " (id " + ids[i]
                        + "), 'regression_labels'", "a sentiment score in [-3, 3]", String.valueOf(labels[i])),
                        policy, skipReport);
            }
        }
        for (MosiModality m : MosiModality.values()) {
            if (!d.containsKey(m.key())) {
                if (m == modality) {
                    throw new DataFormatException(file, where, "features under key '" + m.key() + "'",
                            "keys " + d.keySet());
                }
                continue;
            }
            NumpyArray f = array(file, d, m.key(), where);
            if (f.shape().length != 3 || !f.isNumeric()) {
                throw new DataFormatException(file, where + ", '" + m.key() + "'", "numeric features [N, S, D]",
                        f.toString());
            }
            requireRows(file, where, m.key(), f, n);
            int[] len = lengths(file, d, m, where, n, f.shape()[1]);
            String lengthsFrom = "'" + m.lengthsKey() + "'";
            if (len == null && maskLengths != null && f.shape()[1] == maskSteps) {
                len = maskLengths; // aligned to the text: the attention mask's length
                lengthsFrom = "'text_bert' row 1 (attention mask)";
            }
            long sd = f.shape()[1] * f.shape()[2];
            for (int i = 0; i < n; i++) {
                if (!ok[i]) {
                    continue;
                }
                try {
                    Validation.requireFinite(f.getFloats(i * sd, (int) sd), file, where + ", record " + i + " (id "
                            + ids[i] + "), '" + m.key() + "'");
                    if (len != null && (len[i] < 1 || len[i] > f.shape()[1])) {
                        throw new DataFormatException(file, where + ", record " + i + " (id " + ids[i] + "), "
                                + lengthsFrom, "a length in [1, " + f.shape()[1] + "]", String.valueOf(len[i]));
                    }
                } catch (DataFormatException e) {
                    ok[i] = Validation.reject(e, policy, skipReport);
                }
            }
            if (m == modality) {
                features = f;
                steps = f.shape()[1];
                dims = f.shape()[2];
                lengths = trimToLengths ? len : null;
            }
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (ok[i]) {
                kept.add(i);
            }
        }
        Validation.requireNonEmptySplit(kept.size(), file, split.key(), skipReport.count());
        return toArray(kept);
    }

    private static int[] lengths(Path file, Map<?, ?> d, MosiModality m, String where, int n, long s) {
        Object o = d.get(m.lengthsKey());
        if (o == null) {
            return null;
        }
        int[] len = new int[n];
        if (o instanceof List) {
            List<?> l = (List<?>) o;
            if (l.size() != n) {
                throw new DataFormatException(file, where + ", '" + m.lengthsKey() + "'", n + " lengths (one per id)",
                        String.valueOf(l.size()));
            }
            for (int i = 0; i < n; i++) {
                if (!(l.get(i) instanceof Integer || l.get(i) instanceof Long)) {
                    throw new DataFormatException(file, where + ", '" + m.lengthsKey() + "', item " + i,
                            "an integer length", typeOf(l.get(i)) + " " + l.get(i));
                }
                len[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, ((Number) l.get(i)).longValue()));
            }
        } else if (o instanceof NumpyArray) {
            NumpyArray a = (NumpyArray) o;
            requireRows(file, where, m.lengthsKey(), a, n);
            requireNumeric(file, where, m.lengthsKey(), a);
            for (int i = 0; i < n; i++) {
                double v = a.getDouble(i);
                len[i] = v == Math.rint(v) ? (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v)) : -1;
            }
        } else {
            throw new DataFormatException(file, where + ", '" + m.lengthsKey() + "'", "a list or array of lengths",
                    typeOf(o));
        }
        return len;
    }

    private static NumpyArray array(Path file, Map<?, ?> d, String key, String where) {
        Object o = d.get(key);
        if (!(o instanceof NumpyArray)) {
            throw new DataFormatException(file, where, "a numpy array under key '" + key + "'",
                    o == null ? "keys " + d.keySet() : typeOf(o));
        }
        return (NumpyArray) o;
    }

    private static void requireNumeric(Path file, String where, String key, NumpyArray a) {
        if (!a.isNumeric()) {
            throw new DataFormatException(file, where + ", '" + key + "'", "numbers", a.toString());
        }
    }

    private static void requireRows(Path file, String where, String key, NumpyArray a, int n) {
        if (a.shape().length == 0 || a.shape()[0] != n) {
            throw new DataFormatException(file, where + ", '" + key + "'",
                    n + " rows, one per entry of 'id' (ids must match across modalities)",
                    "shape " + Arrays.toString(a.shape()));
        }
    }

    private static String typeOf(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    @Override
    protected List<Writable> recordAt(int index) {
        List<Writable> r = new ArrayList<>(2 + extras.size());
        r.add(new Text(ids[index]));
        r.add(new DoubleWritable(labels[index]));
        for (MosiExtra x : extras) {
            NumpyArray a = extraArrays.get(x);
            if (x == MosiExtra.RAW_TEXT) {
                r.add(new Text(a.getString(index)));
            } else if (x == MosiExtra.CLASSIFICATION_LABEL) {
                r.add(new DoubleWritable(a.getDouble(index)));
            } else {
                long per = a.size() / a.shape()[0];
                float[] v = a.getFloats(index * per, (int) per);
                r.add(new NDArrayWritable(Nd4j.create(v, new long[]{a.shape()[1], per / a.shape()[1]})));
            }
        }
        return r;
    }

    /**
     * @return the record view's column of an extra asked for with {@link Builder#extras}
     * @throws IllegalArgumentException when it was not asked for
     */
    public int columnOf(MosiExtra extra) {
        int i = extras.indexOf(extra);
        if (i < 0) {
            throw new IllegalArgumentException("MosiPickleSequenceRecordReader: " + extra + " was not asked for "
                    + "(Builder.extras); asked: " + extras);
        }
        return 2 + i;
    }

    @Override
    protected List<List<Writable>> sequenceAt(int index) {
        int len = lengths == null ? (int) steps : lengths[index];
        List<List<Writable>> seq = new ArrayList<>(len);
        for (int t = 0; t < len; t++) {
            float[] row = features.getFloats((index * steps + t) * dims, (int) dims);
            seq.add(Collections.singletonList(new NDArrayWritable(Nd4j.create(row, new long[]{1, dims}))));
        }
        return seq;
    }

    /** @return the id of every served record, in order (walks the records, then resets the reader) */
    public List<String> servedIds() {
        List<String> out = new ArrayList<>();
        reset();
        while (hasNext()) {
            out.add(next().get(COLUMN_ID).toString());
        }
        reset();
        return out;
    }

    /** MOSI is a regression task: there are no class labels. */
    @Override
    public List<String> getLabels() {
        return null;
    }

    /** @return the padded sequence length S of the chosen modality in the pickle */
    public long getSequenceLength() {
        return steps;
    }

    /**
     * @return whether true lengths are applied to the chosen modality: the pickle's {@code <modality>_lengths}
     * (unaligned) or the attention mask of {@code text_bert} (aligned)
     */
    public boolean hasLengths() {
        return lengths != null;
    }

    /** @return the feature width D of the chosen modality */
    public long getFeatureSize() {
        return dims;
    }

    /** Builder; all options have defaults. */
    public static final class Builder {
        /** Which split dict to read. Default {@link MmsaSplit#TRAIN}. */
        private MmsaSplit split = MmsaSplit.TRAIN;
        /** Which features the sequence view serves. Default {@link MosiModality#TEXT}. */
        private MosiModality modality = MosiModality.TEXT;
        /** Cut sequences to {@code <modality>_lengths} when the pickle has them (unaligned). Default true. */
        private boolean trimToLengths = true;
        /** What to do with a bad record. Default {@link BadRecordPolicy#FAIL}. */
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** A pickle parsed once and shared between readers; null (default) parses the file at initialize. */
        private MmsaPickle preloaded;

        /** @param pickle the parsed pickle of the file this reader will be initialized with */
        public Builder preloaded(MmsaPickle pickle) {
            this.preloaded = pickle;
            return this;
        }

        /** Entries served after id and label in the record view, in this order. Default none. */
        private List<MosiExtra> extras = List.of();

        /** @param extras entries of the split dict to serve in the record view after id and label, in this order */
        public Builder extras(MosiExtra... extras) {
            this.extras = List.of(extras);
            return this;
        }

        /** @param split the split to read */
        public Builder split(MmsaSplit split) {
            this.split = split;
            return this;
        }

        /** @param modality the features of the sequence view */
        public Builder modality(MosiModality modality) {
            this.modality = modality;
            return this;
        }

        /** @param trim whether to cut sequences to their true lengths */
        public Builder trimToLengths(boolean trim) {
            this.trimToLengths = trim;
            return this;
        }

        /** @param policy what to do with bad records */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** @return the reader; call {@code initialize(new FileSplit(pklFile))} next */
        public MosiPickleSequenceRecordReader build() {
            if (split == null || modality == null || policy == null) {
                throw new IllegalStateException("MosiPickleSequenceRecordReader: split, modality and badRecordPolicy "
                        + "must not be null (found split=" + split + ", modality=" + modality + ", policy=" + policy
                        + ")");
            }
            MosiPickleSequenceRecordReader r = new MosiPickleSequenceRecordReader();
            r.split = split;
            r.modality = modality;
            r.trimToLengths = trimToLengths;
            r.policy = policy;
            r.preloaded = preloaded;
            if (new java.util.HashSet<>(extras).size() != extras.size()) {
                throw new IllegalStateException("MosiPickleSequenceRecordReader: each extra at most once, found "
                        + extras);
            }
            r.extras = extras;
            return r;
        }
    }
}

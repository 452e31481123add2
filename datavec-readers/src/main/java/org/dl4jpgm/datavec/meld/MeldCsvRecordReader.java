package org.dl4jpgm.datavec.meld;

import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.CsvTable;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.common.Validation;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MELD's {@code train_sent_emo.csv} / {@code dev_sent_emo.csv} / {@code test_sent_emo.csv} as shipped: UTF-8, a
 * header {@code Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime},
 * utterances quoted (with doubled quotes, commas and line breaks inside) and their non-ASCII characters kept as they
 * are. Initialize with a {@code FileSplit} of the CSV file. Columns are found by header name, so their order does not
 * matter.
 *
 * <p>Record ({@link #next()}): {@code [key "dia{D}_utt{U}" (Text), utterance (Text), speaker (Text), emotion index
 * (Int), sentiment index (Int)]} followed, when {@link Builder#features} are given, by one
 * {@code NDArrayWritable [1, D]} of the utterance's features, joined by key. Indices follow {@link MeldLabel}.
 * {@link #getLabels()} returns the classes of the label chosen with {@link Builder#label}; its column is
 * {@link #labelColumn()}.
 *
 * <p>Errors name the file and line: a missing column, a row with the wrong number of fields, an unknown emotion or
 * sentiment, a non-integer id, a duplicate key, missing or non-finite features, an empty file. Under
 * {@link BadRecordPolicy#SKIP} row-level problems are counted in {@link #getSkipReport()} instead.
 */
public class MeldCsvRecordReader extends IndexedRecordReader {

    /** The header of the shipped files. */
    public static final List<String> HEADER = List.of("Sr No.", "Utterance", "Speaker", "Emotion", "Sentiment",
            "Dialogue_ID", "Utterance_ID", "Season", "Episode", "StartTime", "EndTime");
    /** Column of the key in the record. */
    public static final int COLUMN_KEY = 0;
    /** Column of the utterance text. */
    public static final int COLUMN_UTTERANCE = 1;
    /** Column of the speaker. */
    public static final int COLUMN_SPEAKER = 2;
    /** Column of the emotion index. */
    public static final int COLUMN_EMOTION = 3;
    /** Column of the sentiment index. */
    public static final int COLUMN_SENTIMENT = 4;
    /** Column of the features, when features are joined. */
    public static final int COLUMN_FEATURES = 5;

    private MeldLabel label;
    private UtteranceFeatures features;
    private BadRecordPolicy policy;

    private transient List<String[]> rows;

    private MeldCsvRecordReader() {
    }

    @Override
    protected int[] load(Path file) throws IOException {
        CsvTable t = CsvTable.read(file);
        if (t.rows().isEmpty()) {
            throw new DataFormatException(file, "line 1", "the header " + String.join(",", HEADER), "an empty file");
        }
        List<String> header = t.rows().get(0).fields();
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            col.put(header.get(i).trim(), i);
        }
        String[] need = {"Utterance", "Speaker", "Emotion", "Sentiment", "Dialogue_ID", "Utterance_ID"};
        for (String c : need) {
            if (!col.containsKey(c)) {
                throw new DataFormatException(file, "line 1 (header)", "a column '" + c + "'", "columns " + header);
            }
        }
        Validation.requireNonEmpty(t.rows().size() - 1, file, "data rows");
        rows = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int r = 1; r < t.rows().size(); r++) {
            CsvTable.Row row = t.rows().get(r);
            String where = "line " + row.line();
            String[] rec = null;
            try {
                List<String> f = row.fields();
                if (f.size() != header.size()) {
                    throw new DataFormatException(file, where, header.size() + " fields as in the header",
                            f.size() + " fields");
                }
                int dia = integer(file, where, "Dialogue_ID", f.get(col.get("Dialogue_ID")));
                int utt = integer(file, where, "Utterance_ID", f.get(col.get("Utterance_ID")));
                String key = UtteranceFeatures.key(dia, utt);
                Integer previous = seen.put(key, row.line());
                if (previous != null) {
                    throw new DataFormatException(file, where, "each dia{D}_utt{U} once",
                            key + " again (first on line " + previous + ")");
                }
                int emo = index(file, where, MeldLabel.EMOTION, f.get(col.get("Emotion")));
                int sen = index(file, where, MeldLabel.SENTIMENT, f.get(col.get("Sentiment")));
                if (features != null) {
                    float[] v = features.get(key);
                    if (v == null) {
                        throw new DataFormatException(file, where, "features for " + key + " in "
                                + (features.source() == null ? "the feature map" : features.source()), "none");
                    }
                    Validation.requireFinite(v, file, where + " (" + key + "), features");
                }
                rec = new String[]{key, f.get(col.get("Utterance")), f.get(col.get("Speaker")),
                        String.valueOf(emo), String.valueOf(sen)};
            } catch (DataFormatException e) {
                Validation.reject(e, policy, skipReport);
            }
            rows.add(rec);
            if (rec != null) {
                kept.add(r - 1);
            }
        }
        Validation.requireNonEmpty(kept.size(), file, "data rows", skipReport.count());
        return toArray(kept);
    }

    private static int integer(Path file, String where, String column, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, where + ", column " + column, "an integer", "'" + v + "'");
        }
    }

    private static int index(Path file, String where, MeldLabel l, String v) {
        int i = l.classes().indexOf(v.trim().toLowerCase(java.util.Locale.ROOT));
        if (i < 0) {
            throw new DataFormatException(file, where + ", column " + l.column(), "one of " + l.classes(),
                    "'" + v + "'");
        }
        return i;
    }

    @Override
    protected List<Writable> recordAt(int index) {
        String[] r = rows.get(index);
        List<Writable> out = new ArrayList<>(6);
        out.add(new Text(r[0]));
        out.add(new Text(r[1]));
        out.add(new Text(r[2]));
        out.add(new IntWritable(Integer.parseInt(r[3])));
        out.add(new IntWritable(Integer.parseInt(r[4])));
        if (features != null) {
            float[] v = features.get(r[0]);
            out.add(new NDArrayWritable(Nd4j.create(v, new long[]{1, v.length})));
        }
        return out;
    }

    /** @return the record column of the label chosen with {@link Builder#label} */
    public int labelColumn() {
        return label == MeldLabel.EMOTION ? COLUMN_EMOTION : COLUMN_SENTIMENT;
    }

    /** @return the class names of the chosen label, in index order */
    @Override
    public List<String> getLabels() {
        return label.classes();
    }

    /** Builder; all options have defaults. */
    public static final class Builder {
        /** The label {@link #getLabels()} and {@link #labelColumn()} refer to. Default {@link MeldLabel#EMOTION}. */
        private MeldLabel label = MeldLabel.EMOTION;
        /** Features joined to rows by dia{D}_utt{U}; none by default (records then have 5 columns). */
        private UtteranceFeatures features;
        /** What to do with a bad row. Default {@link BadRecordPolicy#FAIL}. */
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** @param label emotion (7 classes) or sentiment (3 classes) */
        public Builder label(MeldLabel label) {
            this.label = label;
            return this;
        }

        /** @param features utterance features to join by key */
        public Builder features(UtteranceFeatures features) {
            this.features = features;
            return this;
        }

        /** @param policy what to do with bad rows */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** @return the reader; call {@code initialize(new FileSplit(csvFile))} next */
        public MeldCsvRecordReader build() {
            if (label == null || policy == null) {
                throw new IllegalStateException("MeldCsvRecordReader: label and badRecordPolicy must not be null "
                        + "(found label=" + label + ", policy=" + policy + ")");
            }
            MeldCsvRecordReader r = new MeldCsvRecordReader();
            r.label = label;
            r.features = features;
            r.policy = policy;
            return r;
        }
    }
}

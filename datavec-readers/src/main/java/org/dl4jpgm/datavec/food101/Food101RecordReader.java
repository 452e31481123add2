package org.dl4jpgm.datavec.food101;

import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.CsvTable;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.common.StratifiedSplit;
import org.dl4jpgm.datavec.common.Validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * UPMC Food-101 as distributed: {@code <root>/texts/train_titles.csv} and {@code test_titles.csv}, headerless CSV rows
 * {@code image file, text, class}, and the images at {@code <root>/images/<train|test>/<class>/<image file>}.
 * Initialize with a {@code FileSplit} of {@code <root>}.
 *
 * <p>Record ({@link #next()}): {@code [image path (Text, absolute), text (Text), class index (Int)]}; the label column
 * is {@link #COLUMN_LABEL}. Classes ({@link #getLabels()}) are the distinct classes of {@code train_titles.csv} in
 * ascending order (the 101 dish names alphabetically), unless given with {@link Builder#classes}. The validation split
 * is a {@link StratifiedSplit} of the train file (fraction and seed are options); TRAIN serves the rest.
 *
 * <p>A row with an empty text (the real files have some) is served with the empty text {@code ""}.
 *
 * <p>Errors name file and line: a row without 3 fields, an empty image file or class, a class not in the class list, a missing
 * image, an empty split. Under {@link BadRecordPolicy#SKIP} rows are counted in {@link #getSkipReport()} instead.
 * Images are not decoded here: feed the paths to an image loader or an encoder's feature cache.
 */
public class Food101RecordReader extends IndexedRecordReader {

    /** Column of the image path. */
    public static final int COLUMN_IMAGE = 0;
    /** Column of the text. */
    public static final int COLUMN_TEXT = 1;
    /** Column of the class index. */
    public static final int COLUMN_LABEL = 2;

    private Food101Split split;
    private double validationFraction;
    private long seed;
    private List<String> classes;
    private BadRecordPolicy policy;

    private transient List<String> labels;
    private transient List<Object[]> rows;

    private Food101RecordReader() {
    }

    @Override
    protected int[] load(Path root) throws IOException {
        String part = split == Food101Split.TEST ? "test" : "train";
        Path trainCsv = root.resolve("texts").resolve("train_titles.csv");
        Path csv = root.resolve("texts").resolve(part + "_titles.csv");
        if (!Files.isRegularFile(csv)) {
            throw new DataFormatException(root, "", "the file texts/" + part + "_titles.csv", "no such file");
        }
        CsvTable table = CsvTable.read(csv);
        Validation.requireNonEmpty(table.rows().size(), csv, "rows");
        if (classes != null) {
            labels = classes;
        } else {
            CsvTable forClasses = csv.equals(trainCsv) || !Files.isRegularFile(trainCsv) ? table : CsvTable.read(trainCsv);
            TreeSet<String> names = new TreeSet<>();
            for (CsvTable.Row r : forClasses.rows()) {
                if (r.fields().size() == 3 && !r.fields().get(2).isEmpty()) {
                    names.add(r.fields().get(2));
                }
            }
            labels = Collections.unmodifiableList(new ArrayList<>(names));
        }
        rows = new ArrayList<>();
        List<Integer> ok = new ArrayList<>();
        int[] classOf = new int[table.rows().size()];
        for (int i = 0; i < table.rows().size(); i++) {
            CsvTable.Row r = table.rows().get(i);
            String where = "line " + r.line();
            Object[] rec = null;
            classOf[i] = -1;
            try {
                List<String> f = r.fields();
                if (f.size() != 3) {
                    throw new DataFormatException(csv, where, "3 fields (image file, text, class)", f.size() + " fields");
                }
                for (int c : new int[]{COLUMN_IMAGE, COLUMN_LABEL}) { // an empty title is valid (served as "")
                    if (f.get(c).isEmpty()) {
                        throw new DataFormatException(csv, where, "a non-empty " + (c == COLUMN_IMAGE ? "image file"
                                : "class"), "an empty field");
                    }
                }
                int label = labels.indexOf(f.get(2));
                if (label < 0) {
                    throw new DataFormatException(csv, where, "a class among the " + labels.size() + " classes of "
                            + (classes != null ? "the given list" : trainCsv.getFileName()), "'" + f.get(2) + "'");
                }
                classOf[i] = label;
                Path image = org.dl4jpgm.datavec.common.FileNames.resolve(root, csv, where, "the image", "images", part,
                        f.get(2), f.get(0));
                if (!Files.isRegularFile(image)) {
                    throw new DataFormatException(csv, where, "the image " + image, "no such file");
                }
                rec = new Object[]{image.toAbsolutePath().toString(), f.get(1), label};
            } catch (DataFormatException e) {
                Validation.reject(e, policy, skipReport);
            }
            rows.add(rec);
            if (rec != null) {
                ok.add(i);
            }
        }
        List<Integer> kept = ok;
        if (split != Food101Split.TEST) {
            boolean[] held = StratifiedSplit.holdOut(classOf, validationFraction, seed);
            kept = new ArrayList<>();
            for (int i : ok) {
                if (held[i] == (split == Food101Split.VALIDATION)) {
                    kept.add(i);
                }
            }
        }
        Validation.requireNonEmpty(kept.size(), csv, "split " + split, skipReport.count());
        return toArray(kept);
    }

    @Override
    protected List<Writable> recordAt(int index) {
        Object[] r = rows.get(index);
        List<Writable> out = new ArrayList<>(3);
        out.add(new Text((String) r[0]));
        out.add(new Text((String) r[1]));
        out.add(new IntWritable((Integer) r[2]));
        return out;
    }

    /** @return the class names in index order */
    @Override
    public List<String> getLabels() {
        return labels;
    }

    /** Builder; all options have defaults. */
    public static final class Builder {
        /** The part to serve. Default {@link Food101Split#TRAIN}. */
        private Food101Split split = Food101Split.TRAIN;
        /** Share of every class of the train file held out for validation. Default 0.1. */
        private double validationFraction = 0.1;
        /** Seed of the validation hold-out. Default 42. */
        private long seed = 42;
        /** Class names in index order; default null: the sorted distinct classes of train_titles.csv. */
        private List<String> classes;
        /** What to do with a bad row. Default {@link BadRecordPolicy#FAIL}. */
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** @param split the part to serve */
        public Builder split(Food101Split split) {
            this.split = split;
            return this;
        }

        /** @param fraction share of each class held out for validation, in [0, 1) */
        public Builder validationFraction(double fraction) {
            this.validationFraction = fraction;
            return this;
        }

        /** @param seed seed of the hold-out */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param classes class names in index order */
        public Builder classes(List<String> classes) {
            this.classes = classes == null ? null : List.copyOf(classes);
            return this;
        }

        /** @param policy what to do with bad rows */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** @return the reader; call {@code initialize(new FileSplit(root))} next */
        public Food101RecordReader build() {
            if (split == null || policy == null) {
                throw new IllegalStateException("Food101RecordReader: split and badRecordPolicy must not be null "
                        + "(found split=" + split + ", policy=" + policy + ")");
            }
            if (!(validationFraction >= 0 && validationFraction < 1)) {
                throw new IllegalStateException("Food101RecordReader: expected validationFraction in [0, 1), found "
                        + validationFraction);
            }
            Food101RecordReader r = new Food101RecordReader();
            r.split = split;
            r.validationFraction = validationFraction;
            r.seed = seed;
            r.classes = classes;
            r.policy = policy;
            return r;
        }
    }
}

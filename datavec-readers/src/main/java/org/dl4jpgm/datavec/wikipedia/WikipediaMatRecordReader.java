package org.dl4jpgm.datavec.wikipedia;

import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.common.Validation;
import org.nd4j.linalg.factory.Nd4j;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.Matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The feature version of Wikipedia: a MATLAB v5 {@code .mat} file (compressed or not, as MATLAB's {@code save} and
 * scipy's {@code savemat} write it) holding per split an image feature matrix [N, Di], a text feature matrix [N, Dt]
 * and, optionally, a category vector [N] (1-based). Read with mfl-core ({@code us.hebi.matlab.mat}). Initialize with a
 * {@code FileSplit} of the .mat file.
 *
 * <p>Variable names default to {@code I_tr, T_tr, L_tr} / {@code I_te, T_te, L_te} (the names of the
 * distribution's {@code raw_features.mat}, labels added); each is an option. When the label variable is absent the
 * categories come from the split's list file ({@code trainset_txt_img_cat.list} / {@code testset_...}) in the same
 * folder as the .mat, row for row.
 *
 * <p>Record ({@link #next()}): {@code [image features NDArrayWritable [1, Di], text features NDArrayWritable [1, Dt],
 * category index 0..C-1 (Int)]}. The features are float32 by default, each of the .mat's values (double in the
 * distribution's files) narrowed to the nearest float32; {@link Builder#float64} serves them as float64, unchanged.
 * The project's layout stores float32: {@link WikipediaLayoutExport} narrows them whatever this option. Errors name file, variable and row: a truncated or non-v5 file, a missing variable,
 * row counts that differ between modalities, non-finite features, a category out of range, an empty split.
 */
public class WikipediaMatRecordReader extends IndexedRecordReader {

    /** Column of the image features. */
    public static final int COLUMN_IMAGE = 0;
    /** Column of the text features. */
    public static final int COLUMN_TEXT = 1;
    /** Column of the category index. */
    public static final int COLUMN_LABEL = 2;

    private WikipediaSplit split;
    private String imageVariable;
    private String textVariable;
    private String labelVariable;
    private BadRecordPolicy policy;

    private boolean float64;

    private transient double[][] image;
    private transient double[][] text;
    private transient int[] label;
    private transient List<String> categories;
    /** The list file the categories were read from (no category variable in the .mat), else null. */
    private transient Path listFile;
    /** Per row, the 1-based line of {@link #listFile} it was read from. */
    private transient int[] listLines;

    private WikipediaMatRecordReader() {
    }

    @Override
    protected int[] load(Path file) throws IOException {
        Mat5File mat;
        try {
            MatScan.check(file);
            mat = Mat5.readFromFile(file.toFile());
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file, "file of " + Files.size(file) + " bytes",
                    "a complete MATLAB v5 .mat file", e.getClass().getSimpleName() + ": " + e.getMessage()
                    + " (truncated or not a v5 .mat?)", e);
        }
        categories = WikipediaCategories.of(file.toAbsolutePath().getParent());
        image = matrix(file, mat, imageVariable);
        text = matrix(file, mat, textVariable);
        int n = image.length;
        Validation.requireNonEmpty(n, file, "variable " + imageVariable);
        if (text.length != n) {
            throw new DataFormatException(file, "variable " + textVariable, n + " rows, one per row of "
                    + imageVariable + " (pairs must match across modalities)", text.length + " rows");
        }
        listFile = null;
        listLines = null;
        int[] raw = labels(file, mat, n);
        label = new int[n];
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String where = "row " + (i + 1);
            try {
                if (raw[i] < 1 || raw[i] > categories.size()) {
                    // the category comes from the .mat's variable, or from a line of the list file beside it
                    throw listFile != null
                            ? new DataFormatException(listFile, "line " + listLines[i] + " (row " + (i + 1) + " of "
                            + imageVariable + ")", "a category in [1, " + categories.size() + "]",
                            String.valueOf(raw[i]))
                            : new DataFormatException(file, where + " of " + labelVariable, "a category in [1, "
                            + categories.size() + "]", String.valueOf(raw[i]));
                }
                // finite in the precision served (a double beyond float range is infinite as float32)
                if (float64) {
                    Validation.requireFinite(image[i], file, where + " of " + imageVariable);
                    Validation.requireFinite(text[i], file, where + " of " + textVariable);
                } else {
                    Validation.requireFinite(floats(image[i]), file, where + " of " + imageVariable);
                    Validation.requireFinite(floats(text[i]), file, where + " of " + textVariable);
                }
                label[i] = raw[i] - 1;
                kept.add(i);
            } catch (DataFormatException e) {
                Validation.reject(e, policy, skipReport);
            }
        }
        Validation.requireNonEmpty(kept.size(), file, "split " + split, skipReport.count());
        return toArray(kept);
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static double[][] matrix(Path file, Mat5File mat, String name) {
        Array a;
        try {
            a = mat.getArray(name);
        } catch (RuntimeException e) {
            a = null;
        }
        if (!(a instanceof Matrix) || a.getNumDimensions() != 2) {
            List<String> names = new ArrayList<>();
            mat.getEntries().forEach(en -> names.add(en.getName()));
            throw new DataFormatException(file, "variable " + name, "a 2-D numeric matrix [N, D]",
                    a == null ? "no such variable (variables: " + names + ")" : a.getType() + " "
                            + java.util.Arrays.toString(a.getDimensions()));
        }
        Matrix m = (Matrix) a;
        double[][] out = new double[m.getNumRows()][m.getNumCols()];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = m.getDouble(r, c);
            }
        }
        return out;
    }

    private int[] labels(Path file, Mat5File mat, int n) throws IOException {
        Array a = null;
        for (Mat5File.Entry en : mat.getEntries()) {
            if (en.getName().equals(labelVariable)) {
                a = en.getValue();
            }
        }
        int[] out = new int[n];
        if (a != null) {
            if (!(a instanceof Matrix) || a.getNumElements() != n) {
                throw new DataFormatException(file, "variable " + labelVariable, "a vector of " + n
                        + " categories, one per row of " + imageVariable, a.getType() + " "
                        + java.util.Arrays.toString(a.getDimensions()));
            }
            Matrix m = (Matrix) a;
            for (int i = 0; i < n; i++) {
                double v = m.getDouble(i);
                out[i] = v == Math.rint(v) ? (int) v : Integer.MIN_VALUE;
            }
            return out;
        }
        Path list = file.toAbsolutePath().getParent().resolve(split.listFile());
        if (!Files.isRegularFile(list)) {
            throw new DataFormatException(file, "variable " + labelVariable, "a category vector, or the list file "
                    + list + " beside the .mat", "neither");
        }
        List<String> lines = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        int lineNo = 0;
        for (String l : org.dl4jpgm.datavec.common.Utf8.read(list).lines().toList()) {
            lineNo++;
            if (!l.trim().isEmpty()) {
                lines.add(l.trim());
                lineNumbers.add(lineNo);
            }
        }
        if (lines.size() != n) {
            throw new DataFormatException(list, "", n + " lines, one per row of " + imageVariable + " in " + file,
                    lines.size() + " lines");
        }
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i).split("\\s+");
            try {
                out[i] = Integer.parseInt(f[f.length - 1]);
            } catch (NumberFormatException e) {
                throw new DataFormatException(list, "line " + lineNumbers.get(i), "a category number in the last field",
                        "'" + f[f.length - 1] + "'");
            }
        }
        listFile = list;
        listLines = lineNumbers.stream().mapToInt(Integer::intValue).toArray();
        return out;
    }

    @Override
    protected List<Writable> recordAt(int index) {
        List<Writable> out = new ArrayList<>(3);
        out.add(new NDArrayWritable(row(image[index])));
        out.add(new NDArrayWritable(row(text[index])));
        out.add(new IntWritable(label[index]));
        return out;
    }

    private org.nd4j.linalg.api.ndarray.INDArray row(double[] v) {
        return float64 ? Nd4j.create(v, new long[]{1, v.length}, org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                : Nd4j.create(floats(v), new long[]{1, v.length});
    }

    /** @return whether the features are served as float64 ({@link Builder#float64}) */
    public boolean isFloat64() {
        return float64;
    }

    /** @return the category names, index 0 = category 1 */
    @Override
    public List<String> getLabels() {
        return categories;
    }

    /** Builder; all options have defaults. */
    public static final class Builder {
        /** The split; sets the default variable names. Default {@link WikipediaSplit#TRAIN}. */
        private WikipediaSplit split = WikipediaSplit.TRAIN;
        /** Image feature variable; default "I" + split suffix ("I_tr" / "I_te"). */
        private String imageVariable;
        /** Text feature variable; default "T" + split suffix. */
        private String textVariable;
        /** Category variable; default "L" + split suffix (optional in the file, see the class comment). */
        private String labelVariable;
        /** What to do with a bad row. Default {@link BadRecordPolicy#FAIL}. */
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** Serve the features as float64 (the .mat's doubles as they are) instead of float32. Default false. */
        private boolean float64;

        /**
         * @param float64 true: the record view's feature arrays are DOUBLE, the .mat's values unchanged; false
         *                (default): FLOAT, each value narrowed to the nearest float32
         */
        public Builder float64(boolean float64) {
            this.float64 = float64;
            return this;
        }

        /** @param split the split */
        public Builder split(WikipediaSplit split) {
            this.split = split;
            return this;
        }

        /** @param name the image feature variable */
        public Builder imageVariable(String name) {
            this.imageVariable = name;
            return this;
        }

        /** @param name the text feature variable */
        public Builder textVariable(String name) {
            this.textVariable = name;
            return this;
        }

        /** @param name the category variable */
        public Builder labelVariable(String name) {
            this.labelVariable = name;
            return this;
        }

        /** @param policy what to do with bad rows */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** @return the reader; call {@code initialize(new FileSplit(matFile))} next */
        public WikipediaMatRecordReader build() {
            if (split == null || policy == null) {
                throw new IllegalStateException("WikipediaMatRecordReader: split and badRecordPolicy must not be null "
                        + "(found split=" + split + ", policy=" + policy + ")");
            }
            WikipediaMatRecordReader r = new WikipediaMatRecordReader();
            r.split = split;
            r.imageVariable = imageVariable != null ? imageVariable : "I" + split.suffix();
            r.textVariable = textVariable != null ? textVariable : "T" + split.suffix();
            r.labelVariable = labelVariable != null ? labelVariable : "L" + split.suffix();
            r.policy = policy;
            r.float64 = float64;
            return r;
        }
    }
}

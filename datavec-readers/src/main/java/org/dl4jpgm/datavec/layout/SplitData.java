package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One split of a dataset in memory, exactly as the layout stores it: N example ids; per modality a
 * float32 array in numpy order, [N, D] or [N, S, D]; optionally per sequence modality the true
 * lengths (int [N], each in 1..S); per target the raw label strings (class names or numbers).
 * {@link LayoutReader} produces it and {@link LayoutWriter} writes it; {@link #validate} checks it
 * against a {@link DatasetDescriptor} for both.
 */
public final class SplitData {

    private final List<String> ids;
    private final Map<String, INDArray> features;
    private final Map<String, int[]> lengths;
    private final Map<String, List<String>> labels;

    /**
     * @param ids      example ids, N of them
     * @param features modality name to [N, D] or [N, S, D] array (numpy order); cast to float32
     * @param lengths  modality name to true sequence lengths [N] (only for [N, S, D] modalities; may be empty)
     * @param labels   target name to N raw label strings
     */
    public SplitData(List<String> ids, Map<String, INDArray> features, Map<String, int[]> lengths,
                     Map<String, List<String>> labels) {
        this.ids = List.copyOf(ids);
        this.features = new LinkedHashMap<>();
        features.forEach((k, v) -> this.features.put(k, v.dataType() == DataType.FLOAT ? v : v.castTo(DataType.FLOAT)));
        this.lengths = new LinkedHashMap<>(lengths == null ? Map.of() : lengths);
        this.labels = new LinkedHashMap<>();
        labels.forEach((k, v) -> this.labels.put(k, List.copyOf(v)));
    }

    /** Number of examples N. */
    public int size() {
        return ids.size();
    }

    /** Example ids. */
    public List<String> ids() {
        return ids;
    }

    /** Features of one modality, numpy order ([N, D] or [N, S, D]). */
    public INDArray features(String modality) {
        INDArray a = features.get(modality);
        if (a == null) {
            throw new IllegalArgumentException("SplitData: no modality \"" + modality + "\"; present: " + features.keySet());
        }
        return a;
    }

    /** True lengths of one sequence modality, or null when it has none (all steps valid). */
    public int[] lengths(String modality) {
        return lengths.get(modality);
    }

    /** Raw label strings of one target. */
    public List<String> labels(String target) {
        List<String> l = labels.get(target);
        if (l == null) {
            throw new IllegalArgumentException("SplitData: no target \"" + target + "\"; present: " + labels.keySet());
        }
        return l;
    }

    /** Names of the modalities held. */
    public Set<String> modalityNames() {
        return features.keySet();
    }

    /** Names of the targets held. */
    public Set<String> targetNames() {
        return labels.keySet();
    }

    /**
     * Checks this split against a descriptor: not empty; unique non-empty ids; every modality present
     * with rank 2 or 3, N rows and only finite values; lengths of size N within 1..S; every target
     * present with N valid labels.
     *
     * @param d        the descriptor
     * @param splitDir the split folder (for messages: each error names the file concerned)
     * @throws DatasetFormatException naming file, row/line, expected and found
     */
    public void validate(DatasetDescriptor d, Path splitDir) {
        Path labelsFile = splitDir.resolve(TargetSpec.DEFAULT_FILE);
        int n = ids.size();
        if (n == 0) {
            throw new DatasetFormatException(labelsFile, -1, "expected at least one example in split '"
                    + splitDir.getFileName() + "', found none (empty split)");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String id = ids.get(i);
            if (id == null || id.isEmpty()) {
                throw new DatasetFormatException(labelsFile, i + 2, "expected a non-empty id, found an empty one");
            }
            if (!seen.add(id)) {
                throw new DatasetFormatException(labelsFile, i + 2, "expected unique ids, found \"" + id + "\" again");
            }
        }
        for (ModalitySpec m : d.getModalities()) {
            Path f = splitDir.resolve(m.getFile());
            INDArray a = features.get(m.getName());
            if (a == null) {
                throw new DatasetFormatException(f, -1, "expected features of modality '" + m.getName() + "', found none");
            }
            checkArray(m, a, n, f);
            int[] len = lengths.get(m.getName());
            if (len != null) {
                checkLengths(m, a, len, n, splitDir.resolve(m.lengthsFile()));
            }
        }
        for (String extra : features.keySet()) {
            d.getModality(extra); // throws for a modality the descriptor does not declare
        }
        for (TargetSpec t : d.getTargets()) {
            Path f = splitDir.resolve(t.getFile());
            List<String> l = labels.get(t.getName());
            if (l == null) {
                throw new DatasetFormatException(f, -1, "expected labels of target '" + t.getName() + "', found none");
            }
            if (l.size() != n) {
                throw new DatasetFormatException(f, -1, "target '" + t.getName() + "': expected " + n
                        + " rows (one per example), found " + l.size());
            }
            LabelEncoder.decode(t, l, f);
        }
    }

    static void checkArray(ModalitySpec m, INDArray a, int n, Path f) {
        long[] shape = a.shape();
        if (shape.length != 2 && shape.length != 3) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected shape [N, D] or [N, S, D], found "
                    + Arrays.toString(shape));
        }
        if (shape[0] != n) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected " + n
                    + " rows (the number of examples in " + TargetSpec.DEFAULT_FILE + "), found " + shape[0]);
        }
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected positive feature/sequence sizes, found shape "
                        + Arrays.toString(shape));
            }
        }
        float[] data = a.dup('c').data().asFloat();
        int row = data.length / n;
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new DatasetFormatException(f, i / row, "modality '" + m.getName() + "': expected finite values, found "
                        + data[i] + " in row " + (i / row) + " (flat offset " + (i % row) + " in the row)");
            }
        }
    }

    static void checkLengths(ModalitySpec m, INDArray a, int[] len, int n, Path f) {
        if (a.rank() != 3) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': lengths are only for sequence features [N, S, D], found features of shape "
                    + Arrays.toString(a.shape()));
        }
        if (len.length != n) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected " + n + " lengths, found " + len.length);
        }
        long s = a.size(1);
        for (int i = 0; i < n; i++) {
            if (len[i] < 1 || len[i] > s) {
                throw new DatasetFormatException(f, i, "modality '" + m.getName() + "': expected a length in 1.." + s
                        + ", found " + len[i]);
            }
        }
    }

    /**
     * The rows {@code rows} of an array of any rank >= 2, along dimension 0, as a new C-order array.
     */
    public static INDArray takeRows(INDArray a, int[] rows) {
        long[] shape = a.shape().clone();
        if (rows.length == 0) {
            shape[0] = 0;
            return org.nd4j.linalg.factory.Nd4j.create(a.dataType(), shape);
        }
        long rowLen = a.length() / shape[0];
        INDArray flat = a.dup('c').reshape('c', shape[0], rowLen);
        INDArray pulled = org.nd4j.linalg.factory.Nd4j.pullRows(flat, 1, rows);
        shape[0] = rows.length;
        return pulled.reshape('c', shape);
    }

    /** A copy restricted to the rows {@code rows} (in that order). */
    public SplitData rows(int[] rows) {
        List<String> newIds = new ArrayList<>();
        for (int r : rows) {
            newIds.add(ids.get(r));
        }
        Map<String, INDArray> f = new LinkedHashMap<>();
        features.forEach((k, v) -> f.put(k, takeRows(v, rows)));
        Map<String, int[]> l = new LinkedHashMap<>();
        lengths.forEach((k, v) -> l.put(k, Arrays.stream(rows).map(r -> v[r]).toArray()));
        Map<String, List<String>> lab = new LinkedHashMap<>();
        labels.forEach((k, v) -> lab.put(k, Arrays.stream(rows).mapToObj(v::get).toList()));
        return new SplitData(newIds, f, l, lab);
    }
}

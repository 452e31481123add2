package org.dl4jpgm.datavec.layout;

import org.dl4jpgm.datavec.layout.SplitData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the examples of one split, as a dataset reader serves them, into the project's layout
 * ({@link SplitData}): per modality either vectors ([N, D]) or sequences padded with zeros after their true length to
 * a common S ([N, S, D], numpy order) with their lengths; per target the label strings. Used by the exporters of the
 * four dataset readers.
 */
public final class SplitCollector {

    private final Map<String, Boolean> sequence = new LinkedHashMap<>();
    private final Map<String, Integer> padTo = new LinkedHashMap<>();
    private final Map<String, Boolean> writeLengths = new LinkedHashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final Map<String, List<float[][]>> rows = new LinkedHashMap<>();
    private final Map<String, List<String>> labels = new LinkedHashMap<>();

    /** Declares a vector modality: each example gives one [D] row. */
    public SplitCollector vector(String name) {
        sequence.put(name, false);
        rows.put(name, new ArrayList<>());
        return this;
    }

    /**
     * Declares a sequence modality.
     *
     * @param padTo        S to pad to (0: the longest sequence of the split)
     * @param writeLengths whether the true lengths are stored ({@code <name>_lengths.npy})
     */
    public SplitCollector sequence(String name, int padTo, boolean writeLengths) {
        sequence.put(name, true);
        this.padTo.put(name, padTo);
        this.writeLengths.put(name, writeLengths);
        rows.put(name, new ArrayList<>());
        return this;
    }

    /** Declares a target. */
    public SplitCollector target(String name) {
        labels.put(name, new ArrayList<>());
        return this;
    }

    /**
     * Adds one example.
     *
     * @param id       example id
     * @param features per modality: [1][D] for a vector modality, [S_i][D] for a sequence
     * @param targets  per target: the label string (class name or number)
     */
    public void add(String id, Map<String, float[][]> features, Map<String, String> targets) {
        ids.add(id);
        for (Map.Entry<String, List<float[][]>> e : rows.entrySet()) {
            float[][] f = features.get(e.getKey());
            if (f == null || f.length == 0 || (!sequence.get(e.getKey()) && f.length != 1)) {
                throw new IllegalArgumentException("SplitCollector: example " + id + ", modality '" + e.getKey()
                        + "': expected " + (sequence.get(e.getKey()) ? "at least one step" : "one vector") + ", found "
                        + (f == null ? "none" : f.length + " rows"));
            }
            e.getValue().add(f);
        }
        for (Map.Entry<String, List<String>> t : labels.entrySet()) {
            String v = targets.get(t.getKey());
            if (v == null) {
                throw new IllegalArgumentException("SplitCollector: example " + id + ": no value for target '"
                        + t.getKey() + "'");
            }
            t.getValue().add(v);
        }
    }

    /** @return the number of examples added */
    public int size() {
        return ids.size();
    }

    /** @return the longest sequence added for a sequence modality */
    public int longest(String modality) {
        int s = 0;
        for (float[][] f : rows.get(modality)) {
            s = Math.max(s, f.length);
        }
        return s;
    }

    /** Sets the S a sequence modality is padded to (0: the split's longest). */
    public void padTo(String modality, int s) {
        padTo.put(modality, s);
    }

    /** @return the split in the layout's in-memory form */
    public SplitData toSplitData() {
        int n = ids.size();
        Map<String, INDArray> feats = new LinkedHashMap<>();
        Map<String, int[]> lens = new LinkedHashMap<>();
        for (Map.Entry<String, List<float[][]>> e : rows.entrySet()) {
            List<float[][]> r = e.getValue();
            int d = n == 0 ? 1 : r.get(0)[0].length;
            if (!sequence.get(e.getKey())) {
                float[][] m = new float[n][];
                for (int i = 0; i < n; i++) {
                    m[i] = width(r.get(i)[0], d, e.getKey(), i);
                }
                feats.put(e.getKey(), Nd4j.create(m));
                continue;
            }
            int s = padTo.get(e.getKey()) > 0 ? padTo.get(e.getKey()) : longest(e.getKey());
            float[] flat = new float[n * s * d];
            int[] len = new int[n];
            for (int i = 0; i < n; i++) {
                float[][] seq = r.get(i);
                if (seq.length > s) {
                    throw new IllegalArgumentException("SplitCollector: example " + ids.get(i) + ", modality '"
                            + e.getKey() + "': expected at most " + s + " steps, found " + seq.length);
                }
                len[i] = seq.length;
                for (int t = 0; t < seq.length; t++) {
                    System.arraycopy(width(seq[t], d, e.getKey(), i), 0, flat, (i * s + t) * d, d);
                }
            }
            feats.put(e.getKey(), Nd4j.create(flat, new long[]{n, s, d}, 'c'));
            if (writeLengths.get(e.getKey())) {
                lens.put(e.getKey(), len);
            }
        }
        return new SplitData(ids, feats, lens, labels);
    }

    private float[] width(float[] v, int d, String modality, int i) {
        if (v.length != d) {
            throw new IllegalArgumentException("SplitCollector: example " + ids.get(i) + ", modality '" + modality
                    + "': expected width " + d + " as the first example, found " + v.length);
        }
        return v;
    }

    /** @return the values of an {@code NDArrayWritable}-style row as floats */
    public static float[] row(INDArray a) {
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    }
}

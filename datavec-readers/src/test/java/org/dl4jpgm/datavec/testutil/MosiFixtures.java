package org.dl4jpgm.datavec.testutil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds tiny MMSA-style MOSI split dicts. Feature value of record i, step t, dim k in modality m (0 text, 1 audio,
 * 2 vision): {@code m * 100 + i * 10 + t + k / 10f}, so that every value read back can be checked exactly.
 */
public final class MosiFixtures {

    /** Feature widths of the fixture: text, audio, vision. */
    public static final int[] DIMS = {4, 2, 3};
    /** Padded sequence length of the fixture. */
    public static final int STEPS = 3;

    private MosiFixtures() {
    }

    /** @return the expected feature value */
    public static float value(int modality, int record, int step, int dim) {
        return modality * 100 + record * 10 + step + dim / 10f;
    }

    /** The feature value of record i, step t, dim k in modality m (0 text, 1 audio, 2 vision). */
    @FunctionalInterface
    public interface Values {
        float at(int modality, int record, int step, int dim);
    }

    /**
     * @param labels   regression labels, one per record
     * @param lengths  true lengths (unaligned) or null (aligned)
     * @return the split dict {id, raw_text, text, audio, vision, regression_labels[, audio_lengths, vision_lengths]}
     * with {@link #STEPS} steps, widths {@link #DIMS} and values {@link #value}
     */
    public static Map<String, Object> split(String prefix, double[] labels, long[] lengths) {
        return split(prefix, labels, lengths, STEPS, DIMS, MosiFixtures::value);
    }

    /**
     * The split dict as MMSA writes it, for any size and feature values.
     *
     * @param prefix  prefix of the video ids ({@code <prefix>vid<i>$_$<i+1>})
     * @param labels  regression labels, one per record
     * @param lengths true lengths of audio and vision (unaligned) or null (aligned); text always has {@code steps}
     * @param steps   padded sequence length S
     * @param dims    feature widths of text, audio, vision
     * @param values  the feature values (zero padding after the true length is applied here)
     * @return {id, raw_text, text, audio, vision, regression_labels[, audio_lengths, vision_lengths]}
     */
    public static Map<String, Object> split(String prefix, double[] labels, long[] lengths, int steps, int[] dims,
                                            Values values) {
        int n = labels.length;
        Map<String, Object> d = new LinkedHashMap<>();
        String[] ids = new String[n];
        Object[] raw = new Object[n];
        for (int i = 0; i < n; i++) {
            ids[i] = prefix + "vid" + i + "$_$" + (i + 1);
            raw[i] = "utterance " + i + " \u00e9";
        }
        d.put("raw_text", new Pickle4Writer.Nd("O", new long[]{n}, raw));
        d.put("audio", features(1, n, lengths, steps, dims, values));
        d.put("vision", features(2, n, lengths, steps, dims, values));
        d.put("id", new Pickle4Writer.Nd("U" + Arrays.stream(ids).mapToInt(String::length).max().orElse(1),
                new long[]{n}, ids));
        d.put("text", features(0, n, null, steps, dims, values));
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) labels[i];
        }
        d.put("regression_labels", new Pickle4Writer.Nd("f4", new long[]{n}, l));
        if (lengths != null) {
            List<Object> al = new ArrayList<>();
            for (long x : lengths) {
                al.add((int) x);
            }
            d.put("audio_lengths", al);
            d.put("vision_lengths", new ArrayList<>(al));
        }
        return d;
    }

    /**
     * The split dict of an aligned pickle ({@code aligned_50.pkl}) as MMSA writes it: no {@code <modality>_lengths};
     * {@code text_bert} [n, 3, STEPS] (input ids, attention mask with {@code maskLengths[i]} ones then zeros, segment
     * ids), the features of all three modalities zero after the mask's length, and {@code classification_labels}.
     */
    public static Map<String, Object> alignedSplit(String prefix, double[] labels, long[] maskLengths) {
        Map<String, Object> d = split(prefix, labels, null);
        int n = labels.length;
        d.put("text", features(0, n, maskLengths));
        d.put("audio", features(1, n, maskLengths));
        d.put("vision", features(2, n, maskLengths));
        float[] bert = new float[n * 3 * STEPS];
        float[] cls = new float[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < maskLengths[i]; t++) {
                bert[(i * 3) * STEPS + t] = t == 0 ? 101 : 2000 + 10 * i + t; // [CLS], then word piece ids
                bert[(i * 3 + 1) * STEPS + t] = 1;
            }
            cls[i] = labels[i] < 0 ? 0 : labels[i] == 0 ? 1 : 2;
        }
        d.put("text_bert", new Pickle4Writer.Nd("f4", new long[]{n, 3, STEPS}, bert));
        d.put("classification_labels", new Pickle4Writer.Nd("f4", new long[]{n}, cls));
        return d;
    }

    /** Features of modality m, zero padded after the true length when lengths are given. */
    public static Pickle4Writer.Nd features(int m, int n, long[] lengths) {
        return features(m, n, lengths, STEPS, DIMS, MosiFixtures::value);
    }

    /** Features [n, steps, dims[m]] of modality m, zero padded after the true length when lengths are given. */
    public static Pickle4Writer.Nd features(int m, int n, long[] lengths, int steps, int[] dims, Values values) {
        int dim = dims[m];
        float[] f = new float[n * steps * dim];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) {
                for (int k = 0; k < dim; k++) {
                    boolean pad = lengths != null && t >= lengths[i];
                    f[(i * steps + t) * dim + k] = pad ? 0f : values.at(m, i, t, k);
                }
            }
        }
        return new Pickle4Writer.Nd("f4", new long[]{n, steps, dim}, f);
    }

    /** @return {train, valid, test} with the given train split and small valid/test splits */
    public static Map<String, Object> file(Map<String, Object> train) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("train", train);
        root.put("valid", split("v", new double[]{0.0}, null));
        root.put("test", split("t", new double[]{-3.0, 3.0}, null));
        return root;
    }
}

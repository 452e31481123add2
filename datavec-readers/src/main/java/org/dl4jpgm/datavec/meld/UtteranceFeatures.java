package org.dl4jpgm.datavec.meld;

import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.pickle.NumpyArray;
import org.dl4jpgm.datavec.pickle.PickleReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Utterance-level features [D] per MELD utterance, keyed {@code dia{D}_utt{U}} (the name of the clip
 * {@code dia{D}_utt{U}.mp4}). Loaded from a pickle holding a dict, or a list / tuple of dicts (such as MELD's
 * {@code (train, dev, test)} feature pickles), whose keys are {@code "dia{D}_utt{U}"} or {@code "{D}_{U}"} and whose
 * values are numpy vectors ([D] or [1, D]) or lists of numbers.
 *
 * <p>MELD's baseline feature pickles hold one dict per split, {@code (train, dev, test)}, and dialogue ids restart in
 * every split, so their keys repeat across the three dicts: read such a file with {@link #readParts}, one
 * {@code UtteranceFeatures} per split. {@link #read} merges the dicts of a tuple and therefore fails on it.
 */
public final class UtteranceFeatures {

    private static final Pattern KEY = Pattern.compile("(?:dia)?(\\d+)_(?:utt)?(\\d+)");

    private final Path source;
    private final Map<String, float[]> byKey;

    private UtteranceFeatures(Path source, Map<String, float[]> byKey) {
        this.source = source;
        this.byKey = byKey;
    }

    /** @return the canonical key of dialogue d, utterance u */
    public static String key(int dialogue, int utterance) {
        return "dia" + dialogue + "_utt" + utterance;
    }

    /** Wraps an in-memory map (keys must already be canonical {@code dia{D}_utt{U}}). */
    public static UtteranceFeatures of(Map<String, float[]> byKey) {
        return new UtteranceFeatures(null, Collections.unmodifiableMap(new HashMap<>(byKey)));
    }

    /**
     * Reads a feature pickle.
     *
     * @throws DataFormatException for a malformed pickle, an item of a top-level list / tuple that is not a dict, a
     *                             key that is not {@code dia{D}_utt{U}} / {@code {D}_{U}}, a duplicate key, vectors of
     *                             different widths
     */
    public static UtteranceFeatures read(Path file) throws IOException {
        Object root = PickleReader.read(file);
        Map<String, float[]> out = new HashMap<>();
        if (root instanceof Map) {
            add(file, (Map<?, ?>) root, out, "dict");
        } else if (root instanceof List || root instanceof Object[]) {
            List<?> parts = root instanceof List ? (List<?>) root : java.util.Arrays.asList((Object[]) root);
            for (int i = 0; i < parts.size(); i++) {
                Object p = parts.get(i);
                if (!(p instanceof Map)) {
                    // nothing is dropped silently: a pickle bundling other objects is not a feature pickle
                    throw new DataFormatException(file, "item " + i, "a dict of features",
                            p == null ? "None" : p.getClass().getSimpleName());
                }
                add(file, (Map<?, ?>) p, out, "item " + i);
            }
        } else {
            throw new DataFormatException(file, "top level", "a dict of features or a list/tuple of dicts",
                    root == null ? "None" : root.getClass().getSimpleName());
        }
        if (out.isEmpty()) {
            throw new DataFormatException(file, "top level", "at least one dia{D}_utt{U} feature vector", "none");
        }
        return new UtteranceFeatures(file, out);
    }

    /**
     * Reads a feature pickle part by part: one {@code UtteranceFeatures} per dict of a top-level list / tuple (in
     * order, e.g. MELD's {@code (train, dev, test)}), or a single one for a top-level dict.
     *
     * @throws DataFormatException for a malformed pickle, an item of the list / tuple that is not a dict, a bad key,
     *                             a duplicate key within one dict, vectors of different widths, an empty dict
     */
    public static List<UtteranceFeatures> readParts(Path file) throws IOException {
        Object root = PickleReader.read(file);
        if (root instanceof Map) {
            return List.of(read(file, (Map<?, ?>) root, "dict"));
        }
        if (!(root instanceof List || root instanceof Object[])) {
            throw new DataFormatException(file, "top level", "a dict of features or a list/tuple of dicts",
                    root == null ? "None" : root.getClass().getSimpleName());
        }
        List<?> parts = root instanceof List ? (List<?>) root : java.util.Arrays.asList((Object[]) root);
        List<UtteranceFeatures> out = new java.util.ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Object p = parts.get(i);
            if (!(p instanceof Map)) {
                throw new DataFormatException(file, "item " + i, "a dict of features",
                        p == null ? "None" : p.getClass().getSimpleName());
            }
            out.add(read(file, (Map<?, ?>) p, "item " + i));
        }
        if (out.isEmpty()) {
            throw new DataFormatException(file, "top level", "at least one dict of features", "an empty "
                    + (root instanceof List ? "list" : "tuple"));
        }
        return out;
    }

    private static UtteranceFeatures read(Path file, Map<?, ?> dict, String where) {
        Map<String, float[]> out = new HashMap<>();
        add(file, dict, out, where);
        if (out.isEmpty()) {
            throw new DataFormatException(file, where, "at least one dia{D}_utt{U} feature vector", "none");
        }
        return new UtteranceFeatures(file, out);
    }

    private static void add(Path file, Map<?, ?> d, Map<String, float[]> out, String where) {
        int width = out.isEmpty() ? -1 : out.values().iterator().next().length;
        for (Map.Entry<?, ?> e : d.entrySet()) {
            String k = String.valueOf(e.getKey());
            Matcher m = KEY.matcher(k);
            if (!m.matches()) {
                throw new DataFormatException(file, where + ", key '" + k + "'", "a key dia{D}_utt{U} or {D}_{U}", k);
            }
            String key;
            try {
                key = key(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            } catch (NumberFormatException x) {
                throw new DataFormatException(file, where + ", key '" + k + "'", "dialogue and utterance numbers "
                        + "below 2^31", k);
            }
            float[] v = vector(file, where + ", key '" + k + "'", e.getValue());
            if (width >= 0 && v.length != width) {
                throw new DataFormatException(file, where + ", key '" + k + "'", "a vector of width " + width,
                        "width " + v.length);
            }
            width = v.length;
            if (out.put(key, v) != null) {
                throw new DataFormatException(file, where + ", key '" + k + "'", "each utterance once",
                        "a second vector for " + key + " (a tuple of per-split dicts? read it with readParts)");
            }
        }
    }

    private static float[] vector(Path file, String where, Object o) {
        if (o instanceof NumpyArray) {
            NumpyArray a = (NumpyArray) o;
            long[] s = a.shape();
            if (!a.isNumeric() || !(s.length == 1 || (s.length == 2 && s[0] == 1))) {
                throw new DataFormatException(file, where, "a numeric vector [D] or [1, D]", a.toString());
            }
            return a.getFloats(0, (int) a.size());
        }
        if (o instanceof List) {
            List<?> l = (List<?>) o;
            float[] v = new float[l.size()];
            for (int i = 0; i < v.length; i++) {
                if (!(l.get(i) instanceof Number)) {
                    throw new DataFormatException(file, where, "numbers", String.valueOf(l.get(i)));
                }
                v[i] = ((Number) l.get(i)).floatValue();
            }
            return v;
        }
        throw new DataFormatException(file, where, "a numpy vector or a list of numbers",
                o == null ? "None" : o.getClass().getSimpleName());
    }

    /** @return the features of utterance {@code key} ({@code dia{D}_utt{U}}), or null if absent */
    public float[] get(String key) {
        return byKey.get(key);
    }

    /** @return the feature width D */
    public int width() {
        return byKey.values().iterator().next().length;
    }

    /** @return the number of utterances held */
    public int size() {
        return byKey.size();
    }

    /** @return the pickle the features came from (null for in-memory features) */
    public Path source() {
        return source;
    }
}

package org.dl4jpgm.datavec.text;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A small numeric text feature: character trigrams of the lower-cased text, with '#' marking each
 * word's start and end ({@code "#se", "sev", ..., "en#"}), hashed (FNV-1a, 32-bit) into D buckets,
 * counted, and L2-normalised. Output: a vector [D] (all zeros for a text without letters or digits).
 * Robust to typos: a one-letter change alters at most three trigrams of a word.
 */
public final class CharTrigramHasher {

    /** Number of hash buckets D. Default 64. */
    private final int dims;

    /** @param dims number of buckets D (>= 1) */
    public CharTrigramHasher(int dims) {
        if (dims < 1) {
            throw new IllegalArgumentException("CharTrigramHasher: dims must be >= 1, found " + dims);
        }
        this.dims = dims;
    }

    /** Number of buckets D. */
    public int dims() {
        return dims;
    }

    /** FNV-1a 32-bit hash of a string's UTF-8 bytes. */
    static int fnv1a(String s) {
        int h = 0x811C9DC5;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    /** The feature vector [D] of a text. */
    public float[] features(String text) {
        float[] v = new float[dims];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
            if (word.isEmpty()) {
                continue;
            }
            String w = "#" + word + "#";
            for (int i = 0; i + 3 <= w.length(); i++) {
                v[Integer.remainderUnsigned(fnv1a(w.substring(i, i + 3)), dims)] += 1f;
            }
        }
        double ss = 0;
        for (float x : v) {
            ss += x * x;
        }
        if (ss > 0) {
            float inv = (float) (1 / Math.sqrt(ss));
            for (int i = 0; i < dims; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }
}

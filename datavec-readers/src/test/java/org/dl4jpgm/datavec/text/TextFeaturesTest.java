package org.dl4jpgm.datavec.text;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TextFeaturesTest {

    private static double cos(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s; // both are L2-normalised
    }

    @Test
    void trigramHashingCountsNormalisesAndToleratesTypos() {
        CharTrigramHasher h = new CharTrigramHasher(64);
        float[] seven = h.features("seven");
        // "#seven#" has 5 trigrams: #se sev eve ven en#
        double ss = 0;
        int nonZero = 0;
        for (float v : seven) {
            ss += v * v;
            nonZero += v != 0 ? 1 : 0;
        }
        assertEquals(1.0, ss, 1e-6);
        assertTrue(nonZero >= 3 && nonZero <= 5, "buckets " + nonZero);
        assertEquals(1.0, cos(seven, h.features("SEVEN!")), 1e-6);
        assertTrue(cos(seven, h.features("sevne")) > cos(seven, h.features("three")), "a typo stays closer than another digit");
        assertEquals(0.0, cos(seven, h.features("...")), 0.0);
        // the bucket of a trigram is FNV-1a mod D (stable across JVMs)
        float[] one = new CharTrigramHasher(1000).features("ab");
        assertEquals(1f, one[Integer.remainderUnsigned(CharTrigramHasher.fnv1a("#ab"), 1000)]
                + one[Integer.remainderUnsigned(CharTrigramHasher.fnv1a("ab#"), 1000)], 0.5f);
    }

    @Test
    void noisyTextIsSeededAndUsuallyNamesTheDigit() {
        NoisyDigitText t = new NoisyDigitText();
        Random a = new Random(9);
        Random b = new Random(9);
        int plain = 0;
        for (int i = 0; i < 500; i++) {
            String s = t.text(i % 10, a);
            assertEquals(s, t.text(i % 10, b));
            if (s.contains(NoisyDigitText.WORDS.get(i % 10))) {
                plain++;
            }
        }
        // expected share with the clean word: 0.9 informative x 0.65 plain word x 0.8^3 no typo ~ 0.30 (a few typos keep the word)
        assertTrue(plain > 110 && plain < 220, "texts with the clean word: " + plain);
        NoisyDigitText clean = new NoisyDigitText(0, 0, 0, 0);
        assertTrue(clean.text(4, new Random(1)).contains("four"));
        assertThrows(IllegalArgumentException.class, () -> new NoisyDigitText(2, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> t.text(10, new Random(1)));
    }
}

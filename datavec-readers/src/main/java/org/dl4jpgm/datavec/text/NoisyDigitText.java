package org.dl4jpgm.datavec.text;

import java.util.List;
import java.util.Random;

/**
 * Short noisy texts about a spoken digit, like a rough transcript: the digit word, a synonym
 * ("oh", "nought", "niner"), or the numeral, inside a carrier phrase, with random typos (a letter
 * dropped, doubled, swapped with its neighbour, or replaced), and sometimes no digit at all
 * ("sorry, didn't catch that"). All randomness comes from the caller's {@link Random}.
 */
public final class NoisyDigitText {

    /** The digit words, index = digit. */
    public static final List<String> WORDS = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
    private static final String[][] SYNONYMS = {
            {"zero", "oh", "nought", "nil"}, {"one", "won", "single"}, {"two", "too", "pair"}, {"three", "tree", "trio"},
            {"four", "for", "fore"}, {"five", "fife"}, {"six", "sicks"}, {"seven", "sevn"}, {"eight", "ate"}, {"nine", "niner"}};
    private static final String[] CARRIERS = {"%s", "%s", "the number %s", "it's %s", "i heard %s", "%s i think",
            "digit %s", "um %s", "said %s", "%s please"};
    private static final String[] UNINFORMATIVE = {"sorry, didn't catch that", "what was that", "hmm", "say again please",
            "too noisy", "i'm not sure", "[inaudible]", "could you repeat"};

    /** Probability that a text names no digit at all. Default 0.1. */
    private final double uninformativeRate;
    /** Probability of using a synonym or homophone instead of the plain word. Default 0.25. */
    private final double synonymRate;
    /** Probability of using the numeral ("7") instead of a word. Default 0.1. */
    private final double numeralRate;
    /** Expected number of typos per text word (3 chances, each with probability typoRate / 3). Default 0.6. */
    private final double typoRate;

    /** With the defaults: uninformative 0.1, synonym 0.25, numeral 0.1, typos 0.6. */
    public NoisyDigitText() {
        this(0.1, 0.25, 0.1, 0.6);
    }

    /**
     * @param uninformativeRate probability of a text with no digit
     * @param synonymRate       probability of a synonym/homophone
     * @param numeralRate       probability of the numeral
     * @param typoRate          expected number of typos per text (0..3)
     */
    public NoisyDigitText(double uninformativeRate, double synonymRate, double numeralRate, double typoRate) {
        check("uninformativeRate", uninformativeRate, 1);
        check("synonymRate", synonymRate, 1);
        check("numeralRate", numeralRate, 1);
        check("typoRate", typoRate, 3);
        this.uninformativeRate = uninformativeRate;
        this.synonymRate = synonymRate;
        this.numeralRate = numeralRate;
        this.typoRate = typoRate;
    }

    private static void check(String name, double v, double max) {
        if (!(v >= 0 && v <= max)) {
            throw new IllegalArgumentException("NoisyDigitText: " + name + " must be in [0, " + max + "], found " + v);
        }
    }

    /** A text about {@code digit} (0..9), or an uninformative one. */
    public String text(int digit, Random r) {
        if (digit < 0 || digit > 9) {
            throw new IllegalArgumentException("NoisyDigitText: digit must be in 0..9, found " + digit);
        }
        if (r.nextDouble() < uninformativeRate) {
            return UNINFORMATIVE[r.nextInt(UNINFORMATIVE.length)];
        }
        String word;
        double u = r.nextDouble();
        if (u < numeralRate) {
            word = Integer.toString(digit);
        } else if (u < numeralRate + synonymRate) {
            String[] syn = SYNONYMS[digit];
            word = syn[1 + r.nextInt(syn.length - 1)];
        } else {
            word = WORDS.get(digit);
        }
        StringBuilder w = new StringBuilder(word);
        for (int t = 0; t < 3; t++) {
            if (r.nextDouble() < typoRate / 3 && w.length() > 2 && !Character.isDigit(w.charAt(0))) {
                typo(w, r);
            }
        }
        return String.format(CARRIERS[r.nextInt(CARRIERS.length)], w);
    }

    private static void typo(StringBuilder w, Random r) {
        int i = r.nextInt(w.length());
        switch (r.nextInt(4)) {
            case 0 -> w.deleteCharAt(i);
            case 1 -> w.insert(i, w.charAt(i));
            case 2 -> {
                int j = i + 1 < w.length() ? i + 1 : i - 1;
                char c = w.charAt(i);
                w.setCharAt(i, w.charAt(j));
                w.setCharAt(j, c);
            }
            default -> w.setCharAt(i, (char) ('a' + r.nextInt(26)));
        }
    }
}

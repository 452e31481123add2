package org.dl4jpgm.datavec.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded, stratified hold-out: within every class (taken in ascending class order) the examples are shuffled with
 * one {@link Random} seeded once, and the first {@link #heldOutCount k_c} of them are held out. The same labels,
 * fraction and seed always give the same split, on every JVM.
 *
 * <p>{@code k_c = round(fraction * n_c)}, raised to 1 when the fraction is above 0 and the class has at least two
 * examples, and lowered to {@code n_c - 1} so that every class keeps a training example: a 0.1 hold-out of a class of 3
 * holds out 1 (plain rounding gives 0, and small data sets would get an empty validation split), a class of one
 * example is never held out, and a fraction of 0 holds out nothing.
 */
public final class StratifiedSplit {

    private StratifiedSplit() {
    }

    /**
     * @param labels   class of every example [N]
     * @param fraction share of each class to hold out, in [0, 1]
     * @param seed     the seed
     * @return held-out flag per example [N]
     */
    public static boolean[] holdOut(int[] labels, double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("StratifiedSplit: expected a fraction in [0, 1], found " + fraction);
        }
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        boolean[] held = new boolean[labels.length];
        for (List<Integer> idx : byClass.values()) {
            Collections.shuffle(idx, rng);
            int k = heldOutCount(idx.size(), fraction);
            for (int j = 0; j < k; j++) {
                held[idx.get(j)] = true;
            }
        }
        return held;
    }

    /**
     * How many of a class's {@code n} examples are held out.
     *
     * @param n        examples of the class, &ge; 0
     * @param fraction share to hold out, in [0, 1]
     * @return {@code round(fraction * n)} within [1, n - 1] when {@code fraction > 0} and {@code n >= 2}; 0 otherwise
     */
    public static int heldOutCount(int n, double fraction) {
        if (fraction <= 0 || n < 2) {
            return 0;
        }
        long k = Math.round(fraction * n);
        return (int) Math.max(1, Math.min(n - 1, k));
    }
}

package org.dl4jpgm.datavec.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded, stratified hold-out: within every class (taken in ascending class order) the examples are shuffled with
 * one {@link Random} seeded once, and the first {@code round(fraction * n_c)} of them are held out. The same labels,
 * fraction and seed always give the same split, on every JVM.
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
            long k = Math.round(fraction * idx.size());
            for (int j = 0; j < k; j++) {
                held[idx.get(j)] = true;
            }
        }
        return held;
    }
}

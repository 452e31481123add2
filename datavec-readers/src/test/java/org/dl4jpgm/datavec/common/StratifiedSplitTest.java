package org.dl4jpgm.datavec.common;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StratifiedSplitTest {

    @Test
    void heldOutCountRoundsButKeepsOneForValidationAndOneForTraining() {
        // n:           0  1  2  3  5  10  20  100
        int[] n = {0, 1, 2, 3, 5, 10, 20, 100};
        assertArrayEquals(new int[]{0, 0, 1, 1, 1, 1, 2, 10}, counts(n, 0.1));
        assertArrayEquals(new int[]{0, 0, 1, 2, 3, 5, 10, 50}, counts(n, 0.5), "half up: round(1.5) = 2, round(2.5) = 3");
        assertArrayEquals(new int[]{0, 0, 1, 2, 4, 9, 19, 99}, counts(n, 1.0), "every class keeps one training example");
        assertArrayEquals(new int[8], counts(n, 0), "0 holds out nothing");
    }

    @Test
    void holdOutFollowsTheCountsPerClassAndIsSeeded() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 3, 3};
        boolean[] held = StratifiedSplit.holdOut(labels, 0.1, 7);
        int[] perClass = new int[4];
        for (int i = 0; i < labels.length; i++) {
            perClass[labels[i]] += held[i] ? 1 : 0;
        }
        assertArrayEquals(new int[]{1, 1, 0, 1}, perClass);
        assertArrayEquals(held, StratifiedSplit.holdOut(labels, 0.1, 7));
        for (boolean h : StratifiedSplit.holdOut(labels, 0, 7)) {
            assertFalse(h);
        }
        assertThrows(IllegalArgumentException.class, () -> StratifiedSplit.holdOut(labels, 1.5, 7));
    }

    @Test
    void inputSplitOfAMissingPathNamesItAndCreatesNothing(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path missing = dir.resolve("train_sent_emo.csv");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> InputSplits.existing(missing, "MELD's train CSV"));
        assertEquals(missing + ": expected MELD's train CSV, found nothing at that path", e.getMessage());
        assertFalse(Files.exists(missing));
        assertTrue(InputSplits.existing(dir, "a folder").locations().length >= 0);
    }

    private static int[] counts(int[] n, double fraction) {
        int[] k = new int[n.length];
        for (int i = 0; i < n.length; i++) {
            k[i] = StratifiedSplit.heldOutCount(n[i], fraction);
        }
        return k;
    }
}

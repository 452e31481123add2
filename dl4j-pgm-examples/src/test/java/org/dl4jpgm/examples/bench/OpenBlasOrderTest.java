package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OpenBlasOrderTest {

    @Test
    void kBlocksAreLevel3sMinL() {
        assertArrayEquals(new int[]{32}, OpenBlasOrder.kBlocks(32));
        assertArrayEquals(new int[]{320}, OpenBlasOrder.kBlocks(320));
        assertArrayEquals(new int[]{168, 160}, OpenBlasOrder.kBlocks(328));    // 328 / 2 = 164, up to 168
        assertArrayEquals(new int[]{320, 320}, OpenBlasOrder.kBlocks(640));
        assertArrayEquals(new int[]{320, 168, 168}, OpenBlasOrder.kBlocks(656));
        assertArrayEquals(new int[]{320, 224, 224}, OpenBlasOrder.kBlocks(768));
        assertArrayEquals(new int[]{320, 320, 320, 320, 320, 320, 224, 224}, OpenBlasOrder.kBlocks(2368));
    }

    /**
     * 32 rows, 48 columns: one row block of OpenBLAS, its columns (our rows) in chunks of 12, 12, 4 and 4. In each
     * chunk of 12 the left half's first 8 of our columns are split, and, its rows staggered R, L, R, L, R, the left
     * half's last 8; the chunks of 4 are split in every full tile of 8 rows, all 48.
     */
    @Test
    void splitMapMarksTheKernelsSplitTiles() {
        int rows = 32;
        int cols = 48;
        boolean[] split = OpenBlasOrder.splitMap(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                boolean leftHalf = i < 24 && i % 12 < 6;
                boolean expected = i >= 24 || leftHalf && (j < 8 || j >= 40);
                assertEquals(expected, split[i * cols + j], "row " + i + ", column " + j);
            }
        }
    }

    /** Fewer than 16 of OpenBLAS's rows (our columns) in a call: every element one chain. */
    @Test
    void narrowProductsHaveNoSplitTilesBeyondTheChunksOfFour() {
        boolean[] split = OpenBlasOrder.splitMap(24, 8);
        for (boolean s : split) {
            assertFalse(s);
        }
    }

    /**
     * Where ND4J's OpenBLAS runs its Haswell kernels on one thread (the environment's {@code OPENBLAS_CORETYPE} and
     * {@code OMP_NUM_THREADS}, as the build's tests run), the written-out order gives every element's bits: both K
     * splits and two row blocks ({@code [32, 660, 352]}: K blocks of 320, 176 and 164), three row blocks whose
     * staggered halves end on the right ({@code [24, 40, 720]}), odd sizes ({@code [17, 37, 29]}), each with a last
     * {@code K mod 8} of 4 or more; as stored, transposed, and added to the output. One plain chain per element does
     * not.
     */
    @Test
    void theOrderGivesNd4jsBitsOnHaswellKernels() {
        assumeTrue("Haswell".equalsIgnoreCase(BlasLibrary.coreType()), "OpenBLAS's Haswell kernels not asked for");
        assumeTrue("1".equals(System.getenv("OMP_NUM_THREADS")), "more than one OpenBLAS thread");
        SplittableRandom random = new SplittableRandom(3);
        int chainDiffers = 0;
        for (int[] s : new int[][]{{32, 660, 352}, {24, 40, 720}, {17, 37, 29}}) {
            for (int variant = 0; variant < 4; variant++) {
                int[] d = OpenBlasOrder.compare(s[0], s[1], s[2], variant == 1, variant == 2, variant == 3 ? 1 : 0,
                        random);
                assertEquals(0, d[0], Arrays.toString(s) + " variant " + variant);
                chainDiffers += d[1];
            }
        }
        assertTrue(chainDiffers > 0);
    }
}

package org.dl4jpgm.testing;

import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Exact comparison of arrays, for the fast paths that claim to compute what libnd4j or DL4J computes. */
public final class BitAssert {

    private BitAssert() {
    }

    /** The same shape and the same values, to the last bit ({@code INDArray.equals} allows a tolerance). */
    public static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.ravel().toDoubleVector(), actual.ravel().toDoubleVector(), 0.0, what);
    }
}

package org.dl4jpgm.testing;

import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Exact comparison of arrays, for the fast paths that claim to compute what libnd4j or DL4J computes. */
public final class BitAssert {

    private BitAssert() {
    }

    /**
     * The same shape and the same values, to the last bit, the sign of a zero included ({@code INDArray.equals} allows
     * a tolerance, and JUnit's comparison with a delta of 0 takes -0 for +0); every NaN counts as the same value.
     */
    public static void assertBitIdentical(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.ravel().toDoubleVector();
        double[] a = actual.ravel().toDoubleVector();
        for (int i = 0; i < e.length; i++) {
            if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i])) {
                fail(what + " ==> array contents differ at index [" + i + "], expected: <" + e[i] + "> but was: <"
                        + a[i] + ">");
            }
        }
    }
}

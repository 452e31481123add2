package org.dl4jpgm.datavec.testutil;

import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Matrix;

/** Builds MATLAB v5 matrices (double, as MATLAB's {@code save} writes them) for .mat fixtures. */
public final class MatFixtures {

    private MatFixtures() {
    }

    /** @return a double matrix [rows, cols] holding {@code v} */
    public static Matrix matrix(double[][] v) {
        Matrix x = Mat5.newMatrix(v.length, v[0].length);
        for (int r = 0; r < v.length; r++) {
            for (int c = 0; c < v[r].length; c++) {
                x.setDouble(r, c, v[r][c]);
            }
        }
        return x;
    }
}

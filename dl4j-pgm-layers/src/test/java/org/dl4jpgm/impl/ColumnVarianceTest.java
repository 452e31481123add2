package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.Random;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link ColumnVariance} against libnd4j's {@code Variance} along axis 0, bit for bit, and against the definition. */
class ColumnVarianceTest {

    /** ND4J's op as DL4J's batch normalisation runs it: {@code x.var(false, 0)} into an array of F elements. */
    private static INDArray libnd4j(INDArray x) {
        INDArray out = Nd4j.create(x.dataType(), x.size(1));
        Nd4j.exec(new Variance(x, out, false, false, 0));
        return out;
    }

    private static INDArray java(INDArray x) {
        INDArray out = Nd4j.create(x.dataType(), x.size(1));
        Runnable step = ColumnVariance.bind(x, out);
        assertNotNull(step, x.shapeInfoToString());
        step.run();
        return out;
    }

    /**
     * Columns of several scales and offsets (a large mean against a small spread is where the order of the arithmetic
     * shows), exact zeros, and a constant column.
     */
    private static INDArray values(DataType type, int rows, int cols, Random r) {
        INDArray x = Nd4j.randn(type, rows, cols).muli(Transforms.exp(Nd4j.rand(type, 1, cols).muli(16).subi(8),
                false));
        x.addiRowVector(Nd4j.randn(type, 1, cols).muli(r.nextDouble() * 1e3));
        for (int i = 0; i < rows; i += 5) {
            x.putScalar(i, r.nextInt(cols), 0.0);
        }
        x.getColumn(cols - 1).assign(3.25);
        return x;
    }

    @Test
    void equalsLibnd4jsVarianceBitForBit() {
        Random r = new Random(17);
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            Nd4j.getRandom().setSeed(17);
            // the main job's head normalisation, the paper's, a few rows, many rows, two rows
            int[][] shapes = {{128, 192}, {32, 1536}, {3, 7}, {700, 40}, {2, 5}};
            for (int[] s : shapes) {
                INDArray x = values(type, s[0], s[1], r);
                assertBitIdentical(libnd4j(x), java(x), type + " " + s[0] + " x " + s[1]);
            }
            for (int t = 0; t < 60; t++) {
                INDArray x = values(type, 2 + r.nextInt(300), 2 + r.nextInt(80), r);
                assertBitIdentical(libnd4j(x), java(x), type + " random shape " + t + ": " + x.shapeInfoToString());
            }
        }
    }

    @Test
    void equalsTheDefinition() {
        INDArray x = Nd4j.createFromArray(new double[][]{{1, -2}, {3, 4}, {8, 4}});
        INDArray v = java(x);
        // mean 4, deviations -3, -1, 4: (9 + 1 + 16) / 3; mean 2: (16 + 4 + 4) / 3
        assertEquals(26.0 / 3, v.getDouble(0), 1e-15);
        assertEquals(8.0, v.getDouble(1), 1e-15);
    }

    @Test
    void readsAViewAtAnOffsetAndNewValuesInPlace() {
        Random r = new Random(3);
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray big = values(type, 60, 9, r);
            INDArray x = big.get(NDArrayIndex.interval(10, 50), NDArrayIndex.all());   // contiguous, at an offset
            INDArray out = Nd4j.create(type, 9);
            Runnable step = ColumnVariance.bind(x, out);
            assertNotNull(step, type + ": a contiguous view");
            step.run();
            assertBitIdentical(libnd4j(x.dup()), out, type + ": a view at an offset");
            x.assign(values(type, 40, 9, r));
            step.run();
            assertBitIdentical(libnd4j(x.dup()), out, type + ": new values in the same array");
        }
    }

    @Test
    void otherLayoutsAreLeftToLibnd4j() {
        assertNull(ColumnVariance.bind(Nd4j.rand(DataType.FLOAT, 'f', 4, 3), Nd4j.create(DataType.FLOAT, 3)),
                "'f' order");
        assertNull(ColumnVariance.bind(Nd4j.rand(DataType.FLOAT, 4, 3, 2), Nd4j.create(DataType.FLOAT, 6)),
                "rank 3");
        assertNull(ColumnVariance.bind(Nd4j.rand(DataType.FLOAT, 4, 3), Nd4j.create(DataType.DOUBLE, 3)),
                "another output type");
        assertNull(ColumnVariance.bind(Nd4j.rand(DataType.HALF, 4, 3), Nd4j.create(DataType.HALF, 3)), "half");
        assertNull(ColumnVariance.bind(Nd4j.rand(DataType.FLOAT, 4, 3), Nd4j.create(DataType.FLOAT, 4)),
                "an output of another length");
    }
}

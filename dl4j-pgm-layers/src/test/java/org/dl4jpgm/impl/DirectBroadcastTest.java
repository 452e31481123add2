package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link DirectBroadcast} against libnd4j's custom ops, bit for bit. */
class DirectBroadcastTest {

    private static final List<String> OPS = List.of("add", "subtract", "multiply", "divide");

    /** Pairs of shapes (first input and output, second input) the plans meet at the main job's and paper's sizes. */
    private static final long[][][] SHAPES = {
            {{128, 32}, {1, 32}},
            {{384, 1, 32}, {384, 1, 1}},
            {{384, 1, 32}, {1, 32}},
            {{3, 128, 32}, {3, 128, 1}},
            {{3, 128, 32}, {3, 1, 32}},
            {{32, 768}, {1, 768}},
            {{2, 3, 5}, {5}},
    };

    private static DynamicCustomOp custom(String op, INDArray x, INDArray y, INDArray z) {
        return DynamicCustomOp.builder(op).addInputs(x, y).addOutputs(z).build();
    }

    /** Values away from zero (the second input divides), some negative. */
    private static INDArray values(DataType type, long... shape) {
        INDArray a = Nd4j.rand(type, shape).subi(0.5).muli(4);
        return a.addi(Nd4j.math().sign(a).muli(0.1));
    }

    @Test
    void theFourOpsAreVerifiedOnThisBackend() {
        assertEquals(Set.copyOf(OPS), DirectBroadcast.supported(), "the probe at class loading agreed for each");
    }

    @Test
    void theProbeLeavesNd4jsRandomGeneratorAlone() {
        Nd4j.getRandom().setSeed(42);
        double expected = Nd4j.rand(DataType.DOUBLE, 1).getDouble(0);
        Nd4j.getRandom().setSeed(42);
        assertEquals(Set.copyOf(OPS), DirectBroadcast.verify().keySet());
        assertEquals(expected, Nd4j.rand(DataType.DOUBLE, 1).getDouble(0), 0.0, "the next draw after the probe");
    }

    @Test
    void equalsTheCustomOpsBitForBit() {
        for (String op : OPS) {
            for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
                for (long[][] s : SHAPES) {
                    INDArray x = values(type, s[0]);
                    INDArray y = values(type, s[1]);
                    INDArray expected = Nd4j.create(type, s[0]);
                    Nd4j.exec(custom(op, x, y, expected));
                    INDArray actual = Nd4j.create(type, s[0]);
                    DirectBroadcast d = DirectBroadcast.of(custom(op, x, y, actual), new INDArray[]{x, y},
                            new INDArray[]{actual});
                    String what = op + " " + type + " " + Arrays.toString(s[0]) + " " + Arrays.toString(s[1]);
                    assertNotNull(d, what);
                    d.run(x, y, actual);
                    assertBitIdentical(expected, actual, what);
                }
            }
        }
    }

    @Test
    void otherArraysAndChangedValuesAreSeen() {
        INDArray x = values(DataType.FLOAT, 128, 32);
        INDArray y = values(DataType.FLOAT, 1, 32);
        INDArray z = Nd4j.create(DataType.FLOAT, 128, 32);
        DirectBroadcast d = DirectBroadcast.of("add", x, y, z);
        assertNotNull(d);
        d.run(x, y, z);
        assertBitIdentical(x.addRowVector(y), z, "first run");
        y.muli(3);
        d.run(x, y, z);
        assertBitIdentical(x.addRowVector(y), z, "values changed in place");
        INDArray x2 = values(DataType.FLOAT, 128, 32);
        INDArray z2 = Nd4j.create(DataType.FLOAT, 128, 32);
        d.run(x2, y, z2);
        assertBitIdentical(x2.addRowVector(y), z2, "other arrays");
    }

    @Test
    void whatItDoesNotCoverStaysACustomOp() {
        INDArray big = values(DataType.FLOAT, 6, 4);
        INDArray row = values(DataType.FLOAT, 1, 4);
        INDArray out = Nd4j.create(DataType.FLOAT, 6, 4);
        assertNull(DirectBroadcast.of("add", row, big, out), "the first input broadcast");
        assertNull(DirectBroadcast.of("add", big, big.dup(), out), "equal shapes (DirectPairwise's)");
        assertNull(DirectBroadcast.of("add", big, Nd4j.ones(DataType.FLOAT, 1, 1), out), "a scalar");
        assertNull(DirectBroadcast.of("add", big, row.castTo(DataType.DOUBLE), out), "mixed types");
        assertNull(DirectBroadcast.of("add", big.dup('f'), row, out), "'f' order");
        INDArray wide = values(DataType.FLOAT, 6, 8);
        assertNull(DirectBroadcast.of("add", wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)), row, out),
                "a view with gaps");
        assertNull(DirectBroadcast.of("pow", big, row, out), "another op");
        assertNull(DirectBroadcast.of(DynamicCustomOp.builder("add").addInputs(big, row).addOutputs(out)
                .addIntegerArguments(1).build(), new INDArray[]{big, row}, new INDArray[]{out}), "integer arguments");
    }
}

package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DirectCustomOp} against ND4J's executioner running the same op on an op context, and its failures. */
class DirectCustomOpTest {

    /** Runs {@code op} on a fresh context over {@code in}, into fresh outputs of {@code shapes}: directly or not. */
    private static INDArray[] run(DynamicCustomOp op, INDArray[] in, long[][] shapes, DataType type, boolean direct) {
        INDArray[] out = new INDArray[shapes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Nd4j.create(type, shapes[i]).assign(Double.NaN);
        }
        OpContext oc = Nd4j.getExecutioner().buildContext();
        oc.setArgs(in, op.iArgs(), op.dArgs(), op.tArgs(), op.bArgs());
        oc.setOutputArrays(out);
        if (direct) {
            DirectCustomOp d = DirectCustomOp.of(op);
            assertNotNull(d, "the CPU backend has the direct call");
            d.run(oc);
            for (INDArray o : out) {
                o.assign(Double.NaN);   // a second run on the same context writes everything again
            }
            d.run(oc);
        } else {
            Nd4j.exec(op, oc);
        }
        return out;
    }

    private static void assertSameAsExecutioner(DynamicCustomOp op, INDArray[] in, DataType type, long[]... shapes) {
        INDArray[] expected = run(op, in, shapes, type, false);
        INDArray[] actual = run(op, in, shapes, type, true);
        for (int i = 0; i < expected.length; i++) {
            assertBitIdentical(expected[i], actual[i], op.opName() + " output " + i + " (" + type + ")");
        }
    }

    @Test
    void customOpsAreTheExecutionersBitForBit() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(7);
            INDArray a = Nd4j.randn(type, 4, 3);
            INDArray b = Nd4j.randn(type, 4, 5);
            INDArray eps = Nd4j.randn(type, 4, 8);
            assertSameAsExecutioner(DynamicCustomOp.builder("concat").addIntegerArguments(1).build(),
                    new INDArray[]{a, b}, type, new long[]{4, 8});
            assertSameAsExecutioner(DynamicCustomOp.builder("concat_bp").addIntegerArguments(1).build(),
                    new INDArray[]{a, b, eps}, type, new long[]{4, 3}, new long[]{4, 5});
            assertSameAsExecutioner(DynamicCustomOp.builder("cumsum").addIntegerArguments(0, 1, 1).build(),
                    new INDArray[]{b}, type, new long[]{4, 5});
            assertSameAsExecutioner(DynamicCustomOp.builder("permute").addIntegerArguments(1, 0).build(),
                    new INDArray[]{b}, type, new long[]{5, 4});
            assertSameAsExecutioner(DynamicCustomOp.builder("reduce_mean_bp").addIntegerArguments(1).build(),
                    new INDArray[]{b, Nd4j.randn(type, 4)}, type, new long[]{4, 5});
        }
    }

    @Test
    void aBoundPairwiseOpReadsItsArraysAnewAtEveryRun() {
        // the first run through the executioner, the next ones direct: each sees the arrays' current values
        INDArray a = Nd4j.rand(DataType.FLOAT, 1, 5);            // the first input broadcast: no direct broadcast
        INDArray b = Nd4j.rand(DataType.FLOAT, 4, 5);
        INDArray out = Nd4j.create(DataType.FLOAT, 4, 5);
        Runnable bound = BoundOps.pairwise(DynamicCustomOp.builder("multiply").build(), a, b, out);
        for (int run = 0; run < 3; run++) {
            b.muli(-1.5);
            bound.run();
            INDArray expected = Nd4j.create(DataType.FLOAT, 4, 5);
            Nd4j.exec(DynamicCustomOp.builder("multiply").addInputs(a, b).addOutputs(expected).build());
            assertBitIdentical(expected, out, "run " + run);
        }
    }

    @Test
    void aFailureNamesTheOpAndLibnd4jsMessage() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3);
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 5);    // inner sizes 3 and 4 differ
        DynamicCustomOp matmul = DynamicCustomOp.builder("matmul").build();
        OpContext oc = Nd4j.getExecutioner().buildContext();
        oc.setInputArrays(x, y);
        oc.setOutputArrays(Nd4j.create(DataType.FLOAT, 2, 5));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DirectCustomOp.of(matmul).run(oc));
        assertTrue(e.getMessage().contains("(matmul) failed"), e.getMessage());
        // the error is consumed: the next op on good arrays runs
        OpContext good = Nd4j.getExecutioner().buildContext();
        INDArray z = Nd4j.create(DataType.FLOAT, 2, 4);
        good.setInputArrays(x, Nd4j.rand(DataType.FLOAT, 3, 4));
        good.setOutputArrays(z);
        DirectCustomOp.of(matmul).run(good);
        assertTrue(z.sumNumber().doubleValue() > 0);
    }
}

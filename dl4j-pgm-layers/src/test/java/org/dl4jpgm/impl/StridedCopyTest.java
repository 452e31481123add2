package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StridedCopy} against libnd4j's {@code permute} and {@code strided_slice} on a new input array at every run,
 * bit for bit, and in a gradient plan whose placeholder is sliced and permuted.
 */
class StridedCopyTest {

    private static final boolean[] PLACEHOLDER = {true};

    private static DynamicCustomOp op(String name, int... args) {
        return DynamicCustomOp.builder(name).addIntegerArguments(args).build();
    }

    private static INDArray libnd4j(String name, int[] args, INDArray x, long[] outShape) {
        INDArray expected = Nd4j.create(x.dataType(), outShape);
        Nd4j.exec(DynamicCustomOp.builder(name).addInputs(x).addOutputs(expected).addIntegerArguments(args).build());
        return expected;
    }

    /** The copies against the custom op, three runs, each on a new input array with other values. */
    private static void assertSameAsLibnd4j(String name, int[] args, DataType type, long[] inShape, long[] outShape) {
        String what = name + " " + Arrays.toString(args) + " of " + Arrays.toString(inShape) + " " + type;
        INDArray out = Nd4j.create(type, outShape);
        StridedCopy c = StridedCopy.of(op(name, args), new INDArray[]{Nd4j.randn(type, inShape)},
                new INDArray[]{out}, PLACEHOLDER);
        assertNotNull(c, what);
        for (int run = 0; run < 3; run++) {
            INDArray x = Nd4j.randn(type, inShape).muli(run + 1);
            out.assign(Double.NaN);
            c.run(new INDArray[]{x}, new INDArray[]{out});
            assertBitIdentical(libnd4j(name, args, x, outShape), out, what + ", run " + run);
        }
    }

    @Test
    void slicesAndPermutesOfANewInputAtEveryRunAreLibnd4jsBitForBit() {
        Nd4j.getRandom().setSeed(41);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            long[] a = {4, 6, 5};
            // a[:, 1:4, :]: 4 runs of 15
            assertSameAsLibnd4j("strided_slice", new int[]{5, 0, 5, 0, 0, 0, 1, 0, 0, 4, 0, 1, 1, 1}, type, a,
                    new long[]{4, 3, 5});
            // a[:, 2, 0:2] (axis 1 shrunk): 4 runs of 2
            assertSameAsLibnd4j("strided_slice", new int[]{1, 0, 1, 0, 2, 0, 2, 0, 0, 3, 2, 1, 1, 1}, type, a,
                    new long[]{4, 2});
            // a[1:, ::2, -4:] (a stride of 2 on an axis that is not the last, a negative begin)
            assertSameAsLibnd4j("strided_slice", new int[]{2, 0, 7, 0, 0, 1, 0, -4, 0, 0, 0, 1, 2, 1}, type, a,
                    new long[]{3, 3, 4});
            // PgM's input [B, S, 1] sliced along S: B runs
            assertSameAsLibnd4j("strided_slice", new int[]{5, 0, 5, 0, 0, 0, 2, 0, 0, 9, 0, 1, 1, 1}, type,
                    new long[]{6, 11, 1}, new long[]{6, 7, 1});
            // the last axis stays last: runs of 5
            assertSameAsLibnd4j("permute", new int[]{1, 0, 2}, type, a, new long[]{6, 4, 5});
            assertSameAsLibnd4j("permute", new int[]{1, 0, 2, 3}, type, new long[]{3, 4, 1, 5},
                    new long[]{4, 3, 1, 5});
            // a strided last axis, element by element: one element per row of PgM's input shape, a[:, :, ::2], a
            // permutation that moves the last axis
            assertSameAsLibnd4j("strided_slice", new int[]{5, 0, 5, 0, 2, 0, 4, 0, 0, 5, 0, 1, 1, 1}, type,
                    new long[]{6, 11, 1}, new long[]{6, 1});
            assertSameAsLibnd4j("strided_slice", new int[]{3, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2}, type, a,
                    new long[]{4, 6, 3});
            assertSameAsLibnd4j("permute", new int[]{0, 2, 1}, type, a, new long[]{4, 5, 6});
        }
    }

    @Test
    void anInputOfAnotherLayoutThanAtTheFirstRunRunsTheCustomOp() {
        int[] slice = {5, 0, 5, 0, 0, 0, 1, 0, 0, 4, 0, 1, 1, 1};
        INDArray out = Nd4j.create(DataType.FLOAT, 4, 3, 5);
        StridedCopy c = StridedCopy.of(op("strided_slice", slice), new INDArray[]{Nd4j.rand(DataType.FLOAT, 4, 6, 5)},
                new INDArray[]{out}, PLACEHOLDER);
        assertNotNull(c);
        INDArray f = Nd4j.rand(DataType.FLOAT, 'f', 4, 6, 5);
        c.run(new INDArray[]{f}, new INDArray[]{out});
        assertBitIdentical(libnd4j("strided_slice", slice, f, new long[]{4, 3, 5}), out, "an 'f'-order input");
        INDArray wider = Nd4j.rand(DataType.FLOAT, 5, 6, 5);
        INDArray out5 = Nd4j.create(DataType.FLOAT, 5, 3, 5);
        c.run(new INDArray[]{wider}, new INDArray[]{out5});
        assertBitIdentical(libnd4j("strided_slice", slice, wider, new long[]{5, 3, 5}), out5, "another batch size");
    }

    @Test
    void whatItDoesNotCoverIsLeftToOthers() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 6, 5);
        INDArray large = Nd4j.rand(DataType.FLOAT, 16, 16, 24);
        assertTrue(large.length() > StridedCopy.MAX_SINGLES);
        assertNull(StridedCopy.of(op("permute", 0, 2, 1), new INDArray[]{large},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 16, 24, 16)}, PLACEHOLDER),
                "the last axis moves, too many elements to copy one at a time");
        assertNull(StridedCopy.of(op("permute", 1, 0, 2), new INDArray[]{a},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 6, 4, 5)}, new boolean[]{false}),
                "not a placeholder: copies between views");
        assertNull(StridedCopy.of(op("permute", 1, 0, 2), new INDArray[]{Nd4j.create(DataType.INT, 4, 6, 5)},
                new INDArray[]{Nd4j.create(DataType.INT, 6, 4, 5)}, PLACEHOLDER), "integers");
        assertNull(StridedCopy.of(op("permute", 1, 0, 2), new INDArray[]{Nd4j.rand(DataType.FLOAT, 'f',
                4, 6, 5)}, new INDArray[]{Nd4j.create(DataType.FLOAT, 6, 4, 5)}, PLACEHOLDER),
                "an 'f'-order first input");
        assertNull(StridedCopy.of(op("tile", 2, 1, 1), new INDArray[]{a},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 8, 6, 5)}, PLACEHOLDER), "an op that repeats elements");
    }

    @Test
    void aGradientPlanThatSlicesAndPermutesItsPlaceholderIsTheSessionsBitForBit() {
        Nd4j.getRandom().setSeed(43);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6, 5);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 5, 3).subi(0.5));
        SDVariable part = x.get(SDIndex.all(), SDIndex.interval(1, 4), SDIndex.all());     // [B, 3, 5]
        SDVariable moved = x.permute(1, 0, 2);                                            // [6, B, 5]
        SDVariable y = part.reshape(-1, 5).mmul(w);
        SDVariable z = moved.reshape(-1, 5).mmul(w);
        y.mul(y).sum().add(z.mul(2).sum()).rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 4, 6, 5));
        String grad = "w";
        Map<String, INDArray> session = sd.calculateGradients(ph, grad);
        String name = sd.getVariable(grad).getGradient().name();
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(name));
        assertNotNull(plan);
        assertBitIdentical(session.get(grad), plan.run(ph).get(name), "first run");
        for (int run = 0; run < 3; run++) {
            Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 4, 6, 5));
            assertBitIdentical(sd.calculateGradients(other, grad).get(grad), plan.run(other).get(name),
                    "run " + (run + 2));
        }
        assertTrue(plan.runCopies() >= 2, "the slice and the permutation of x: " + plan.runCopies());
        OpPlanTest.withoutRewrites(() -> {
            OpPlan off = OpPlan.of(sd.getFunction("grad"), List.of(name));
            off.run(ph);
            assertEquals(0, off.runCopies());
        });
    }
}

package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ViewCopy} against libnd4j's ops that move elements, bit for bit, and in a gradient plan. */
class ViewCopyTest {

    private static INDArray[] outputs(DataType type, long[]... shapes) {
        INDArray[] out = new INDArray[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            out[i] = Nd4j.create(type, shapes[i]);
        }
        return out;
    }

    /** The copies against the custom op on random inputs, three runs with the inputs changed in between. */
    private static void assertSameAsLibnd4j(String name, int[] args, INDArray[] in, long[]... outShapes) {
        DataType type = in[0].dataType();
        INDArray[] out = outputs(type, outShapes);
        DynamicCustomOp op = DynamicCustomOp.builder(name).addIntegerArguments(args).build();
        ViewCopy v = ViewCopy.of(op, in, out, new boolean[in.length]);
        String what = name + " " + java.util.Arrays.toString(args) + " " + type;
        assertNotNull(v, what);
        for (int run = 0; run < 3; run++) {
            for (INDArray x : in) {
                x.muli(-1.5);
            }
            for (INDArray o : out) {
                o.assign(Double.NaN);
            }
            v.run(in, out);
            INDArray[] expected = outputs(type, outShapes);
            Nd4j.exec(DynamicCustomOp.builder(name).addInputs(in).addOutputs(expected).addIntegerArguments(args)
                    .build());
            for (int i = 0; i < out.length; i++) {
                assertBitIdentical(expected[i], out[i], what + ", output " + i + ", run " + run);
            }
        }
    }

    @Test
    void opsThatMoveElementsAreLibnd4jsBitForBit() {
        Nd4j.getRandom().setSeed(31);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.randn(type, 4, 6, 5);
            INDArray b = Nd4j.randn(type, 4, 2, 5);
            assertSameAsLibnd4j("permute", new int[]{0, 2, 1}, new INDArray[]{a}, new long[]{4, 5, 6});
            assertSameAsLibnd4j("permute", new int[]{2, 0, 1}, new INDArray[]{a}, new long[]{5, 4, 6});
            // a[:, 1:4, :] (begin and end masks on axes 0 and 2)
            int[] interval = {5, 0, 5, 0, 0, 0, 1, 0, 0, 4, 0, 1, 1, 1};
            assertSameAsLibnd4j("strided_slice", interval, new INDArray[]{a}, new long[]{4, 3, 5});
            // a[:, 2, 0:2] (axis 1 shrunk)
            int[] point = {1, 0, 1, 0, 2, 0, 2, 0, 0, 3, 2, 1, 1, 1};
            assertSameAsLibnd4j("strided_slice", point, new INDArray[]{a}, new long[]{4, 2});
            // a[1:, -3:, ::2] (negative begin, a stride of 2)
            int[] strided = {0, 0, 4, 0, 0, 1, -3, 0, 4, 6, 0, 1, 1, 2};
            assertSameAsLibnd4j("strided_slice", strided, new INDArray[]{a}, new long[]{3, 3, 3});
            assertSameAsLibnd4j("strided_slice_bp", interval, new INDArray[]{a, Nd4j.randn(type, 4, 3, 5)},
                    new long[]{4, 6, 5});
            assertSameAsLibnd4j("strided_slice_bp", point, new INDArray[]{a, Nd4j.randn(type, 4, 2)},
                    new long[]{4, 6, 5});
            assertSameAsLibnd4j("concat_bp", new int[]{1}, new INDArray[]{a, b, Nd4j.randn(type, 4, 8, 5)},
                    new long[]{4, 6, 5}, new long[]{4, 2, 5});
            assertSameAsLibnd4j("concat_bp", new int[]{-1}, new INDArray[]{a, Nd4j.randn(type, 4, 6, 2),
                    Nd4j.randn(type, 4, 6, 7)}, new long[]{4, 6, 5}, new long[]{4, 6, 2});
            assertSameAsLibnd4j("stack", new int[]{1}, new INDArray[]{b, b.dup().addi(1)}, new long[]{4, 2, 2, 5});
            assertSameAsLibnd4j("stack", new int[]{0}, new INDArray[]{b, b.dup().addi(1)}, new long[]{2, 4, 2, 5});
            assertSameAsLibnd4j("unstack", new int[]{1}, new INDArray[]{b}, new long[]{4, 5}, new long[]{4, 5});
            assertSameAsLibnd4j("unstack", new int[]{2}, new INDArray[]{a}, new long[]{4, 6}, new long[]{4, 6},
                    new long[]{4, 6}, new long[]{4, 6}, new long[]{4, 6});
        }
    }

    @Test
    void whatItDoesNotCoverStaysLibnd4js() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 6, 5);
        int[] newAxis = {0, 0, 0, 1, 0, 0, 0, 0, 4, 6, 5, 1, 1, 1};
        assertNull(ViewCopy.of(DynamicCustomOp.builder("strided_slice").addIntegerArguments(newAxis).build(),
                new INDArray[]{a}, outputs(DataType.FLOAT, new long[]{1, 4, 6, 5}), new boolean[1]), "a new axis");
        assertNull(ViewCopy.of(DynamicCustomOp.builder("permute").addIntegerArguments(0, 2, 1).build(),
                new INDArray[]{Nd4j.create(DataType.INT, 4, 6, 5)}, new INDArray[]{Nd4j.create(DataType.INT, 4, 5, 6)},
                new boolean[1]), "integers");
        assertNull(ViewCopy.of(DynamicCustomOp.builder("tile").addIntegerArguments(2, 1, 1).build(),
                new INDArray[]{a}, outputs(DataType.FLOAT, new long[]{8, 6, 5}), new boolean[1]),
                "an op that repeats elements");
        assertNull(ViewCopy.of(DynamicCustomOp.builder("permute").addIntegerArguments(0, 2, 1).build(),
                new INDArray[]{a}, outputs(DataType.FLOAT, new long[]{4, 5, 6}), new boolean[]{true}),
                "a placeholder's array: its views would be made again at every run");
    }

    @Test
    void aGradientPlanOfSlicesConcatenationsAndStacksIsTheSessionsBitForBit() {
        SameDiff sd = SameDiff.create();
        SDVariable h = OpPlanTest.product(sd, 4, 12).reshape(-1, 3, 4);                  // [B, 3, 4]
        SDVariable first = h.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());        // [B, 4]
        SDVariable rest = h.get(SDIndex.all(), SDIndex.interval(1, 3), SDIndex.all());   // [B, 2, 4]
        SDVariable joined = sd.concat(1, rest, h);                                       // [B, 5, 4]
        SDVariable stacked = sd.stack(1, first, sd.math().tanh(first));                 // [B, 2, 4]
        SDVariable[] parts = sd.unstack(joined.permute(0, 2, 1), 1, 4);                // 4 x [B, 5]
        stacked.mul(stacked).sum().add(parts[0].mul(parts[3]).sum()).rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 3, 4));
        String grad = "w";
        Map<String, INDArray> session = sd.calculateGradients(ph, grad);
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable(grad).getGradient().name()));
        assertNotNull(plan);
        assertBitIdentical(session.get(grad), plan.run(ph).get(sd.getVariable(grad).getGradient().name()), "first run");
        assertTrue(plan.viewCopies() >= 7, "slices, stack, permute, unstack and gradients: "
                + plan.viewCopies());
        for (int run = 0; run < 2; run++) {
            Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 3, 4));
            assertBitIdentical(sd.calculateGradients(other, grad).get(grad),
                    plan.run(other).get(sd.getVariable(grad).getGradient().name()), "run " + (run + 2));
        }
        OpPlanTest.withoutRewrites(() -> {
            OpPlan off = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable(grad).getGradient().name()));
            off.run(ph);
            assertEquals(0, off.viewCopies());
        });
    }
}

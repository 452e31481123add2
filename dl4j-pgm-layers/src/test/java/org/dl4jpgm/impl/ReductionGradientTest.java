package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
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

/** {@link ReductionGradient} against libnd4j's {@code reduce_sum_bp} and {@code reduce_mean_bp}, bit for bit. */
class ReductionGradientTest {

    private static INDArray libnd4j(String name, INDArray x, INDArray gradO, boolean keep, int... axes) {
        INDArray out = Nd4j.create(x.dataType(), x.shape());
        Nd4j.exec(DynamicCustomOp.builder(name).addInputs(x, gradO).addOutputs(out).addIntegerArguments(axes)
                .addBooleanArguments(keep).build());
        return out;
    }

    /** The direct form, run three times on the same arrays (gradO changed in between), against libnd4j each time. */
    private static void assertSameAsLibnd4j(String name, DataType type, long[] shape, boolean keep, int... axes) {
        INDArray x = Nd4j.randn(type, shape);
        INDArray gradO = Nd4j.randn(type, x.sum(keep, axes)
                .shape());
        INDArray out = Nd4j.create(type, shape);
        DynamicCustomOp op = DynamicCustomOp.builder(name).addIntegerArguments(axes).addBooleanArguments(keep).build();
        ReductionGradient g = ReductionGradient.of(op, new INDArray[]{x, gradO}, new INDArray[]{out});
        String what = name + " " + type + " " + java.util.Arrays.toString(shape) + " axes "
                + java.util.Arrays.toString(axes) + (keep ? " kept" : "");
        assertNotNull(g, what);
        for (int run = 0; run < 3; run++) {
            gradO.muli(-1.25);
            out.assign(Double.NaN);
            g.run(new INDArray[]{x, gradO}, new INDArray[]{out});
            assertBitIdentical(libnd4j(name, x, gradO, keep, axes), out, what + ", run " + run);
        }
    }

    @Test
    void sumAndMeanGradientsAreLibnd4jsBitForBit() {
        Nd4j.getRandom().setSeed(21);
        for (String name : List.of(ReductionGradient.SUM, ReductionGradient.MEAN)) {
            for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                assertSameAsLibnd4j(name, type, new long[]{384, 32}, true, 1);       // layer norm's row statistics
                assertSameAsLibnd4j(name, type, new long[]{384, 32}, false, 1);
                assertSameAsLibnd4j(name, type, new long[]{128, 3, 32}, false, 1);   // a mean over the modalities
                assertSameAsLibnd4j(name, type, new long[]{4, 3, 5, 2}, true, 0, 2);
                assertSameAsLibnd4j(name, type, new long[]{7, 9}, true, 0);          // a column reduction
                assertSameAsLibnd4j(name, type, new long[]{2, 3, 4}, false, -1);
            }
        }
    }

    @Test
    void whatItDoesNotCoverStaysLibnd4js() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5);
        DynamicCustomOp all = DynamicCustomOp.builder(ReductionGradient.MEAN).addIntegerArguments(0, 1).build();
        assertNull(ReductionGradient.of(all, new INDArray[]{x, Nd4j.scalar(1f)},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 4, 5)}), "a reduction to one element");
        DynamicCustomOp rows = DynamicCustomOp.builder(ReductionGradient.SUM).addIntegerArguments(1).build();
        assertNull(ReductionGradient.of(rows, new INDArray[]{x, Nd4j.rand(DataType.DOUBLE, 4)},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 4, 5)}), "types that differ");
        assertNull(ReductionGradient.of(rows, new INDArray[]{x, Nd4j.rand(DataType.FLOAT, 8, 4).get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 8), org.nd4j.linalg.indexing.NDArrayIndex.point(0))},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 4, 5)}), "an incoming gradient with gaps");
        DynamicCustomOp none = DynamicCustomOp.builder(ReductionGradient.SUM).build();
        assertNull(ReductionGradient.of(none, new INDArray[]{x, Nd4j.rand(DataType.FLOAT, 4)},
                new INDArray[]{Nd4j.create(DataType.FLOAT, 4, 5)}), "axes given as an input, not as arguments");
    }

    @Test
    void aGradientPlanOfMeansAndSumsIsTheSessionsBitForBit() {
        SameDiff sd = SameDiff.create();
        SDVariable h = OpPlanTest.product(sd, 6, 8);
        SDVariable centred = h.sub(h.mean(true, 1));
        SDVariable variance = centred.mul(centred).mean(true, 1);
        centred.div(sd.math().sqrt(variance.add(1e-5))).mul(h.sum(true, 0)).sum().rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));
        Map<String, INDArray> session = sd.calculateGradients(ph, "w");
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable("w").getGradient().name()));
        assertNotNull(plan);
        assertBitIdentical(session.get("w"), plan.run(ph).get(sd.getVariable("w").getGradient().name()), "first run");
        assertTrue(plan.reductionGradients() >= 3, "two means' and a sum's gradients: " + plan.reductionGradients());
        Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));
        assertBitIdentical(sd.calculateGradients(other, "w").get("w"),
                plan.run(other).get(sd.getVariable("w").getGradient().name()), "a second run");
        OpPlanTest.withoutRewrites(() -> {
            OpPlan off = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable("w").getGradient().name()));
            off.run(other);
            assertEquals(0, off.reductionGradients());
        });
    }
}

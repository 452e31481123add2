package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.util.SameDiffUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OpPlan} against SameDiff's own execution: outputs and gradients bit for bit, shapes bound, refusals. */
class OpPlanTest {

    /** A small graph of the kinds of op PgM uses: legacy scalar, transform and reduce ops, and custom ops. */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable h = affine(sd);
        SDVariable mask = sd.getVariable("mask");
        SDVariable centred = h.sub(h.mean(true, 1));
        SDVariable norm = centred.mul(sd.math().rsqrt(centred.mul(centred).mean(true, 1).add(1e-5)));
        SDVariable y = sd.nn().sigmoid(norm.mul(2.0)).mul(mask).reshape(-1, 3).rename("y");
        y.sum().rename("loss").markAsLoss();
        return sd;
    }


    private static Map<String, INDArray> placeholders(long rows, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, rows, 1);
        mask.putScalar(0, 0, 0.0);
        return Map.of("x", Nd4j.randn(DataType.DOUBLE, rows, 4), "mask", mask);
    }

    @Test
    void outputsAreTheSessionsBitForBitAndReuseTheirArrays() {
        SameDiff sd = graph();
        OpPlan plan = OpPlan.of(sd, List.of("y"));
        assertNotNull(plan);
        INDArray first = plan.run(placeholders(5, 1)).get("y");
        assertBitIdentical(sd.output(placeholders(5, 1), "y").get("y"), first, "the first run");
        INDArray firstCopy = first.dup();

        Map<String, INDArray> other = placeholders(5, 2);
        INDArray second = plan.run(other).get("y");
        assertBitIdentical(sd.output(other, "y").get("y"), second, "a second run");
        assertSame(first, second, "a run returns the plan's own arrays");
        assertNotEquals(firstCopy, second, "the next run overwrote them");
        long[] ob = plan.outputsAndBlocks();
        assertTrue(ob[1] < ob[0], "arrays are reused after their last read: " + ob[0] + " outputs in " + ob[1]
                + " blocks");
    }

    @Test
    void gradientsAreTheSessionsBitForBit() {
        SameDiff sd = graph();
        Map<String, INDArray> ph = placeholders(6, 3);
        Map<String, INDArray> session = sd.calculateGradients(ph, "w", "b");
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(sd.getVariable("w").getGradient().name(),
                sd.getVariable("b").getGradient().name()));
        assertNotNull(plan);
        Map<String, INDArray> planned = plan.run(ph);
        assertBitIdentical(session.get("w"), planned.get(sd.getVariable("w").getGradient().name()), "w");
        assertBitIdentical(session.get("b"), planned.get(sd.getVariable("b").getGradient().name()), "b");

        // parameters are read at every run: a changed weight changes the gradient as the session's does
        sd.getArrForVarName("w").muli(2.0);
        Map<String, INDArray> again = sd.calculateGradients(ph, "w", "b");
        assertBitIdentical(again.get("b"), plan.run(ph).get(sd.getVariable("b").getGradient().name()),
                "b after a changed weight");
    }

    @Test
    void anArrayChangedInPlaceOrReplacedBetweenRunsIsRead() {
        // an op context keeps its arrays between runs where they are the same objects: the same memory, read anew
        SameDiff sd = graph();
        OpPlan plan = OpPlan.of(sd, List.of("y"));
        assertNotNull(plan);
        Map<String, INDArray> ph = placeholders(5, 4);
        plan.run(ph);
        ph.get("x").muli(-3.0);
        assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"), "a placeholder changed in place");
        sd.associateArrayWithVariable(Nd4j.rand(DataType.DOUBLE, 4, 3), "w");
        assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"), "a parameter replaced by another array");
        Map<String, INDArray> other = placeholders(5, 5);
        assertBitIdentical(sd.output(other, "y").get("y"), plan.run(other).get("y"), "other placeholder arrays");
    }

    @Test
    void gradientOpsBehindAStopGradientWriteZerosAndTheGradientsStayTheSessions() {
        // SdOps.softmax holds its maximum: SameDiff differentiates the stop_gradient into zeroslike, and the
        // reduce_max_bp behind it into zeros, which the plan writes without running the op
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5));
        SDVariable p = org.dl4jpgm.blocks.SdOps.softmax(x.mmul(w).mul(3.0), 1);
        p.mul(sd.constant(Nd4j.createFromArray(new double[][]{{1, -2, 0.5}}))).sum().rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.DOUBLE, 5, 4));
        INDArray session = sd.calculateGradients(ph, "w").get("w");
        String grad = sd.getVariable("w").getGradient().name();
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(grad));
        assertNotNull(plan);
        assertTrue(plan.zeroGradientOps() >= 1, "the held maximum's reduce_max_bp");
        assertBitIdentical(session, plan.run(ph).get(grad), "a first run");
        assertBitIdentical(session, plan.run(ph).get(grad), "a second run: the zeros are written again");

        withoutRewrites(() -> {
            OpPlan unchanged = OpPlan.of(sd.getFunction("grad"), List.of(grad));
            assertNotNull(unchanged);
            assertEquals(0, unchanged.zeroGradientOps(), "switched off: every op runs");
            assertBitIdentical(session, unchanged.run(ph).get(grad), "switched off");
        });

        SameDiff plain = graph();
        plain.calculateGradients(placeholders(5, 1), "w");
        OpPlan noStop = OpPlan.of(plain.getFunction("grad"), List.of(plain.getVariable("w").getGradient().name()));
        assertNotNull(noStop);
        assertEquals(0, noStop.zeroGradientOps(), "no stop_gradient, no zeros");
    }

    @Test
    void sigmoidGradientsFromTheForwardOutputAreTheSessionsBitForBit() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            // GELU as SdOps writes it (x sigmoid(...)): the sigmoid's gradient op reads the forward pass's sigmoid
            SameDiff gelus = sigmoidGraph(type, z -> {
                SDVariable h = org.dl4jpgm.blocks.SdOps.gelu(z);
                return org.dl4jpgm.blocks.SdOps.gelu(h.mul(h).sub(1.0));
            });
            assertSigmoidGradientsFromForward(gelus, 2, type + ", both GELUs");
            // a sigmoid whose output no other gradient op reads (neg's gradient does not read its input): the
            // forward ops after the neg would reuse its array unless the plan keeps it for the sigmoid's gradient
            SameDiff onlyItsGradient = sigmoidGraph(type, z -> {
                SDVariable after = z.getSameDiff().nn().sigmoid(z).neg();
                for (int i = 0; i < 3; i++) {
                    after = after.mul(z).add(1.0).mul(after);
                }
                return after;
            });
            assertSigmoidGradientsFromForward(onlyItsGradient, 1, type + ", a sigmoid only its gradient reads");

            withoutRewrites(() -> assertSigmoidGradientsFromForward(gelus, 0, type + ", switched off"));
        }
    }

    @Test
    void broadcastDivisionsGradientsAreTheSessionsBitForBit() {
        // a row-wise normalisation by a [B, 1] divisor, large enough for BroadcastGradient to take the division
        SameDiff sd = SameDiff.create();
        SDVariable h = product(sd, 8, 128);
        SDVariable w = sd.getVariable("w");
        SDVariable y = h.div(h.mul(h).sum(true, 1).add(1.0)).mul(h.div(w.sum(true, 0).add(5.0)));
        y.mul(sd.constant(Nd4j.rand(DataType.FLOAT, 1, 128))).sum().rename("loss").markAsLoss();
        OpPlan plan = assertGradientPlanIsTheSessions(sd, Map.of("x", Nd4j.randn(DataType.FLOAT, 256, 8)),
                "a first run", "w");
        assertTrue(plan.broadcastGradients() >= 2, "the [256, 128] / [256, 1] and / [1, 128] divisions' gradients: "
                + plan.broadcastGradients());
        Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 256, 8));
        assertBitIdentical(sd.calculateGradients(other, "w").get("w"),
                plan.run(other).get(sd.getVariable("w").getGradient().name()), "a second run");
    }

    @Test
    void biasGradientsAsColumnSumsAreTheSessionsBitForBit() {
        // a bias added and a row subtracted: their gradients are sums of the incoming gradient over the rows
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", type, -1, 8);
            SDVariable w = sd.var("w", Nd4j.rand(type, 8, 96).subi(0.5));
            SDVariable h = x.mmul(w).add(sd.var("b", Nd4j.rand(type, 1, 96))).sub(sd.var("c", Nd4j.rand(type, 96)));
            h.mul(h).sum().rename("loss").markAsLoss();
            Map<String, INDArray> ph = Map.of("x", Nd4j.randn(type, 64, 8));
            OpPlan plan = assertGradientPlanIsTheSessions(sd, ph, type.toString(), "w", "b", "c");
            assertEquals(2, plan.broadcastGradients(), type + ": the add_bp and subtract_bp of [64, 96] and a row");
            withoutRewrites(() -> assertEquals(0, assertGradientPlanIsTheSessions(sd, ph, type + ", switched off",
                    "w", "b", "c").broadcastGradients()));
        }
    }

    @Test
    void elementwiseOpsAsDirectCallsAreTheSessionsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", type, -1, 4);
            SDVariable w = sd.var("w", Nd4j.rand(type, 4, 6).subi(0.5));
            SDVariable h = x.mmul(w);
            SDVariable g = x.mmul(w.mul(2.0));
            h.mul(g).add(h.div(g.mul(g).add(1.0))).sub(g).sum().rename("loss").markAsLoss();
            OpPlan plan = assertGradientPlanIsTheSessions(sd, Map.of("x", Nd4j.randn(type, 5, 4)), type.toString(), "w");
            assertTrue(plan.directPairwiseOps() >= 4, type + ": products, sums, a quotient, a difference of [5, 6]: "
                    + plan.directPairwiseOps());
            Map<String, INDArray> other = Map.of("x", Nd4j.randn(type, 5, 4));
            assertBitIdentical(sd.calculateGradients(other, "w").get("w"),
                    plan.run(other).get(sd.getVariable("w").getGradient().name()), type + ": a second run");
            withoutRewrites(() -> assertEquals(0, assertGradientPlanIsTheSessions(sd, other, type + ", switched off",
                    "w").directPairwiseOps()));
        }
    }

    @Test
    void productsAsDirectCallsAreTheSessionsBitForBit() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 24);
        SDVariable w1 = sd.var("w1", Nd4j.rand(DataType.FLOAT, 24, 16).subi(0.5));
        SDVariable w2 = sd.var("w2", Nd4j.rand(DataType.FLOAT, 16, 8).subi(0.5));
        sd.math().tanh(x.mmul(w1)).mmul(w2).mul(x.mmul(w1).mmul(w2)).sum().rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 9, 24));
        OpPlan plan = assertGradientPlanIsTheSessions(sd, ph, "float", "w1", "w2");
        assertTrue(plan.directGemmOps() >= 6, "four products and their gradients: " + plan.directGemmOps());
        Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 9, 24));
        assertBitIdentical(sd.calculateGradients(other, "w1").get("w1"),
                plan.run(other).get(sd.getVariable("w1").getGradient().name()), "a second run");
        withoutRewrites(() -> assertEquals(0, assertGradientPlanIsTheSessions(sd, other, "switched off", "w1", "w2")
                .directGemmOps()));
    }

    @Test
    void broadcastOpsAsDirectCallsAreTheSessionsBitForBit() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 6);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 6, 8).subi(0.5));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 1, 8));
        SDVariable h = x.mmul(w).add(b);                                   // a bias
        SDVariable rowWeight = sd.nn().sigmoid(h.sum(true, 1));           // [B, 1]
        h.mul(rowWeight).sub(b).div(rowWeight.add(1.0)).sum().rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));
        OpPlan plan = assertGradientPlanIsTheSessions(sd, ph, "float", "w", "b");
        assertTrue(plan.directBroadcastOps() >= 4, "the forward broadcasts: " + plan.directBroadcastOps());
        Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));
        Map<String, INDArray> planned = plan.run(other);
        Map<String, INDArray> session = sd.calculateGradients(other, "w", "b");
        for (String v : List.of("w", "b")) {
            assertBitIdentical(session.get(v), planned.get(sd.getVariable(v).getGradient().name()), "a second run: " + v);
        }
    }

    @Test
    void otherCustomOpsAsDirectCallsAreTheSessionsBitForBit() {
        // concat, strided slices, permute, cumsum, stack and their gradients: direct calls or copies between views
        SameDiff sd = SameDiff.create();
        SDVariable h = product(sd, 6, 4);
        SDVariable joined = sd.concat(1, h, sd.math().tanh(h));                                   // [B, 8]
        SDVariable left = joined.get(SDIndex.all(), SDIndex.interval(0, 5));                     // [B, 5]
        SDVariable running = sd.cumsum(left, false, false, 1);
        SDVariable stacked = sd.stack(0, running, left.mul(2.0));                                // [2, B, 5]
        stacked.permute(1, 2, 0).mul(stacked.permute(1, 2, 0)).mean(1).sum().rename("loss").markAsLoss();
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));
        OpPlan plan = assertGradientPlanIsTheSessions(sd, ph, "float", "w");
        // the first run went through ND4J's executioner and chose the direct calls for the next runs
        for (int run = 0; run < 3; run++) {
            Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));   // new arrays: contexts set again
            assertBitIdentical(sd.calculateGradients(other, "w").get("w"),
                    plan.run(other).get(sd.getVariable("w").getGradient().name()), "run " + (run + 2));
        }
        // the slices, stack, permute and their gradients run as copies between views (ViewCopy), the rest directly
        assertTrue(plan.directCustomOps() >= 4, "concat, cumsum and their gradients, ...: " + plan.directCustomOps());
        assertTrue(plan.viewCopies() >= 3, "the copies between views: " + plan.viewCopies());
        Map<String, INDArray> other = Map.of("x", Nd4j.randn(DataType.FLOAT, 5, 6));
        withoutRewrites(() -> {
            OpPlan off = assertGradientPlanIsTheSessions(sd, other, "switched off", "w");
            off.run(other);
            assertEquals(0, off.directCustomOps());
        });
    }

    @Test
    void argumentsSurviveAPurge() {
        // what a plan relies on when new input arrays come: a purged op context keeps its integer and float arguments
        // (here matmul's transpose flags and alpha), so only the arrays are set again
        org.nd4j.linalg.api.ops.DynamicCustomOp matmul = org.nd4j.linalg.api.ops.DynamicCustomOp.builder("matmul")
                .addIntegerArguments(1, 0).addFloatingPointArguments(0.5, 0.0).build();
        org.nd4j.linalg.api.ops.OpContext oc = Nd4j.getExecutioner().buildContext();
        INDArray out = Nd4j.create(DataType.DOUBLE, 3, 5);
        oc.setArgs(new INDArray[]{Nd4j.rand(DataType.DOUBLE, 4, 3), Nd4j.rand(DataType.DOUBLE, 4, 5)},
                matmul.iArgs(), matmul.dArgs(), matmul.tArgs(), matmul.bArgs());
        oc.setOutputArrays(out);
        Nd4j.exec(matmul, oc);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 3);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 4, 5);
        oc.purge();
        oc.setInputArrays(x, y);
        oc.setOutputArrays(out);
        Nd4j.exec(matmul, oc);
        assertEquals(x.transpose().mmul(y).muli(0.5), out, "0.5 x^T y on the new arrays");
    }

    @Test
    void legacyOpsAsDirectCallsAreTheSessionsBitForBit() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", type, -1, 6);
            SDVariable w = sd.var("w", Nd4j.rand(type, 6, 8).subi(0.5));
            SDVariable h = sd.nn().sigmoid(x.mmul(w));
            SDVariable centred = sd.math().exp(h.mul(0.5)).sub(h.mean(true, 1));
            SDVariable scaled = sd.math().rsqrt(h.add(1.0)).mul(centred.mul(2.0).add(1.0));
            scaled.sum(0).add(sd.math().neg(h).max()).sum().rename("loss").markAsLoss();
            sd.calculateGradients(Map.of("x", Nd4j.randn(type, 5, 6)), "w");
            String grad = sd.getVariable("w").getGradient().name();
            OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(grad));
            assertNotNull(plan, type.toString());
            // the first run goes through ND4J's executioner and chooses the direct calls the next runs make
            for (int run = 0; run < 3; run++) {
                Map<String, INDArray> ph = Map.of("x", Nd4j.randn(type, 5, 6));
                assertBitIdentical(sd.calculateGradients(ph, "w").get("w"), plan.run(ph).get(grad),
                        type + ", run " + run);
            }
            assertTrue(plan.directLegacyOps() >= 8, "sigmoid, exp, the scalar ops, rsqrt, neg, the reductions: "
                    + plan.directLegacyOps());
            withoutRewrites(() -> {
                OpPlan off = OpPlan.of(sd.getFunction("grad"), List.of(grad));
                off.run(Map.of("x", Nd4j.randn(type, 5, 6)));
                assertEquals(0, off.directLegacyOps(), "switched off");
            });
        }
    }

    /** The plan of the gradients of {@code vars}, run once on {@code ph} and checked against the session's. */
    private static OpPlan assertGradientPlanIsTheSessions(SameDiff sd, Map<String, INDArray> ph, String what,
                                                          String... vars) {
        Map<String, INDArray> session = sd.calculateGradients(ph, vars);
        List<String> grads = Arrays.stream(vars).map(v -> sd.getVariable(v).getGradient().name()).toList();
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), grads);
        assertNotNull(plan, what);
        Map<String, INDArray> planned = plan.run(ph);
        for (int i = 0; i < vars.length; i++) {
            assertBitIdentical(session.get(vars[i]), planned.get(grads.get(i)), what + ": " + vars[i] + "'s gradient");
        }
        return plan;
    }

    /** loss = sum(body(x w)) for a placeholder x [-1, 4] and a parameter w [4, 6] of the given type. */
    private static SameDiff sigmoidGraph(DataType type, java.util.function.UnaryOperator<SDVariable> body) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", type, -1, 4);
        SDVariable w = sd.var("w", Nd4j.rand(type, 4, 6).subi(0.5).muli(4));
        body.apply(x.mmul(w)).sum().rename("loss").markAsLoss();
        sd.calculateGradients(Map.of("x", Nd4j.randn(type, 5, 4)), "w");
        return sd;
    }

    /** The plan of w's gradient has {@code expected} sigmoid gradients from the forward pass and is the session's. */
    private static void assertSigmoidGradientsFromForward(SameDiff sd, int expected, String what) {
        String grad = sd.getVariable("w").getGradient().name();
        OpPlan plan = OpPlan.of(sd.getFunction("grad"), List.of(grad));
        assertNotNull(plan, what);
        assertEquals(expected, plan.sigmoidGradientsFromForward(), what);
        DataType type = sd.getVariable("w").dataType();
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = Map.of("x", Nd4j.randn(type, 5, 4).muli(seed));
            assertBitIdentical(sd.calculateGradients(ph, "w").get("w"), plan.run(ph).get(grad), what + ", run " + seed);
        }
    }

    @Test
    void opsOfShapesOnlyRunOnceAndTheirOutputsStayRight() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5));
        SDVariable h = x.mmul(w);
        // zeroslike, ones_as and shape_of: outputs from the input's shape alone; the sum between them reuses arrays
        SDVariable y = h.add(sd.zerosLike(h)).mul(sd.onesLike(h)).add(h.mul(h).sum(true, 1))
                .reshape(h.shape()).rename("y");
        y.mul(y).sum().rename("loss").markAsLoss();
        OpPlan plan = OpPlan.of(sd, List.of("y"));
        assertNotNull(plan);
        assertEquals(3, plan.shapeOnlyOps(), "zeroslike, ones_as, shape_of");
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.DOUBLE, 5, 4).muli(seed));
            assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"), "run " + seed);
        }
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.DOUBLE, 5, 4));
        INDArray session = sd.calculateGradients(ph, "w").get("w");
        String grad = sd.getVariable("w").getGradient().name();
        OpPlan gradient = OpPlan.of(sd.getFunction("grad"), List.of(grad));
        assertNotNull(gradient);
        gradient.run(Map.of("x", Nd4j.randn(DataType.DOUBLE, 5, 4)));
        assertBitIdentical(session, gradient.run(ph).get(grad), "the gradient at a second run");
        withoutRewrites(() -> assertEquals(0, OpPlan.of(sd, List.of("y")).shapeOnlyOps(), "switched off"));
    }

    /** Runs {@code check} with the plans' substitutions switched off ({@link OpPlan#REWRITES_PROPERTY}). */
    static void withoutRewrites(Runnable check) {
        System.setProperty(OpPlan.REWRITES_PROPERTY, "false");
        try {
            check.run();
        } finally {
            System.clearProperty(OpPlan.REWRITES_PROPERTY);
        }
    }

    @Test
    void reshapesAsViewsOrCopiesSeeTheirInputsValuesAtEveryRun() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        x.reshape(-1, 2, 2).mul(2.0).reshape(-1, 4).add(x).rename("y");
        OpPlan plan = OpPlan.of(sd, List.of("y"));
        assertNotNull(plan);
        INDArray contiguous = Nd4j.randn(DataType.DOUBLE, 5, 4);
        INDArray transposed = Nd4j.randn(DataType.DOUBLE, 4, 5).transpose();   // not 'c' contiguous: copied
        for (INDArray in : new INDArray[]{contiguous, transposed}) {
            Map<String, INDArray> ph = Map.of("x", in);
            assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"), "a first run");
            in.muli(-2.0);
            assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"), "the same array, new values");
        }
    }

    /** Placeholders {@code x [B, 4]} and {@code mask [B, 1]}, variables {@code w, b}: returns {@code x w + b}. */
    /** {@code x w} for a float placeholder {@code x [-1, in]} and a parameter {@code w [in, out]} in [-0.5, 0.5). */
    static SDVariable product(SameDiff sd, long in, long out) {
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, in);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, in, out).subi(0.5));
        return x.mmul(w);
    }

    private static SDVariable affine(SameDiff sd) {
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 4);
        sd.placeHolder("mask", DataType.DOUBLE, -1, 1);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 4, 3).subi(0.5));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.DOUBLE, 1, 3));
        return x.mmul(w).add(b);
    }

    /**
     * A graph as a DL4J runtime differentiates it: its output {@code y} handed to an external-errors function, whose
     * error placeholder the gradient reads.
     */
    private static SameDiff externalErrorsGraph() {
        SameDiff sd = SameDiff.create();
        SDVariable h = affine(sd);
        SDVariable y = sd.identity(sd.nn().sigmoid(h.mul(2.0)).mul(sd.getVariable("mask"))).rename("y");
        ExternalErrorsFunction fn = SameDiffUtils.externalErrors(sd, null, y);
        SameDiffLoss.markExternalErrorsAsLoss(sd, fn);
        QuietGradFunction.ensure(sd, "x");
        return sd;
    }

    @Test
    void aGradientRunInTwoPartsIsTheWholeRunBitForBit() {
        SameDiff sd = externalErrorsGraph();
        SameDiff grad = sd.getFunction("grad");
        String error = "y-grad";
        assertNotNull(grad.getVariable(error), "the error placeholder");
        List<String> outs = List.of(sd.getVariable("x").getGradient().name(), sd.getVariable("w").getGradient().name(),
                sd.getVariable("b").getGradient().name());
        OpPlan whole = OpPlan.of(grad, outs);
        OpPlan parts = OpPlan.of(grad, outs, error, "y");
        assertNotNull(whole);
        assertNotNull(parts);
        assertEquals(whole.size() + 2, parts.size(), "the parts also compute y (its identity and the sigmoid's "
                + "product with the mask), which the gradient does not read");
        assertEquals(1, parts.sigmoidGradientsFromForward(), "the sigmoid's gradient reads the first part's sigmoid");
        assertThrows(IllegalStateException.class, () -> parts.runDependent(Nd4j.zeros(DataType.DOUBLE, 5, 3)),
                "the second part without the first");
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = placeholders(5, seed);
            INDArray e = Nd4j.randn(DataType.DOUBLE, 5, 3);
            Map<String, INDArray> withError = new HashMap<>(ph);
            withError.put(error, e);
            Map<String, INDArray> expected = whole.run(withError);

            INDArray y = parts.runIndependent(ph);
            assertBitIdentical(sd.output(ph, "y").get("y"), y, "the first part's y, run " + seed);
            assertTrue(parts.pending());
            Map<String, INDArray> got = parts.runDependent(e);
            assertFalse(parts.pending());
            for (String o : outs) {
                assertBitIdentical(expected.get(o), got.get(o), o + ", run " + seed);
            }
            assertBitIdentical(expected.get(outs.get(1)), parts.run(withError).get(outs.get(1)),
                    "the same plan run whole, run " + seed);
        }
        parts.runIndependent(placeholders(5, 9));
        parts.cancel();
        assertFalse(parts.pending());
        assertThrows(IllegalStateException.class, () -> parts.runDependent(Nd4j.zeros(DataType.DOUBLE, 5, 3)),
                "the second part after a cancel");
        parts.runIndependent(placeholders(5, 9));
        assertThrows(IllegalArgumentException.class, () -> parts.runDependent(Nd4j.zeros(DataType.DOUBLE, 4, 3)),
                "an error of another shape");
        assertThrows(IllegalArgumentException.class, () -> parts.runIndependent(placeholders(6, 1)),
                "other placeholder shapes");
        assertThrows(IllegalStateException.class, () -> whole.runIndependent(placeholders(5, 1)),
                "a plan without a deferred placeholder runs whole only");
    }

    @Test
    void outputsAreWrittenIntoTheCallersArraysWhereTheyFit() {
        SameDiff sd = externalErrorsGraph();
        SameDiff grad = sd.getFunction("grad");
        String w = sd.getVariable("w").getGradient().name();
        String b = sd.getVariable("b").getGradient().name();
        Map<String, INDArray> ph = placeholders(5, 6);
        ph = new HashMap<>(ph);
        ph.put("y-grad", Nd4j.randn(DataType.DOUBLE, 5, 3));
        Map<String, INDArray> expected = OpPlan.of(grad, List.of(w, b)).run(ph);

        INDArray flat = Nd4j.zeros(DataType.DOUBLE, 1, 30);    // views into one array, as DL4J's gradient views
        INDArray wView = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 15)).reshape('c', 4, 3);
        INDArray wrongShape = Nd4j.zeros(DataType.DOUBLE, 3, 1);   // b's gradient is [1, 3]
        OpPlan plan = OpPlan.of(grad, List.of(w, b));
        plan.writeOutputsInto(Map.of(w, wView, b, wrongShape));
        for (int run = 0; run < 2; run++) {
            Map<String, INDArray> got = plan.run(ph);
            assertSame(wView, got.get(w), "the view is the op's output");
            assertBitIdentical(expected.get(w), wView, "written into the view, run " + run);
            assertNotSame(wrongShape, got.get(b), "an array of another shape is not used");
            assertBitIdentical(expected.get(b), got.get(b), "b, run " + run);
            wView.assign(7.0);   // the updater writes into the views between steps: the next run overwrites
        }
        assertEquals(0.0, flat.getDouble(0, 0), "nothing written outside the view");
        assertEquals(0.0, flat.getDouble(0, 15));
        assertThrows(IllegalStateException.class, () -> plan.writeOutputsInto(Map.of()), "after the first run");
    }

    @Test
    void theFirstPartOfAPlansFirstRunCanBeDroppedAndRunAgain() {
        SameDiff sd = externalErrorsGraph();
        SameDiff grad = sd.getFunction("grad");
        String w = sd.getVariable("w").getGradient().name();
        OpPlan parts = OpPlan.of(grad, List.of(w), "y-grad", "y");
        assertNotNull(parts);
        Map<String, INDArray> ph = placeholders(5, 4);
        parts.runIndependent(placeholders(5, 3));   // the plan's first run, never finished
        parts.cancel();
        INDArray e = Nd4j.randn(DataType.DOUBLE, 5, 3);
        parts.runIndependent(ph);
        INDArray got = parts.runDependent(e).get(w);
        Map<String, INDArray> withError = new HashMap<>(ph);
        withError.put("y-grad", e);
        assertBitIdentical(OpPlan.of(grad, List.of(w)).run(withError).get(w), got, "after a dropped first part");
    }

    @Test
    void aPlanIsBoundToThePlaceholderShapesOfItsFirstRun() {
        OpPlan plan = OpPlan.of(graph(), List.of("y"));
        assertNotNull(plan);
        assertTrue(plan.fits(placeholders(3, 1)), "any shapes before the first run");
        plan.run(placeholders(5, 1));
        assertTrue(plan.fits(placeholders(5, 9)));
        assertFalse(plan.fits(placeholders(4, 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.run(placeholders(4, 1)));
        assertTrue(e.getMessage().contains("[4, 4]") && e.getMessage().contains("[5, 4]"), e.getMessage());
    }

    @Test
    void refusesWhatOnlyTheSessionRuns() {
        SameDiff random = SameDiff.create();
        SDVariable x = random.placeHolder("x", DataType.DOUBLE, -1, 4);
        x.add(random.random().normal("noise", 0, 1, DataType.DOUBLE, 4)).rename("y");
        assertNull(OpPlan.of(random, List.of("y")), "a random op: the plan's op order would draw other numbers");

        SameDiff valueShaped = SameDiff.create();
        SDVariable n = valueShaped.placeHolder("n", DataType.INT, 1);
        valueShaped.range(valueShaped.constant(0), n.reshape(), valueShaped.constant(1), DataType.INT).rename("y");
        assertNull(OpPlan.of(valueShaped, List.of("y")), "range: its output shape is its input's value");

        assertNull(OpPlan.of(graph(), List.of("noSuchVariable")));
        assertNotNull(OpPlan.of(graph(), List.of("y", "loss")));
    }

    /**
     * A placeholder read directly by a product: in 'c' order at the first two runs, in 'f' order and as a view with
     * gaps after them. The products chosen at the first run read the array's memory in 'c' order, so the plan copies a
     * later array of another layout into it first; with the product and its bias add as one product and without.
     */
    @Test
    void placeholdersInAnotherLayoutThanAtTheFirstRunAreCopiedIntoIt() {
        for (String productAdds : new String[]{"true", "false"}) {
            System.setProperty(OpPlan.PRODUCT_ADDS_PROPERTY, productAdds);
            try {
                Nd4j.getRandom().setSeed(7);
                SameDiff sd = SameDiff.create();
                SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 12);
                x.mmul(sd.var("w", Nd4j.randn(DataType.FLOAT, 12, 20)))
                        .add(sd.var("b", Nd4j.randn(DataType.FLOAT, 20))).rename("y");
                OpPlan plan = OpPlan.of(sd, List.of("y"));
                for (int run = 1; run <= 4; run++) {
                    INDArray in = Nd4j.randn(DataType.FLOAT, 48, 12).muli(run);
                    if (run == 3) {
                        in = in.dup('f');
                    } else if (run == 4) {
                        in = Nd4j.randn(DataType.FLOAT, 48, 24).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 12));
                    }
                    Map<String, INDArray> ph = Map.of("x", in);
                    assertBitIdentical(sd.output(ph, "y").get("y"), plan.run(ph).get("y"),
                            "product-adds " + productAdds + ", run " + run + " (" + in.ordering() + " order)");
                }
                assertEquals("true".equals(productAdds) ? 1 : 0, plan.fusedGroups(), "product-adds " + productAdds);
                assertEquals(1, plan.directGemmOps(), "the product as a direct call, product-adds " + productAdds);
            } finally {
                System.clearProperty(OpPlan.PRODUCT_ADDS_PROPERTY);
            }
        }
    }
}

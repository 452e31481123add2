package org.dl4jpgm.impl;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.io.File;
import java.util.Map;
import java.util.Random;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link JavaAdamUpdater} against libnd4j's {@code adam_updater}, bit for bit: on random float arrays over iterations
 * and learning rates, on views at an offset inside a larger array (as DL4J's updater blocks are), over a sweep of
 * iterations (the bias correction); the Vector API's loop and the scalar one each on views at an unaligned offset;
 * other data types and layouts go to libnd4j; installed in a graph's updater, a PgM
 * graph trains to the same parameters and moments as with DL4J's updater, and a saved graph restores and trains on
 * alike.
 */
class JavaAdamUpdaterTest {

    private static INDArray gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Nd4j.createFromArray(v);
    }

    private static void libnd4j(INDArray g, INDArray m, INDArray v, double lr, double b1, double b2, double eps,
                                int iteration) {
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(g, v, m, lr, b1, b2, eps, iteration));
    }

    @Test
    void matchesLibnd4jOnTheLoadedBuild() {
        assertTrue(JavaAdamUpdater.matchesNative(), "libnd4j's adam_updater computes otherwise than the Java loop "
                + "(an FMA-contracting build?); install() then leaves DL4J's updater as it is");
    }

    @Test
    void updatesBitForBitAsLibnd4jOverIterationsAndRates() {
        Random r = new Random(11);
        int n = 3 * JavaAdamUpdater.BLOCK + 17;   // whole blocks and a remainder
        INDArray m1 = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v1 = Nd4j.zeros(DataType.FLOAT, n);
        INDArray m2 = Nd4j.zeros(DataType.FLOAT, n);
        INDArray v2 = Nd4j.zeros(DataType.FLOAT, n);
        double[] rates = {1e-3, 3e-4, 0.1, 1e-5};
        for (int it = 0; it < 24; it++) {
            INDArray g = gaussian(r, n, Math.pow(10, -(it % 7)));
            if (it == 5) {
                g.putScalar(3, 0f);                          // a zero gradient
                g.putScalar(4, Float.MIN_VALUE);             // a subnormal one
            }
            INDArray g1 = g.dup();
            INDArray g2 = g.dup();
            double lr = rates[it % rates.length];
            libnd4j(g1, m1, v1, lr, 0.9, 0.999, 1e-8, it);
            JavaAdamUpdater.update(g2, m2, v2, lr, 0.9, 0.999, 1e-8, it);
            assertBitIdentical(g1, g2, "update at iteration " + it);
            assertBitIdentical(m1, m2, "first moment at iteration " + it);
            assertBitIdentical(v1, v2, "second moment at iteration " + it);
        }
        assertTrue(m1.amaxNumber().doubleValue() > 0, "the moments moved");
    }

    @Test
    void theVectorLoopRunsInTheTestsJvm() {
        assumeTrue(FloatLanes.usable(), "vectors of 8 floats or more (AVX2, AVX-512)");
        assertTrue(JavaAdamUpdater.vectorLoop(), "the module is in the tests' JVM (the parent pom's argLine) and the "
                + "Vector API's loop matched libnd4j on the probe");
        System.setProperty(OpPlan.VECTOR_API_PROPERTY, "false");
        try {
            assertFalse(JavaAdamUpdater.vectorLoop(), "switched off by the property");
        } finally {
            System.clearProperty(OpPlan.VECTOR_API_PROPERTY);
        }
    }

    /**
     * Both loops, each on its own arrays, against libnd4j: views at an offset that is not a multiple of the vector's
     * lanes (so its loads are unaligned), whole blocks, a last block short of BLOCK and a remainder short of a vector,
     * with and without the division by the minibatch size that {@link UpdaterPass} joins to the update, and at every
     * other iteration with the parameters stepped in the pass ({@link FusedParameterStep}) against DL4J's step
     * function's {@code params.subi(update)} after libnd4j's update.
     */
    @Test
    void bothLoopsBitForBitAsLibnd4jOnViewsAtAnOddOffset() {
        assumeTrue(VectorExp.moduleLoaded() && FloatLanes.usable(), "the Vector API with 8 floats or more");
        Random r = new Random(17);
        int n = 3 * JavaAdamUpdater.BLOCK + 1000 + 13;
        int offset = 5;
        for (int minibatch : new int[]{0, 32}) {
            INDArray[] stock = {Nd4j.zeros(DataType.FLOAT, 1, n + offset), Nd4j.zeros(DataType.FLOAT, 1, n + offset),
                    Nd4j.zeros(DataType.FLOAT, 1, n + offset),
                    gaussian(r, n + offset + 3, 1).reshape(1, n + offset + 3)};   // parameters at another offset
            INDArray[][] java = new INDArray[2][];
            for (int k = 0; k < 2; k++) {
                java[k] = new INDArray[]{stock[0].dup(), stock[1].dup(), stock[2].dup(), stock[3].dup()};
            }
            for (int it = 0; it < 5; it++) {
                INDArray g = gaussian(r, n, Math.pow(10, -it));
                if (it == 2) {
                    g.putScalar(7, 0f);
                    g.putScalar(n - 1, Float.MIN_VALUE);
                }
                double lr = it % 2 == 0 ? 1e-3 : 0.1;
                boolean step = it % 2 == 1;
                view(stock[0], offset, n).assign(g);
                if (minibatch > 0) {
                    view(stock[0], offset, n).divi(minibatch);
                }
                libnd4j(view(stock[0], offset, n), view(stock[1], offset, n), view(stock[2], offset, n), lr, 0.9,
                        0.999, 1e-8, it);
                if (step) {
                    view(stock[3], offset + 3, n).subi(view(stock[0], offset, n));
                }
                for (int k = 0; k < 2; k++) {
                    INDArray[] a = java[k];
                    view(a[0], offset, n).assign(g);
                    INDArray p = step ? view(a[3], offset + 3, n) : null;
                    assertTrue(JavaAdamUpdater.javaPath(p, view(a[0], offset, n), view(a[1], offset, n),
                            view(a[2], offset, n)));
                    JavaAdamUpdater.update(p, view(a[0], offset, n), view(a[1], offset, n), view(a[2], offset, n),
                            JavaAdamUpdater.Coefficients.of(lr, 0.9, 0.999, 1e-8, it, minibatch), k == 1);
                    String loop = (k == 1 ? "vector" : "scalar") + " loop, minibatch " + minibatch + ", iteration "
                            + it + (step ? ", parameters stepped" : "");
                    assertBitIdentical(stock[0], a[0], "update, " + loop);
                    assertBitIdentical(stock[1], a[1], "first moment, " + loop);
                    assertBitIdentical(stock[2], a[2], "second moment, " + loop);
                    assertBitIdentical(stock[3], a[3], "parameters, " + loop);
                }
            }
        }
    }

    @Test
    void anUpdaterTakesTheAbsorbedSquaresPropertyWhenMade() {
        assertTrue(new JavaAdamUpdater(new Adam()).absorbedSquares(), "on by default");
        System.setProperty(JavaAdamUpdater.ABSORBED_SQUARES_PROPERTY, "false");
        JavaAdamUpdater off;
        try {
            off = new JavaAdamUpdater(new Adam());
        } finally {
            System.clearProperty(JavaAdamUpdater.ABSORBED_SQUARES_PROPERTY);
        }
        assertFalse(off.absorbedSquares(), "made while the property was false");
    }

    /**
     * Gradients whose squares underflow, against libnd4j bit for bit with the vector loop's absorbed squares on and
     * off: gradients, moments and decayed moments over the whole float range (subnormals, zeros of both signs, the
     * bound 2^-102 of {@link AdamKernels#ABSORBING} and its neighbours, NaN and infinities), several β2 (1 - β2 of 1,
     * 0.1, 10^-3 and 10^-5), minibatch divisions by 0 (none), 32 and 3. Squaring 0 wherever {@code |g|} is below the
     * bound, without asking whether the moment absorbs the square, fails it (tried).
     */
    @Test
    void squaresTheMomentAbsorbsAsLibnd4j() {
        assumeTrue(VectorExp.moduleLoaded() && FloatLanes.usable(), "the Vector API with 8 floats or more");
        Random r = new Random(23);
        int n = JavaAdamUpdater.BLOCK + 512;
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 0x1p-102f,
                Math.nextDown(0x1p-102f), Math.nextUp(0x1p-102f), 0x1p-60f, 0x1p-58f, Float.NaN,
                Float.POSITIVE_INFINITY};
        for (double beta2 : new double[]{0.999, 0.0, 0.9, 0.99999}) {
            float below = JavaAdamUpdater.squareUnderflow(1 - (float) beta2);
            for (int minibatch : new int[]{0, 32, 3}) {
                float[] g = new float[n];
                float[] m = new float[n];
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = i % 97 == 0 ? edges[(i / 97) % edges.length] : logUniform(r, -150, 0);
                    m[i] = logUniform(r, -150, -2);
                    v[i] = i % 89 == 0 ? edges[(i / 89) % edges.length] : Math.abs(logUniform(r, -140, -2));
                    if (i % 5 == 0) {
                        g[i] = (float) (below * (0.5 + r.nextDouble()));   // about the bound, on either side
                    }
                    if (i % 7 == 0) {
                        v[i] = (float) (0x1p-102 / beta2 * (0.5 + r.nextDouble()));   // v·β2 about 2^-102
                    }
                }
                INDArray gn = Nd4j.createFromArray(g).divi(minibatch > 0 ? minibatch : 1);
                INDArray mn = Nd4j.createFromArray(m);
                INDArray vn = Nd4j.createFromArray(v);
                libnd4j(gn, mn, vn, 1e-3, 0.9, beta2, 1e-8, 4);
                for (boolean absorbed : new boolean[]{true, false}) {
                    INDArray gj = Nd4j.createFromArray(g);
                    INDArray mj = Nd4j.createFromArray(m);
                    INDArray vj = Nd4j.createFromArray(v);
                    JavaAdamUpdater.update(null, gj, mj, vj, JavaAdamUpdater.Coefficients.of(1e-3, 0.9, beta2,
                            1e-8, 4, minibatch), true, absorbed);
                    String what = "β2 " + beta2 + ", minibatch " + minibatch + ", absorbed squares " + absorbed;
                    assertBitIdentical(gn, gj, "update, " + what);
                    assertBitIdentical(mn, mj, "first moment, " + what);
                    assertBitIdentical(vn, vj, "second moment, " + what);
                }
            }
        }
    }

    /** A float of random sign whose magnitude is 2^e for e uniform in [lo, hi), times a mantissa in [1, 2). */
    private static float logUniform(Random r, int lo, int hi) {
        double e = lo + r.nextInt(hi - lo);
        return (float) ((r.nextBoolean() ? 1 : -1) * (1 + r.nextDouble()) * Math.pow(2, e));
    }

    private static INDArray view(INDArray row, int offset, int n) {
        return row.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + n));
    }

    @Test
    void otherBetasAndEpsilonsAndASweepOfIterations() {
        Random r = new Random(5);
        double[][] settings = {{0.9, 0.999, 1e-8}, {0.8, 0.99, 1e-6}, {0.5, 0.9, 1e-3}};
        for (double[] s : settings) {
            for (int it = 0; it < 3000; it += (it < 200 ? 1 : 37)) {
                INDArray g = gaussian(r, 5, 1e-2);
                INDArray m = gaussian(r, 5, 1e-3);
                INDArray v = gaussian(r, 5, 1e-4).muli(g.dup()).muli(g.dup());   // non-negative
                INDArray g2 = g.dup();
                INDArray m2 = m.dup();
                INDArray v2 = v.dup();
                double lr = 1e-4 * (1 + it % 13);
                libnd4j(g, m, v, lr, s[0], s[1], s[2], it);
                JavaAdamUpdater.update(g2, m2, v2, lr, s[0], s[1], s[2], it);
                assertBitIdentical(g, g2, "update, betas " + s[0] + ", " + s[1] + ", iteration " + it);
                assertBitIdentical(m, m2, "m, iteration " + it);
                assertBitIdentical(v, v2, "v, iteration " + it);
            }
        }
    }

    @Test
    void viewsAtAnOffsetInsideALargerArray() {
        Random r = new Random(3);
        int n = JavaAdamUpdater.BLOCK + 100;
        INDArray flatG = gaussian(r, 3 * n, 1e-2).reshape(1, 3 * n);
        INDArray state = Nd4j.zeros(DataType.FLOAT, 1, 4 * n);
        INDArray flatG2 = flatG.dup();
        INDArray state2 = state.dup();
        for (int it = 0; it < 3; it++) {
            INDArray g = flatG.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2 * n));
            INDArray m = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2 * n));
            INDArray v = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(3 * n, 4 * n));
            INDArray g2 = flatG2.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2 * n));
            INDArray m2 = state2.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 2 * n));
            INDArray v2 = state2.get(NDArrayIndex.point(0), NDArrayIndex.interval(3 * n, 4 * n));
            assertTrue(JavaAdamUpdater.javaPath(g2, m2, v2));
            libnd4j(g, m, v, 1e-3, 0.9, 0.999, 1e-8, it);
            JavaAdamUpdater.update(g2, m2, v2, 1e-3, 0.9, 0.999, 1e-8, it);
        }
        assertBitIdentical(flatG, flatG2, "the whole gradient array: the view updated, the rest untouched");
        assertBitIdentical(state, state2, "the whole state array");
    }

    @Test
    void doublesAndStridedArraysGoToLibnd4j() {
        INDArray d = Nd4j.rand(DataType.DOUBLE, 8);
        assertFalse(JavaAdamUpdater.javaPath(d, d.dup(), d.dup()), "double");
        INDArray strided = Nd4j.rand(DataType.FLOAT, 16).get(NDArrayIndex.interval(0, 2, 16));
        assertFalse(JavaAdamUpdater.javaPath(strided, Nd4j.zeros(DataType.FLOAT, 8), Nd4j.zeros(DataType.FLOAT, 8)),
                "a strided view");
        INDArray c = Nd4j.rand(DataType.FLOAT, 3, 4);
        assertFalse(JavaAdamUpdater.javaPath(c, Nd4j.create(DataType.FLOAT, new long[]{3, 4}, 'f'),
                Nd4j.zeros(DataType.FLOAT, 3, 4)), "matrices in different orders");

        Adam conf = new Adam(0.01);
        INDArray view1 = Nd4j.zeros(DataType.DOUBLE, 1, 16);
        INDArray view2 = Nd4j.zeros(DataType.DOUBLE, 1, 16);
        AdamUpdater stock = (AdamUpdater) conf.instantiate(view1, true);
        JavaAdamUpdater java = new JavaAdamUpdater(conf);
        java.setStateViewArray(view2, new long[]{1, 8}, 'c', true);
        INDArray g1 = Nd4j.rand(DataType.DOUBLE, 1, 8);
        INDArray g2 = g1.dup();
        stock.applyUpdater(g1, 0, 0);
        java.applyUpdater(g2, 0, 0);
        assertBitIdentical(g1, g2, "double: libnd4j's kernel");
        assertBitIdentical(view1, view2, "double: state");
    }

    @Test
    void appliesTheConfiguredSchedule() {
        Adam conf = new Adam(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 1e-2, 2, 1e-4)));
        INDArray view1 = Nd4j.zeros(DataType.FLOAT, 1, 2 * 300);
        INDArray view2 = Nd4j.zeros(DataType.FLOAT, 1, 2 * 300);
        AdamUpdater stock = (AdamUpdater) conf.instantiate(view1, true);
        JavaAdamUpdater java = new JavaAdamUpdater(conf);
        java.setStateViewArray(view2, new long[]{1, 300}, 'f', true);
        Random r = new Random(9);
        for (int it = 0; it < 4; it++) {
            INDArray g1 = gaussian(r, 300, 0.1).reshape(1, 300);
            INDArray g2 = g1.dup();
            stock.applyUpdater(g1, it, 0);
            java.applyUpdater(g2, it, 0);
            assertBitIdentical(g1, g2, "iteration " + it);
        }
    }



    @Test
    void aGraphTrainsBitForBitAsWithDl4jsUpdater() {
        ComputationGraph stock = UpdaterTestGraph.graph();
        ComputationGraph fast = UpdaterTestGraph.graph();
        int replaced = GraphUpdaters.install(fast);
        int adamBlocks = 0;
        int others = 0;
        for (UpdaterBlock b : fast.getUpdater().getUpdaterBlocks()) {
            if (b.getGradientUpdater() instanceof JavaAdamUpdater) {
                adamBlocks++;
            } else {
                others++;
                assertFalse(b.getGradientUpdater() instanceof AdamUpdater, "every Adam block runs in Java");
            }
        }
        assertEquals(adamBlocks, replaced);
        assertTrue(adamBlocks >= 2 && others >= 1, "Adam blocks and the decoder's Nesterovs block: " + adamBlocks
                + ", " + others);
        assertEquals(0, GraphUpdaters.install(fast), "a second install replaces nothing");
        for (int k = 0; k < 6; k++) {
            stock.fit(UpdaterTestGraph.data(k));
            fast.fit(UpdaterTestGraph.data(k));
        }
        assertBitIdentical(stock.params(), fast.params(), "parameters after 6 steps");
        assertBitIdentical(stock.getUpdater().getStateViewArray(), fast.getUpdater().getStateViewArray(),
                "updater state");
        assertEquals(stock.score(), fast.score(), 0.0);
        assertTrue(stock.params().sub(UpdaterTestGraph.graph().params()).amaxNumber().doubleValue() > 1e-4,
                "training moved the parameters");
    }

    @Test
    void savedGraphRestoresAndTrainsOnAlike(@TempDir File dir) throws Exception {
        ComputationGraph g = UpdaterTestGraph.graph();
        GraphUpdaters.install(g);
        for (int k = 0; k < 3; k++) {
            g.fit(UpdaterTestGraph.data(k));
        }
        File f = new File(dir, "g.zip");
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph r = ModelSerializer.restoreComputationGraph(f, true);
        assertBitIdentical(g.getUpdater().getStateViewArray(), r.getUpdater().getStateViewArray(), "state");
        assertTrue(GraphUpdaters.install(r) > 0);
        UpdaterBlock first = r.getUpdater().getUpdaterBlocks().get(0);
        assertInstanceOf(JavaAdamUpdater.class, first.getGradientUpdater());
        assertSame(first.getGradientUpdater(), r.getUpdater().getUpdaterBlocks().get(0).getGradientUpdater());
        g.fit(UpdaterTestGraph.data(9));
        r.fit(UpdaterTestGraph.data(9));
        assertBitIdentical(g.params(), r.params(), "one more step from the restored graph");
    }
}

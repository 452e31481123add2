package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.conf.PgmLayerRuntime;
import org.dl4jpgm.train.PgmObjectiveListener;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.listeners.CollectScoresListener;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.util.ParameterCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PgM in place of the fusion of a trained host graph ({@link HostGraphs}: dense text encoder, LSTM audio and vision
 * encoders, a MergeVertex) behaves like the host: it trains with plain {@code fit} on the task labels, predicts, scores,
 * evaluates, runs under early stopping and listeners, saves and loads; the host is left as it was; bad names and input
 * types fail at {@code replace}; Eq. 12's weights are an API call that survives serialisation and give the gradient of
 * {@code α L_P + β L_T} for any non-negative α and β.
 */
class DropInTest {

    @ParameterizedTest(name = "regression = {0}")
    @ValueSource(booleans = {false, true})
    void fitOnTaskLabelsOnlyThenOutputSingleSaveLoadIdentical(boolean regression, @TempDir Path dir) throws Exception {
        ComputationGraph host = HostGraphs.trained(regression, DataType.FLOAT);
        PgmGraph pgm = PgmFusion.replace(host, "fusion", HostGraphs.spec(false));   // input types from the host
        ComputationGraph g = pgm.graph();
        assertEquals(List.of("out"), g.getConfiguration().getNetworkOutputs(), "the host's outputs, nothing added");
        assertEquals(new Fused("fusionHead", 8 + 6 + 6, "fusionPgm"), pgm.fused(), "the head takes the merge's width");

        MultiDataSetIterator train = HostGraphs.data(regression, 24, 8, 2, DataType.FLOAT);
        INDArray before = g.params().dup();
        PgmObjectiveListener objectives = new PgmObjectiveListener(pgm.fused().pgmVertex());
        g.addListeners(objectives);
        g.fit(train, 3);
        assertNotEquals(before, g.params());
        assertEquals(3, objectives.history().size(), "one entry per epoch");
        for (PgmObjectiveListener.Epoch e : objectives.history()) {
            assertTrue(Double.isFinite(e.objective()) && e.objective() > 0 && e.examples() == 24, e.toString());
        }

        train.reset();
        MultiDataSet ds = train.next();
        INDArray out = g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0];
        assertArrayEquals(new long[]{8, regression ? 1 : HostGraphs.CLASSES}, out.shape());
        INDArray single = g.outputSingle(ds.getFeatures());
        assertEquals(g.output(false, ds.getFeatures(), null)[0], single, "outputSingle: the one task output");
        double score = g.score(ds);
        assertTrue(Double.isFinite(score) && score > 0, "score " + score);

        File f = dir.resolve("pgm.zip").toFile();
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(out, restored.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0]);
        assertEquals(single, restored.outputSingle(ds.getFeatures()));
        assertEquals(score, restored.score(ds), 0.0);
        assertEquals(g.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        g.fit(ds);
        restored.fit(ds);
        assertEquals(g.params(), restored.params(), "one more step, alike, from the restored updater state");
        assertEquals(pgm.fused(), PgmGraph.of(restored).fused());
    }

    /**
     * PgM's parameters are a layer's: {@code numParams()}, the flattened parameter and gradient views, {@code summary()}
     * and the Table 5 printout ({@link ParameterCounts}) all give one total, and it includes PgM's own count
     * ({@link PgmBlock#numParams()}, the sum of its closed-form component counts).
     */
    @ParameterizedTest(name = "regression = {0}")
    @ValueSource(booleans = {false, true})
    void numParamsSummaryAndTable5PrintoutAgreeAndIncludePgm(boolean regression) {
        ComputationGraph host = HostGraphs.trained(regression, DataType.FLOAT);
        ComputationGraph g = PgmFusion.replace(host, "fusion", HostGraphs.spec(false)).graph();
        long pgm = g.getVertex("fusionPgm").numParams();
        assertEquals(PgmGraph.pgmLayer(g.getConfiguration(), "fusionPgm").toBlock().numParams(), pgm);
        assertTrue(pgm > 0);
        ParameterCounts table5 = ParameterCounts.of(g);
        assertEquals(pgm, table5.vertex("fusionPgm"));
        assertEquals(0, table5.vertex("fusionModalities"), "the packing vertex has no parameters");

        assertEquals(g.params().length(), g.numParams(), "numParams() counts every parameter of the flat view");
        assertEquals(table5.total(), g.numParams(), "Table 5 printout and numParams()");
        g.initGradientsView();
        assertEquals(g.numParams(), g.getGradientsViewArray().length());
        assertEquals(host.numParams() + pgm + g.getVertex("fusionHead").numParams(), g.numParams(),
                "the host's encoders and task layers (its fusion, a merge, has none), PgM and its head");

        String summary = g.summary();
        assertTrue(summary.contains(String.format("Total Parameters:  %,d", g.numParams())), summary);
        assertTrue(summary.matches("(?s).*fusionPgm \\(PgmLayerRuntime\\)\\s+-,-\\s+" + String.format("%,d", pgm)
                + ".*"), summary);
        assertTrue(table5.toString().contains(String.format("%,d", g.numParams())), table5.toString());
    }

    /**
     * {@code FusionSpec.headInputNormalized}: a {@code BatchNormalization} layer between PgM's features and the head;
     * the graph trains, saves and loads. DL4J 1.0.0-M2.1's {@code setLearningRate} fails on such a graph (its updater
     * refresh looks up the updater state of BatchNormalization's running mean, which has none): docs/dl4j-m2.1-notes.md.
     */
    @Test
    void headInputNormalizationStandardisesTheFeaturesBeforeTheHead(@TempDir Path dir) throws Exception {
        ComputationGraph host = HostGraphs.trained(false, DataType.FLOAT);
        PgmGraph pgm = PgmFusion.replace(host, "fusion",
                HostGraphs.spec(false).toBuilder().headInputNormalized(true).build());
        ComputationGraph g = pgm.graph();
        ComputationGraphConfiguration conf = g.getConfiguration();
        assertEquals(List.of("fusionFeatures"), conf.getVertexInputs().get("fusionFeaturesNorm"));
        assertEquals(List.of("fusionFeaturesNorm"), conf.getVertexInputs().get("fusionHead"));
        assertTrue(g.getLayer("fusionFeaturesNorm") instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization);
        assertEquals(g.params().length(), g.numParams());

        MultiDataSetIterator train = HostGraphs.data(false, 24, 8, 2, DataType.FLOAT);
        g.fit(train, 2);
        train.reset();
        MultiDataSet ds = train.next();
        INDArray out = g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0];
        assertTrue(out.isMatrix() && !out.isNaN().any() && !out.isInfinite().any());
        File f = dir.resolve("norm.zip").toFile();
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(out, restored.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0]);
        assertThrows(NullPointerException.class, () -> g.setLearningRate(1e-3),
                "DL4J M2.1: setLearningRate on a graph with BatchNormalization");
    }

    /** Every fusion of Table 2 counts as DL4J counts layers: {@code numParams()} is the length of the parameter view. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FusionType.class)
    void everyFusionsParametersAreCountedByNumParams(FusionType type) {
        ComputationGraph host = HostGraphs.trained(false, DataType.FLOAT);
        FusionSpec spec = HostGraphs.spec(false).toBuilder().type(type).build();
        ComputationGraph g = PgmFusion.replace(host, "fusion", spec).graph();
        assertEquals(g.params().length(), g.numParams(), type.toString());
        assertEquals(ParameterCounts.of(g).total(), g.numParams(), type.toString());
    }

    @Test
    void evaluateEarlyStoppingAndListenersWorkAsOnTheHost() {
        ComputationGraph host = HostGraphs.trained(false, DataType.FLOAT);
        ComputationGraph g = PgmFusion.replace(host, "fusion", HostGraphs.spec(false)).graph();
        MultiDataSetIterator train = HostGraphs.data(false, 24, 8, 3, DataType.FLOAT);
        MultiDataSetIterator valid = HostGraphs.data(false, 16, 8, 4, DataType.FLOAT);
        CollectScoresListener scores = new CollectScoresListener(1);
        g.setListeners(scores);
        EarlyStoppingConfiguration<ComputationGraph> es = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(2))
                .scoreCalculator(new DataSetLossCalculator(valid, true)).evaluateEveryNEpochs(1).build();
        EarlyStoppingResult<ComputationGraph> r = new EarlyStoppingGraphTrainer(es, g, train, null).fit();
        assertEquals(2, r.getTotalEpochs());
        assertTrue(Double.isFinite(r.getBestModelScore()), "validation loss " + r.getBestModelScore());
        assertEquals(6, scores.getListScore().size(), "2 epochs of 3 batches");
        valid.reset();
        Evaluation e = g.evaluate(valid);
        int evaluated = 0;
        for (int c = 0; c < HostGraphs.CLASSES; c++) {
            evaluated += e.getConfusionMatrix().getActualTotal(c);
        }
        assertEquals(16, evaluated, "every validation example evaluated");
        assertTrue(e.accuracy() >= 0 && e.accuracy() <= 1);

        ComputationGraph reg = PgmFusion.replace(HostGraphs.trained(true, DataType.FLOAT), "fusion",
                HostGraphs.spec(false)).graph();
        MultiDataSetIterator rv = HostGraphs.data(true, 16, 8, 4, DataType.FLOAT);
        RegressionEvaluation re = reg.evaluateRegression(rv);
        assertTrue(Double.isFinite(re.averageMeanSquaredError()), re.stats());
    }

    /** The host's outputs are bit-identical after two replaces and training of both new graphs; no shared config. */
    @Test
    void theHostIsUntouchedAndSharesNoConfigurationWithTheNewGraphs() {
        ComputationGraph host = HostGraphs.trained(false, DataType.FLOAT);
        String hostJson = host.getConfiguration().toJson();
        MultiDataSet ds = HostGraphs.data(false, 8, 8, 5, DataType.FLOAT).next();
        INDArray hostOut = host.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0].dup();
        INDArray hostParams = host.params().dup();
        double hostLr = host.getLearningRate("dense");

        PgmGraph first = PgmFusion.replace(host, "fusion", HostGraphs.spec(false));
        PgmGraph second = PgmFusion.replace(host, "fusion", FusionSpec.builder().type(FusionType.CONCAT).build(),
                HostGraphs.inputTypes());
        first.graph().fit(HostGraphs.data(false, 16, 8, 6, DataType.FLOAT));
        second.graph().fit(HostGraphs.data(false, 16, 8, 6, DataType.FLOAT));
        first.graph().setLearningRate(0.5);
        first.setLossWeights(new LossWeights(2, 3));

        assertEquals(hostJson, host.getConfiguration().toJson(), "the host's configuration is unchanged");
        assertEquals(hostParams, host.params());
        assertEquals(hostOut, host.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0]);
        assertEquals(hostLr, host.getLearningRate("dense"), 0.0, "setLearningRate on a new graph");
        assertEquals(1e-2, second.graph().getLearningRate("dense"), 0.0);
        assertTrue(Double.isFinite(second.graph().score(ds)));
    }

    @Test
    void wrongVertexNameOrInputTypesFailAtReplaceNamingWhatTheGraphHas() {
        ComputationGraph host = HostGraphs.trained(false, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PgmFusion.replace(host, "fuse", HostGraphs.spec(false)));
        assertTrue(e.getMessage().contains("no vertex 'fuse'") && e.getMessage().contains("fusion")
                && e.getMessage().contains("encAudio"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PgmFusion.replace(host, "encText",
                HostGraphs.spec(false)));
        assertTrue(e.getMessage().contains("'encText' is a layer") && e.getMessage().contains("fusion (MergeVertex)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PgmFusion.replace(host, "fusion", HostGraphs.spec(false),
                InputType.feedForward(300), InputType.recurrent(5, 6), InputType.recurrent(20, 6)));
        assertTrue(e.getMessage().contains("input 'text'") && e.getMessage().contains("'encText' (DenseLayer)")
                && e.getMessage().contains("width 768"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PgmFusion.replace(host, "fusion", HostGraphs.spec(false),
                InputType.feedForward(768), InputType.feedForward(5), InputType.recurrent(20, 6)));
        assertTrue(e.getMessage().contains("input 'audio'") && e.getMessage().contains("'encAudio' (LSTM)")
                && e.getMessage().contains("recurrent input of width 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PgmFusion.replace(host, "fusion", HostGraphs.spec(false),
                InputType.feedForward(768)));
        assertTrue(e.getMessage().contains("expected 3 input types for [text, audio, vision], found 1"), e.getMessage());
    }

    /** The stage switch is part of the configuration: JSON and ModelSerializer keep α and β. */
    @Test
    void lossWeightsAreAnApiCallOnABuiltGraphAndSurviveSerialisation(@TempDir Path dir) throws Exception {
        PgmGraph pgm = PgmFusion.replace(HostGraphs.trained(true, DataType.FLOAT), "fusion", HostGraphs.spec(false));
        assertEquals(LossWeights.JOINT, pgm.getLossWeights(), "a new graph trains on the paper's stage-2 weights");
        pgm.setLossWeights(LossWeights.PRETRAINING);
        assertEquals(LossWeights.PRETRAINING, pgm.getLossWeights());
        ComputationGraphConfiguration json = ComputationGraphConfiguration.fromJson(
                pgm.graph().getConfiguration().toJson());
        assertEquals(pgm.graph().getConfiguration(), json);
        File f = dir.resolve("stage1.zip").toFile();
        ModelSerializer.writeModel(pgm.graph(), f, true);
        PgmGraph restored = PgmGraph.of(ModelSerializer.restoreComputationGraph(f, true));
        assertEquals(LossWeights.PRETRAINING, restored.getLossWeights());
        MultiDataSet ds = HostGraphs.data(true, 8, 8, 7, DataType.FLOAT).next();
        assertEquals(0.0, restored.graph().score(ds), 0.0, "β = 0: the task loss does not count");
        restored.setLossWeights(new LossWeights(0.25, 1.75));
        assertEquals(new LossWeights(0.25, 1.75), restored.getLossWeights());
    }

    /**
     * Eq. 12 for α and β any non-negative reals: the graph's gradient equals the finite-difference gradient of
     * {@code α L_P + β L_T}, with L_P the batch mean of UFC + PFC + UPR (read from the PgM vertex) and L_T the task
     * loss (the score with β = 1), computed independently of the backward pass; and the score is β L_T.
     */
    @Test
    void gradientIsThatOfAlphaLpPlusBetaLtForAnyNonNegativeWeights() {
        ComputationGraph host = HostGraphs.trained(false, DataType.DOUBLE);
        PgmGraph pgm = PgmFusion.replace(host, "fusion", HostGraphs.spec(true));
        ComputationGraph g = pgm.graph();
        MultiDataSet ds = HostGraphs.data(false, 6, 6, 8, DataType.DOUBLE).next();
        double[][] weights = {{0, 1}, {1, 0}, {0.5, 1}, {0, 2}, {2.5, 0.3}};
        long batch = ds.getFeatures(0).size(0);
        long[] indices = indices(g, List.of("encText", "encAudio", "fusionPgm", "fusionHead", "dense", "out"), 5);
        for (double[] w : weights) {
            LossWeights lw = new LossWeights(w[0], w[1]);
            pgm.setLossWeights(lw);
            g.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
            g.setInputs(ds.getFeatures());
            g.setLabels(ds.getLabels());
            g.computeGradientAndScore();
            INDArray analytic = g.gradient().gradient().dup();
            double score = g.score();
            g.clearLayerMaskArrays();
            assertEquals(lw.beta() * taskLoss(pgm, ds), score, 1e-10, "score = β L_T at " + lw);
            for (long i : indices) {
                double original = g.params().getDouble(i);
                double h = 1e-6;
                g.params().putScalar(i, original + h);
                double plus = eq12(pgm, ds, lw);
                g.params().putScalar(i, original - h);
                double minus = eq12(pgm, ds, lw);
                g.params().putScalar(i, original);
                double numeric = (plus - minus) / (2 * h);
                double a = analytic.getDouble(i) / batch;   // DL4J's gradient is the batch sum's; its updater divides
                double err = Math.abs(a - numeric) / Math.max(1e-8, Math.abs(a) + Math.abs(numeric));
                assertTrue(err < 1e-5 || Math.abs(a - numeric) < 1e-9, "parameter " + i + " at " + lw
                        + ": analytic " + a + ", numeric " + numeric);
            }
            pgm.setLossWeights(lw);
        }
    }

    /**
     * {@code perVertex} random indices into the flat parameter vector within each named vertex's parameters (the flat
     * vector holds them in topological order; checked against each vertex's own view).
     */
    private static long[] indices(ComputationGraph g, List<String> vertices, int perVertex) {
        java.util.Map<String, long[]> ranges = new java.util.HashMap<>();
        long offset = 0;
        for (int idx : g.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = g.getVertices()[idx];
            long np = v.numParams();
            if (np > 0) {
                ranges.put(v.getVertexName(), new long[]{offset, offset + np});
                assertEquals(v.params().reshape(-1), g.params().reshape(-1).get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + np)));
                offset += np;
            }
        }
        assertEquals(g.params().length(), offset);
        Random pick = new Random(5);
        long[] out = new long[vertices.size() * perVertex];
        int k = 0;
        for (String name : vertices) {
            long[] r = ranges.get(name);
            for (int i = 0; i < perVertex; i++) {
                out[k++] = r[0] + (long) (pick.nextDouble() * (r[1] - r[0]));
            }
        }
        return out;
    }

    /** {@code α L_P + β L_T}, computed from forward passes only. */
    private static double eq12(PgmGraph pgm, MultiDataSet ds, LossWeights w) {
        double[] o = pgm.objectives(ds);
        return w.alpha() * (o[0] + o[1] + o[2]) + w.beta() * taskLoss(pgm, ds);
    }

    /** L_T: the score with β = 1 (the weights are restored). */
    private static double taskLoss(PgmGraph pgm, MultiDataSet ds) {
        LossWeights w = pgm.getLossWeights();
        pgm.setLossWeights(new LossWeights(w.alpha(), 1));
        try {
            return pgm.graph().score(ds, false);
        } finally {
            pgm.setLossWeights(w);
        }
    }
}

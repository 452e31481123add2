package org.dl4jpgm.examples.mainjob;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --head-warmup K} ({@code headWarmup} in the presets): the ramp reaches PgM's task path only, counted from stage
 * 2's first iteration; K = 0 is the training without the option, bit for bit; the option and the preset key are
 * validated and recorded. {@code --head-dropout P}: a dropout layer before PgM's head only.
 */
class HeadWarmupTest {

    /**
     * 48 training examples in batches of 16: 3 iterations per epoch, so stage 2 begins at iteration 3; the cpu preset
     * with D = 8, 1 + 2 epochs, and {@code extra} options.
     */
    static ExperimentRunner runner(Path dir, String... extra) throws Exception {
        Path data = ExperimentRunnerReproducibilityTest.tinyData(dir);
        LayoutReader reader = new LayoutReader(data);
        DatasetDescriptor d = reader.descriptor();
        // the cpu preset: no warm-up, no dropout unless the test asks for them
        List<String> args = new java.util.ArrayList<>(List.of(data.toString(), "--preset", "cpu", "--width", "8",
                "--batch", "16", "--stage1-epochs", "1", "--stage2-epochs", "2"));
        args.addAll(List.of(extra));
        MainJobOptions o = MainJobOptions.parse(args.toArray(new String[0]));
        return new ExperimentRunner(d, d.getTarget("paired"), reader.readSplit("train"), reader.readSplit("test"), o);
    }

    private static Adam updater(ComputationGraph g, String layer) {
        String param = g.getLayer(layer).paramTable().keySet().iterator().next();
        IUpdater u = g.getLayer(layer).conf().getLayer().getUpdaterByParam(param);
        return (Adam) u;
    }

    @Test
    void warmupZeroTrainsBitIdenticallyToTheGraphWithoutTheOption(@TempDir Path dir) throws Exception {
        ExperimentRunner zero = runner(dir, "--head-warmup", "0");
        ExperimentRunner.Trained t = zero.train(FusionChoice.parse("PGM"), 1000, false, e -> { });
        assertFalse(t.graph().getConfiguration().toJson().contains("MapSchedule"), "no layer has a schedule");
        ExperimentRunner.Trained again = runner(dir).train(FusionChoice.parse("PGM"), 1000, false, e -> { });
        assertArrayEquals(again.graph().params().data().asFloat(), t.graph().params().data().asFloat());
        for (String layer : new String[]{"fusionHead", "dense", "out"}) {
            assertNull(updater(t.graph(), layer).getLearningRateSchedule(), layer);
            assertEquals(3e-3, updater(t.graph(), layer).getLearningRate(), layer);
        }
    }

    @Test
    void theRampReachesPgmsTaskPathOnlyFromStageTwosFirstIteration(@TempDir Path dir) throws Exception {
        ExperimentRunner warm = runner(dir, "--head-warmup", "5");
        ComputationGraph g = warm.build(FusionChoice.parse("PGM"), 1000).graph();
        for (String layer : new String[]{"fusionFeaturesNorm", "fusionHead", "dense", "out"}) {
            Adam a = updater(g, layer);
            assertNotNull(a.getLearningRateSchedule(), layer);
            assertEquals(3e-3 / 5, a.getLearningRate(3, 1), 1e-12, layer + " at stage 2's first iteration");
            assertEquals(3e-3 * 2 / 5, a.getLearningRate(4, 1), 1e-12, layer);
            assertEquals(3e-3, a.getLearningRate(7, 2), 1e-12, layer + " at the ramp's end");
        }
        Adam pgm = updater(g, "fusionPgm");
        assertNull(pgm.getLearningRateSchedule(), "PgM's own parts keep their rates");
        assertEquals(warm.build(FusionChoice.parse("MLP"), 1000).graph().getConfiguration().toJson(),
                runner(dir).build(FusionChoice.parse("MLP"), 1000).graph().getConfiguration().toJson(),
                "a baseline is not warmed up");

        ExperimentRunner.Trained t = warm.train(FusionChoice.parse("PGM"), 1000, true, e -> { });
        assertEquals(3 + 6, t.graph().getIterationCount());
        assertTrue(t.history().stream().allMatch(r -> Double.isFinite(r.taskLoss())), t.history().toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.build(
                warm.modalities(), new org.deeplearning4j.nn.conf.inputs.InputType[]{
                        org.deeplearning4j.nn.conf.inputs.InputType.feedForward(6),
                        org.deeplearning4j.nn.conf.inputs.InputType.recurrent(4, 4)}, true, 2,
                MainJobOptions.parse("--head-warmup", "5"), null, FusionChoice.parse("PGM"), 1));
        assertTrue(e.getMessage().contains("needs the stage-1 iterations"), e.getMessage());
    }

    @Test
    void headDropoutAddsADropoutLayerBeforeTheHeadOfPgmOnly(@TempDir Path dir) throws Exception {
        ExperimentRunner none = runner(dir);
        assertEquals(0.0, MainJobOptions.parse("--preset", "cpu").getHeadDropout(), "the cpu preset's default");
        assertFalse(none.build(FusionChoice.parse("PGM"), 1000).graph().getConfiguration().getVertices()
                .containsKey("fusionFeaturesDropout"), "no layer without the option");
        ExperimentRunner drop = runner(dir, "--head-dropout", "0.3");
        ComputationGraph g = drop.build(FusionChoice.parse("PGM"), 1000).graph();
        assertEquals(List.of("fusionFeaturesNorm"), g.getConfiguration().getVertexInputs().get("fusionFeaturesDropout"),
                "after the normalisation");
        assertEquals(List.of("fusionFeaturesDropout"), g.getConfiguration().getVertexInputs().get("fusionHead"));
        assertEquals(none.build(FusionChoice.parse("PGM"), 1000).graph().params(), g.params(),
                "the same parameters: the layer has none");
        assertEquals(none.build(FusionChoice.parse("MLP"), 1000).graph().getConfiguration().toJson(),
                drop.build(FusionChoice.parse("MLP"), 1000).graph().getConfiguration().toJson(), "not a baseline's");
        ExperimentRunner.Trained t = drop.train(FusionChoice.parse("PGM"), 1000, true, e -> { });
        assertTrue(t.history().stream().allMatch(r -> Double.isFinite(r.taskLoss())), t.history().toString());

        assertEquals(0.3, Presets.values(MainJobOptions.parse("--head-dropout", "0.3").getTraining())
                .get("headDropout"));
        for (String bad : new String[]{"1", "-0.1", "half"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MainJobOptions.parse("--head-dropout", bad));
            assertTrue(e.getMessage().contains("--head-dropout expects a number >= 0 and < 1, found '" + bad + "'"),
                    e.getMessage());
        }
        Path preset = dir.resolve("drop.json");
        Files.writeString(preset, "{\"headDropout\": 1.5}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--preset", preset.toString()));
        assertTrue(e.getMessage().contains("key 'headDropout' expects a number >= 0 and < 1, found 1.5"),
                e.getMessage());
    }

    @Test
    void baselineDropoutFollowsABaselinesFusedOutputAndLeavesPgmAlone(@TempDir Path dir) throws Exception {
        ExperimentRunner none = runner(dir);
        assertEquals(0.0, MainJobOptions.parse("--preset", "cpu").getBaselineDropout(), "the cpu preset's default");
        ExperimentRunner drop = runner(dir, "--baseline-dropout", "0.3");
        for (String fusion : List.of("MLP", "ADD", "LINEAR", "CONCAT", "UNI:" + none.modalities().get(0))) {
            ComputationGraph plain = none.build(FusionChoice.parse(fusion), 1000).graph();
            ComputationGraph g = drop.build(FusionChoice.parse(fusion), 1000).graph();
            assertFalse(plain.getConfiguration().getVertices().containsKey("fusionDropout"), fusion);
            List<String> dropoutInputs = g.getConfiguration().getVertexInputs().get("fusionDropout");
            assertEquals(1, dropoutInputs.size(), fusion);
            // every layer that read the fused output now reads the dropout layer
            plain.getConfiguration().getVertexInputs().forEach((v, in) -> {
                if (in.contains(dropoutInputs.get(0)) && !v.equals("fusionDropout")) {
                    assertEquals(List.of("fusionDropout"), g.getConfiguration().getVertexInputs().get(v),
                            fusion + ": " + v);
                }
            });
            assertEquals(plain.params(), g.params(), fusion + ": the same parameters, the layer has none");
        }
        assertEquals(none.build(FusionChoice.parse("PGM"), 1000).graph().getConfiguration().toJson(),
                drop.build(FusionChoice.parse("PGM"), 1000).graph().getConfiguration().toJson(), "not PgM's");
        ExperimentRunner.Trained t = drop.train(FusionChoice.parse("MLP"), 1000, false, e -> { });
        assertTrue(t.history().stream().allMatch(r -> r.epoch() > 0), t.history().toString());

        assertEquals(0.3, Presets.values(MainJobOptions.parse("--baseline-dropout", "0.3").getTraining())
                .get("baselineDropout"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--baseline-dropout", "1"));
        assertTrue(e.getMessage().contains("--baseline-dropout expects a number >= 0 and < 1, found '1'"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> org.dl4jpgm.fusion.FusionSpec.builder()
                .type(org.dl4jpgm.fusion.FusionType.MLP).baselineDropout(1.0).build());
    }

    @Test
    void theOptionAndThePresetKeyAreValidatedAndRecorded(@TempDir Path dir) throws Exception {
        assertEquals(0, MainJobOptions.parse().getHeadWarmup(), "the cpu preset's default");
        assertEquals(0, MainJobOptions.parse("--preset", "paper").getHeadWarmup());
        MainJobOptions o = MainJobOptions.parse("--head-warmup", "30");
        assertEquals(30, o.getHeadWarmup());
        assertEquals(30, Presets.values(o.getTraining()).get("headWarmup"), "what the saved model's card records");
        assertTrue(MainJobOptions.usage().contains("--head-warmup K"), MainJobOptions.usage());

        for (String bad : new String[]{"-1", "ten", "2.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MainJobOptions.parse("--head-warmup", bad));
            assertTrue(e.getMessage().contains("--head-warmup") && e.getMessage().contains(bad), e.getMessage());
        }

        Path preset = dir.resolve("warm.json");
        Files.writeString(preset, Presets.json(o.getTraining()));
        assertTrue(Files.readString(preset).contains("\"headWarmup\" : 30"), Files.readString(preset));
        assertEquals(30, MainJobOptions.parse("--preset", preset.toString()).getHeadWarmup(), "round trip");
        TrainingOptions back = new TrainingOptions();
        Presets.apply(back, preset.toString());
        assertEquals(30, back.getHeadWarmup());

        Path negative = dir.resolve("negative.json");
        Files.writeString(negative, "{\"headWarmup\": -2}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--preset", negative.toString()));
        assertTrue(e.getMessage().contains("key 'headWarmup' expects a whole number >= 0, found -2"), e.getMessage());
    }
}

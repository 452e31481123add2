package org.dl4jpgm.examples.mainjob;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.train.StageTwoDecay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.IUpdater;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --final-lr-fraction F} ({@code finalLrFraction} in the presets): every updater of a PgM graph (partitioner,
 * learners, decoder, head, the layers after it) and of a baseline's decays over stage 2 only; F = 1 is the graph
 * without the option; the option and the preset key are validated and recorded.
 */
class StageTwoDecayOptionTest {

    /** 48 training examples in batches of 16: 3 iterations per epoch; 1 + 2 epochs ({@link HeadWarmupTest#runner}). */
    private static ExperimentRunner runner(Path dir, String... extra) throws Exception {
        return HeadWarmupTest.runner(dir, extra);
    }

    /** The updater of every parameter of {@code g}, keyed "layer/parameter". */
    private static Map<String, IUpdater> updaters(ComputationGraph g) {
        Map<String, IUpdater> m = new TreeMap<>();
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            for (String p : l.paramTable().keySet()) {
                m.put(l.conf().getLayer().getLayerName() + "/" + p, l.conf().getLayer().getUpdaterByParam(p));
            }
        }
        return m;
    }

    @Test
    void everyUpdaterOfPgmDecaysOverStageTwoFromItsOwnRate(@TempDir Path dir) throws Exception {
        Map<String, IUpdater> plain = updaters(runner(dir).build(FusionChoice.parse("PGM"), 1000).graph());
        Map<String, IUpdater> decayed = updaters(runner(dir, "--final-lr-fraction", "0.1")
                .build(FusionChoice.parse("PGM"), 1000).graph());
        assertEquals(plain.keySet(), decayed.keySet());
        boolean learner = false;
        boolean decoder = false;
        boolean partitioner = false;
        for (String key : plain.keySet()) {
            double rate = plain.get(key).getLearningRate(0, 0);
            IUpdater u = decayed.get(key);
            for (int i = 0; i < 3; i++) {
                assertEquals(rate, u.getLearningRate(i, 0), 0, key + ", stage 1, iteration " + i);
            }
            for (int j = 0; j < 6; j++) {
                assertEquals(rate * StageTwoDecay.factor(j, 6, 0.1), u.getLearningRate(3 + j, 1), 1e-15,
                        key + ", stage 2, iteration " + j);
            }
            String param = key.substring(key.indexOf('/') + 1);
            learner |= param.startsWith(PgmBlock.UNI_PREFIX) && rate == 1e-3;
            decoder |= param.startsWith(PgmBlock.DECODER_PREFIX) && rate == 3e-3;
            partitioner |= param.startsWith(PgmBlock.PARTITIONER_PREFIX);
        }
        assertTrue(learner && decoder && partitioner, "learners at 1e-3, decoder and partitioner checked: " + plain);
        assertTrue(plain.containsKey("out/W") && plain.containsKey("dense/W"), plain.keySet().toString());
    }

    @Test
    void aBaselineDecaysFromIterationZeroItHasNoStageOne(@TempDir Path dir) throws Exception {
        Map<String, IUpdater> u = updaters(runner(dir, "--final-lr-fraction", "0")
                .build(FusionChoice.parse("MLP"), 1000).graph());
        assertFalse(u.isEmpty());
        for (Map.Entry<String, IUpdater> e : u.entrySet()) {
            for (int j = 0; j < 6; j++) {
                assertEquals(3e-3 * StageTwoDecay.factor(j, 6, 0), e.getValue().getLearningRate(j, 0),
                        1e-15, e.getKey() + ", iteration " + j);
            }
        }
    }

    @Test
    void fractionOneIsTheGraphWithoutTheOptionAndTrainsTheSame(@TempDir Path dir) throws Exception {
        for (String fusion : List.of("PGM", "MLP")) {
            ComputationGraph without = runner(dir).build(FusionChoice.parse(fusion), 1000).graph();
            ComputationGraph one = runner(dir, "--final-lr-fraction", "1").build(FusionChoice.parse(fusion), 1000)
                    .graph();
            assertEquals(without.getConfiguration().toJson(), one.getConfiguration().toJson(), fusion);
            assertFalse(one.getConfiguration().toJson().contains("MapSchedule"), fusion);
        }
        ExperimentRunner.Trained t = runner(dir, "--final-lr-fraction", "0")
                .train(FusionChoice.parse("PGM"), 1000, true, e -> { });
        assertEquals(3 + 6, t.graph().getIterationCount());
        assertTrue(t.history().stream().allMatch(r -> Double.isFinite(r.taskLoss())), t.history().toString());
        ExperimentRunner.Trained plain = runner(dir).train(FusionChoice.parse("PGM"), 1000, true, e -> { });
        assertFalse(plain.graph().params().equals(t.graph().params()), "the decay changes the steps");
    }

    @Test
    void theOptionAndThePresetKeyAreValidatedAndRecorded(@TempDir Path dir) throws Exception {
        assertEquals(1.0, MainJobOptions.parse("--preset", "cpu").getFinalLearningRateFraction(), "cpu: no decay");
        MainJobOptions o = MainJobOptions.parse("--final-lr-fraction", "0.25");
        assertEquals(0.25, o.getFinalLearningRateFraction());
        assertEquals(0.25, Presets.values(o.getTraining()).get("finalLrFraction"), "what the saved model records");
        assertTrue(MainJobOptions.usage().contains("--final-lr-fraction F"), MainJobOptions.usage());
        for (String bad : new String[]{"-0.1", "1.5", "none"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MainJobOptions.parse("--final-lr-fraction", bad));
            assertTrue(e.getMessage().contains("--final-lr-fraction expects a number >= 0 and <= 1, found '" + bad
                    + "'"), e.getMessage());
        }
        Path preset = dir.resolve("decay.json");
        Files.writeString(preset, "{\"finalLrFraction\": 2}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--preset", preset.toString()));
        assertTrue(e.getMessage().contains("key 'finalLrFraction' expects a number >= 0 and <= 1, found 2"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.build(
                List.of("a", "b"), new org.deeplearning4j.nn.conf.inputs.InputType[]{
                        org.deeplearning4j.nn.conf.inputs.InputType.feedForward(6),
                        org.deeplearning4j.nn.conf.inputs.InputType.feedForward(4)}, true, 2,
                MainJobOptions.parse("--final-lr-fraction", "0.5"), null, FusionChoice.parse("PGM"), 1),
                "streamed data: the iterations are unknown");
    }
}

package org.dl4jpgm.examples.mainjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.examples.MainJob;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.ModelRate;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --baseline-lr R} ({@code baselineLr} in the presets): every layer of a baseline's graph trains at R, PgM's
 * graph keeps {@code --lr} (its learners and decoder their own rates); 0 means {@code --lr}; a learning-rate sweep
 * trains every fusion at every swept rate; the main job records the rate each run was trained with.
 */
class BaselineLearningRateTest {

    private static ExperimentRunner runner(Path dir, TrainingSettings settings) throws Exception {
        LayoutReader reader = new LayoutReader(ExperimentRunnerReproducibilityTest.tinyData(dir));
        DatasetDescriptor d = reader.descriptor();
        return new ExperimentRunner(d, d.getTarget("paired"), reader.readSplit("train"), reader.readSplit("test"),
                settings);
    }

    /** Adam's learning rate of every trained parameter of every layer, by "layer/parameter" (NoOp: not trained). */
    private static Map<String, Double> rates(ComputationGraph g) {
        Map<String, Double> r = new TreeMap<>();
        for (Layer l : g.getLayers()) {
            for (String p : l.paramTable().keySet()) {
                IUpdater u = l.conf().getLayer().getUpdaterByParam(p);
                if (!(u instanceof NoOp)) {
                    r.put(l.conf().getLayer().getLayerName() + "/" + p, ((Adam) u).getLearningRate());
                }
            }
        }
        return r;
    }

    @Test
    void baselinesTrainAtTheirRateAndPgmKeepsItsOwn(@TempDir Path dir) throws Exception {
        MainJobOptions o = MainJobOptions.parse("--preset", "cpu", "--width", "8", "--baseline-lr", "0.01");
        assertEquals(3e-3, o.getModelLearningRate());
        assertEquals(0.01, o.getBaselineLearningRate());
        ExperimentRunner r = runner(dir, o);
        for (String baseline : new String[]{"MLP", "ADD", "LINEAR", "CONCAT", "UNI:a"}) {
            Map<String, Double> rates = rates(r.build(FusionChoice.parse(baseline), 1000).graph());
            assertTrue(rates.size() >= 4, baseline + ": " + rates);
            rates.forEach((p, v) -> assertEquals(0.01, v, 0.0, baseline + ": " + p));
        }
        Map<String, Double> pgm = rates(r.build(FusionChoice.parse("PGM"), 1000).graph());
        for (String p : new String[]{"fusionHead", "dense", "out"}) {
            pgm.entrySet().stream().filter(e -> e.getKey().startsWith(p + "/"))
                    .forEach(e -> assertEquals(3e-3, e.getValue(), 0.0, "PgM: " + e.getKey()));
        }
        assertTrue(pgm.values().stream().noneMatch(v -> v == 0.01), "PgM's graph has no baseline rate: " + pgm);

        MainJobOptions same = MainJobOptions.parse("--preset", "cpu", "--width", "8", "--lr", "2e-3");
        assertEquals(2e-3, same.getBaselineLearningRate(), "0 (the cpu preset's) = --lr");
        rates(runner(dir, same).build(FusionChoice.parse("MLP"), 1000).graph())
                .forEach((p, v) -> assertEquals(2e-3, v, 0.0, p));
        ModelRate swept = new ModelRate(o, 5e-4);
        assertEquals(5e-4, swept.getBaselineLearningRate(), "a sweep trains every fusion at the swept rate");
        assertEquals(5e-4, FusionChoice.parse("MLP").learningRate(swept));
        assertEquals(5e-4, FusionChoice.parse("PGM").learningRate(swept));
    }

    @Test
    void theMainJobRecordsEachRunsRateAndTheKeyIsChecked(@TempDir Path dir) throws Exception {
        Path data = ExperimentRunnerReproducibilityTest.tinyData(dir);
        Path out = dir.resolve("out");
        MainJob.run(MainJobOptions.parse(data.toString(), "--quick", "--fusions", "PGM,MLP", "--width", "8",
                "--batch", "16", "--target", "paired", "--baseline-lr", "0.02", "--out", out.toString()));
        JsonNode runs = new ObjectMapper().readTree(out.resolve(MainJob.RESULTS_JSON).toFile()).get("runs");
        assertEquals(2, runs.size());
        for (JsonNode run : runs) {
            Path model = Path.of(run.get("model").asText());
            double expected = run.get("fusion").asText().equals("MLP") ? 0.02 : 3e-3;
            assertEquals(expected, ((Number) org.dl4jpgm.examples.predict.SavedModel.read(model).training().get("lr"))
                    .doubleValue(), "the saved model's card records the rate it was trained with: " + run);
        }
        assertEquals(0.0, Presets.values(MainJobOptions.parse("--preset", "cpu").getTraining()).get("baselineLr"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--baseline-lr", "-1"));
        assertTrue(e.getMessage().contains("--baseline-lr") && e.getMessage().contains("-1"), e.getMessage());
        Path preset = dir.resolve("lr.json");
        Files.writeString(preset, "{\"baselineLr\": -0.5}");
        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--preset", preset.toString()));
        assertTrue(e.getMessage().contains("key 'baselineLr' expects a finite number >= 0, found -0.5"),
                e.getMessage());
    }
}

package org.dl4jpgm.examples.mainjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;
import org.dl4jpgm.examples.MainJob;
import org.dl4jpgm.examples.predict.Predict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job's validation selection: every run keeps the stage-2 epoch (and, with {@code --lr-sweep}, the learning
 * rate) that scores best on the selection split; the saved model is that one (its validation ACC is the recorded
 * score); the option rules.
 */
class MainJobSelectionTest {

    /** A tiny synthetic data set with train, valid and test splits (a vector and a masked sequence modality). */
    static Path data(Path dir) throws Exception {
        SyntheticConfig cfg = SyntheticConfig.builder().seed(5)
                .modality(SyntheticModality.builder("a").width(6).build())
                .modality(SyntheticModality.builder("b").width(4).sequence(4, 2).build())
                .uniClasses(2).pairedClasses(2).pairedModalities(0, 1).build();
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", 64);
        sizes.put("valid", 32);
        sizes.put("test", 32);
        SyntheticDatasetWriter.write(new SyntheticMultimodalGenerator(cfg), dir, "tiny", sizes);
        return dir;
    }

    @Test
    void eachRunKeepsTheRateAndEpochBestOnValidationAndSavesThatModel(@TempDir Path dir) throws Exception {
        Path data = data(dir.resolve("data"));
        Path out = dir.resolve("out");
        String table = MainJob.run(MainJobOptions.parse(data.toString(), "--quick", "--fusions", "PGM,MLP", "--seeds",
                "2", "--width", "8", "--batch", "32", "--stage2-epochs", "3", "--lr-sweep", "0.001,0.02", "--target",
                "paired", "--out", out.toString()));
        assertTrue(table.contains("Paired comparison: PgM ahead of each fusion") && table.contains("| MLP "), table);
        assertTrue(table.contains("Selection on the validation split"), table);
        JsonNode runs = new ObjectMapper().readTree(out.resolve(MainJob.RESULTS_JSON).toFile()).get("runs");
        assertEquals(4, runs.size());
        for (JsonNode run : runs) {
            assertTrue(Set.of(0.001, 0.02).contains(run.get("learningRate").asDouble()), run.toString());
            int epoch = run.get("selectedEpoch").asInt();
            assertTrue(epoch >= 1 && epoch <= 3, run.toString());
            Path model = Path.of(run.get("model").asText());
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = Predict.run(new PrintStream(printed, true, StandardCharsets.UTF_8), System.err,
                    data.toString(), "--model", model.toString(), "--split", "valid");
            assertEquals(0, status);
            String expected = String.format(Locale.ROOT, "ACC %.4f", run.get("validationScore").asDouble());
            assertTrue(printed.toString(StandardCharsets.UTF_8).contains(expected),
                    "the saved model of " + run + " on the validation split: " + printed);
            assertEquals(run.get("learningRate").asDouble(),
                    ((Number) org.dl4jpgm.examples.predict.SavedModel.read(model).training().get("lr")).doubleValue(),
                    "the saved model's card records the rate chosen");
        }
    }

    @Test
    void optionRules(@TempDir Path dir) {
        MainJobOptions d = MainJobOptions.parse();
        assertEquals("valid", d.selectionSplit(java.util.List.of("train", "valid", "test")));
        assertNull(d.selectionSplit(java.util.List.of("train", "test")), "the default on a data set without 'valid'");
        assertNull(MainJobOptions.parse("--checkpoint-dir", dir.toString())
                .selectionSplit(java.util.List.of("train", "valid", "test")), "checkpoints keep every epoch");
        assertNull(MainJobOptions.parse("--select-split", "none").selectionSplit(java.util.List.of("valid")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--select-split", "dev").selectionSplit(java.util.List.of("train", "test")));
        assertTrue(e.getMessage().contains("--select-split dev") && e.getMessage().contains("[train, test]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--lr-sweep", "1e-3,3e-3", "--select-split", "none"));
        assertTrue(e.getMessage().contains("--lr-sweep"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--checkpoint-dir", dir.toString(), "--select-split", "valid"));
        assertTrue(e.getMessage().contains("--select-split none"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--lr-sweep", "1e-3,-1"));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}

package org.dl4jpgm.examples.predict;

import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.examples.MainJob;
import org.dl4jpgm.examples.mainjob.MainJobOptions;
import org.dl4jpgm.examples.tasks.MsaMain;
import org.dl4jpgm.examples.tasks.MsaOptions;
import org.dl4jpgm.examples.tasks.TaskReport;
import org.dl4jpgm.examples.tasks.TaskRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train, save, predict: a saved model reloaded by {@link Predict} gives the metric its main printed. */
class PredictTest {

    /** A tiny two-modality set in the project's layout: modality a [6], modality b [4, 2]. */
    private static Path tiny(Path dir, int widthA) throws Exception {
        SyntheticConfig cfg = SyntheticConfig.builder().seed(7)
                .modality(SyntheticModality.builder("a").width(widthA).build())
                .modality(SyntheticModality.builder("b").width(4).sequence(4, 2).build())
                .uniClasses(2).pairedClasses(2).pairedModalities(0, 1).build();
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", 64);
        sizes.put("test", 32);
        SyntheticDatasetWriter.write(new SyntheticMultimodalGenerator(cfg), dir, "tiny", sizes);
        return dir;
    }

    record Outcome(int status, String out, String err) {
    }

    private static Outcome predict(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Predict.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        Outcome o = new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.print(o.out() + o.err());
        return o;
    }

    @Test
    void aSavedMainJobModelReloadedByPredictGivesThePrintedTestMetric(@TempDir Path dir) throws Exception {
        Path data = tiny(dir.resolve("data"), 6);
        Path out = dir.resolve("out");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            MainJob.run(MainJobOptions.parse(data.toString(), "--quick", "--fusions", "PGM", "--width", "8", "--batch",
                    "64", "--stage2-epochs", "1", "--target", "paired", "--out", out.toString()));
        } finally {
            System.setOut(stdout);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        Matcher m = Pattern.compile("\\[1/1 PgM seed 1000] ACC ([0-9.]+)  F1 ([0-9.]+)").matcher(text);
        assertTrue(m.find(), text);
        Path model = out.resolve(MainJob.MODELS).resolve("PgM-seed1000.zip");
        assertTrue(Files.isRegularFile(model), model.toString());

        Path csv = dir.resolve("predictions.csv");
        Outcome p = predict(data.toString(), "--model", model.toString(), "--out", csv.toString());
        assertEquals(0, p.status(), p.err());
        assertTrue(p.out().contains(String.format(Locale.ROOT, "32 examples: ACC %s  F1 %s", m.group(1), m.group(2))),
                "printed by MainJob: ACC " + m.group(1) + " F1 " + m.group(2) + "; by Predict:\n" + p.out());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("id,prediction,label", rows.get(0));
        assertEquals(33, rows.size(), "a header and one row per test example");

        SavedModel card = SavedModel.read(model);
        assertEquals("MainJob", card.command());
        assertEquals("paired", card.target());
        assertEquals(8, card.training().get("width"));
        JsonNode json = new ObjectMapper().readTree(out.resolve(MainJob.RESULTS_JSON).toFile());
        assertEquals(card.fingerprint(), json.get("datasetFingerprint").asText());
        assertEquals(Double.parseDouble(m.group(1)), json.get("runs").get(0).get("ACC").asDouble(), 1e-4);
        assertEquals(8, json.get("options").get("--width").asInt());
        assertTrue(json.has("gitCommit") && json.has("machine") && json.has("seeds"), json.toString());

        Path wider = tiny(dir.resolve("wider"), 5);
        Outcome bad = predict(wider.toString(), "--model", model.toString());
        assertEquals(2, bad.status(), bad.err());
        assertTrue(bad.err().startsWith("Predict: modality 'a': the model expects vectors of width 6 (per example [6]), "
                + "found vectors of width 5 (per example [5]) in " + wider), bad.err());
        Outcome none = predict(data.toString(), "--model", data.resolve("dataset.json").toString());
        assertEquals(2, none.status(), none.err());
        assertTrue(none.err().contains("expected a model saved by the mains"), none.err());
        Outcome notLayout = predict(dir.toString(), "--model", model.toString());
        assertEquals(2, notLayout.status(), notLayout.err());
        assertTrue(notLayout.err().startsWith("Predict: DATASET_DIR " + dir + ": expected a data set in the project's "
                + "layout (a dataset.json), found none (the model was trained by MainJob on such a folder)"),
                notLayout.err());
    }

    @Test
    void aTaskMainsModelPredictsItsExportWithTheTrainingStandardisation(@TempDir Path dir) throws Exception {
        Path mosi = SampleDatasets.writeMosi(dir.resolve("data"));
        Path out = dir.resolve("msa");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        TaskReport r = MsaMain.run(MsaOptions.parse(mosi.toString(), "--width", "8", "--stage2-epochs", "1", "--out",
                out.toString()), new PrintStream(sink, true, StandardCharsets.UTF_8));
        String mae = String.format(Locale.ROOT, "MAE %.4f", r.metric("MAE"));
        Outcome p = predict(out.resolve("layout").toString(), "--model", out.resolve(TaskRunner.MODEL_ZIP).toString());
        assertEquals(0, p.status(), p.err());
        assertTrue(p.out().contains(mae), mae + " in\n" + p.out());
        assertTrue(SavedModel.read(out.resolve(TaskRunner.MODEL_ZIP)).standardizer() != null);

        // the data folder as distributed (the MMSA pickle), exported again with the options the model was saved with
        Outcome raw = predict(mosi.toString(), "--model", out.resolve(TaskRunner.MODEL_ZIP).toString(), "--out",
                dir.resolve("raw.csv").toString());
        assertEquals(0, raw.status(), raw.err());
        assertTrue(raw.out().contains("is not in the project's layout; exporting it with MsaMain's options"), raw.out());
        assertTrue(raw.out().contains(mae), mae + " in\n" + raw.out());
        assertEquals(Files.readString(out.resolve("model-test-predictions.csv")),
                Files.readString(dir.resolve("raw.csv")), "the same predictions from the folder and its export");
    }
}

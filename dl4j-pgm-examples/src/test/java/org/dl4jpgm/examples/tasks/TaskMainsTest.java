package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.encoders.ModelFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task mains as a user runs them ({@link TaskRunner#run}: arguments in, printed text and exit status out) on the
 * sample data sets written in their real formats: the data folders stay byte-identical, every option is checked before
 * anything is exported, errors are one line with the right status, undefined metrics print as n/a with a reason, and
 * the results carry their provenance.
 */
class TaskMainsTest {

    @TempDir
    static Path data;

    private static Path mosi;
    private static Path meld;
    private static Path wikipedia;
    private static Path wikipediaMat;
    private static Path food101;

    @BeforeAll
    static void writeSamples() throws IOException {
        mosi = SampleDatasets.writeMosi(data);
        meld = SampleDatasets.writeMeld(data);
        wikipedia = SampleDatasets.writeWikipedia(data);
        wikipediaMat = SampleDatasets.writeWikipediaMat(data);
        food101 = SampleDatasets.writeFood101(data);
    }

    /** What one run printed and returned. */
    record Outcome(int status, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static <O extends TaskOptions> Outcome run(Function<String[], O> parse, TaskRunner.Task<O> task,
                                                       String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TaskRunner.run(args, parse, task, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Outcome o = new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.print(o.all());
        return o;
    }

    private static Outcome msa(String... args) {
        return run(MsaOptions::parse, MsaMain::run, args);
    }

    private static Outcome merc(String... args) {
        return run(MercOptions::parse, MercMain::run, args);
    }

    private static Outcome cr(String... args) {
        return run(CrossModalRetrievalOptions::parse, CrossModalRetrievalMain::run, args);
    }

    private static Outcome itc(String... args) {
        return run(ImageTextClassificationOptions::parse, ImageTextClassificationMain::run, args);
    }

    /** DATA_DIR, small and fast settings, {@code --out}, then {@code extra}. */
    private static String[] small(Path dataDir, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of(TaskTests.args(dataDir, out, 16)));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /** SHA-256 of every file under {@code dir}, by relative path. */
    private static Map<String, String> checksums(Path dir) throws Exception {
        Map<String, String> sums = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(f)) {
                sha.update(in.readAllBytes());
            }
            sums.put(dir.relativize(f).toString(), HexFormat.of().formatHex(sha.digest()));
        }
        return sums;
    }

    @Test
    void everyMainRunsOnItsSampleAndLeavesTheDataFolderByteIdentical(@TempDir Path out) throws Exception {
        Map<String, String> before = checksums(data);
        assertTrue(before.size() > 100, "the five sample folders: " + before.size() + " files");

        Outcome m = msa(small(mosi, out.resolve("msa")));
        assertEquals(0, m.status(), m.all());
        Outcome e = merc(small(meld, out.resolve("merc")));
        assertEquals(0, e.status(), e.all());
        Outcome r = cr(small(wikipedia, out.resolve("cr-raw"), "--image-features", "THUMBNAIL", "--text-features",
                "TRIGRAM"));
        assertEquals(0, r.status(), r.all());
        Outcome rm = cr(small(wikipediaMat, out.resolve("cr-mat")));
        assertEquals(0, rm.status(), rm.all());
        // 3 rows per class and the default 0.1 hold-out: one row of each class is 'valid'
        Outcome i = itc(small(food101, out.resolve("itc"), "--image-features", "THUMBNAIL", "--text-features",
                "TRIGRAM"));
        assertEquals(0, i.status(), i.all());
        assertTrue(i.out().contains("train 6, test 6 examples"), i.out());
        Outcome none = itc(small(food101, out.resolve("itc-0"), "--image-features", "THUMBNAIL", "--text-features",
                "TRIGRAM", "--validation-fraction", "0"));
        assertEquals(0, none.status(), none.all());
        assertTrue(none.out().contains("train 9, test 6 examples"), none.out());
        assertFalse(Files.exists(out.resolve("itc-0").resolve("layout").resolve("valid")), "0 = no valid split");

        assertEquals(before, checksums(data), "no file of a data folder was changed, added or removed");
    }

    @Test
    void missingFolderAndMissingFileAreNamedBeforeAnythingIsReadAndNothingIsCreated(@TempDir Path dir)
            throws Exception {
        Path nowhere = dir.resolve("no-such-folder");
        Outcome o = merc(small(nowhere, dir.resolve("out")));
        assertEquals(2, o.status());
        assertEquals("MercMain: DATA_DIR " + nowhere + ": expected a data folder, found nothing at that path\n", o.err());
        assertFalse(Files.exists(nowhere));

        Path broken = dir.resolve("MELD");
        SampleDatasets.writeMeld(dir);
        Files.delete(broken.resolve("train_sent_emo.csv"));
        Map<String, String> before = checksums(broken);
        o = merc(small(broken, dir.resolve("out")));
        assertEquals(2, o.status());
        assertTrue(o.err().contains("expected the file " + broken.resolve("train_sent_emo.csv") + ", found nothing at "
                + "that path"), o.err());
        assertEquals(before, checksums(broken), "the missing CSV is not created (DataVec's FileSplit would)");
        assertFalse(Files.exists(dir.resolve("out")), "nothing exported");
    }

    @Test
    void everyOptionIsCheckedAgainstTheTaskBeforeAnyExport(@TempDir Path dir) {
        Path out = dir.resolve("out");
        expectOptionError(msa(small(mosi, out, "--test-split", "dev")),
                "MsaMain: --test-split expects one of the splits the export writes [train, valid, test], found 'dev'");
        expectOptionError(merc(small(meld, out, "--fusion", "UNI:vision")),
                "MercMain: --fusion UNI:vision names modality 'vision', expected one of [text, audio]");
        expectOptionError(cr(small(wikipediaMat, out, "--fusion", "CONCAT")),
                "CrossModalRetrievalMain: --fusion CONCAT: retrieval ranks by PgM's per-modality features");
        expectOptionError(cr(small(wikipediaMat, out, "--test-split", "valid")),
                "--test-split expects one of the splits the export writes [train, test], found 'valid'");
        expectOptionError(itc(small(food101, out, "--validation-fraction", "0", "--test-split", "valid",
                "--image-features", "THUMBNAIL")), "[train, test], found 'valid'");
        expectOptionError(msa(small(mosi, mosi.resolve("out"))), "lies inside the data folder " + mosi);
        expectOptionError(itc(small(food101, out, "--cache", food101.resolve("cache").toString(), "--image-features",
                "THUMBNAIL")), "output folder " + food101.resolve("cache") + " lies inside the data folder");
        expectOptionError(msa(small(mosi, out, "--pickle", "unaligned_50.pkl")),
                "MsaMain: --pickle: expected the file " + mosi.resolve("unaligned_50.pkl"));
        String models = System.getProperty(ModelFiles.MODELS_DIR);
        System.setProperty(ModelFiles.MODELS_DIR, dir.resolve("no-models").toString());
        try {
            expectOptionError(itc(small(food101, out)), "--image-features MOBILENET_V2: expected the model file "
                    + dir.resolve("no-models").resolve("nsfwjs").resolve("mobilenet_v2").resolve("model.json"));
        } finally {
            if (models == null) {
                System.clearProperty(ModelFiles.MODELS_DIR);
            } else {
                System.setProperty(ModelFiles.MODELS_DIR, models);
            }
        }
        assertFalse(Files.exists(out), "no option error exported or extracted anything");
        assertFalse(Files.exists(mosi.resolve("out")));
        assertFalse(Files.exists(food101.resolve("cache")));
    }

    private static void expectOptionError(Outcome o, String message) {
        assertEquals(2, o.status(), o.all());
        assertTrue(o.err().contains(message), "expected '" + message + "' in\n" + o.err());
        assertEquals(1, o.err().lines().count(), "one line: " + o.err());
        assertEquals("", o.out());
    }

    @Test
    void aDataErrorIsOneLineWithStatus1AndTheStackTraceOnlyWithVerbose(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("MOSI");
        Files.createDirectories(folder);
        byte[] pickle = Files.readAllBytes(mosi.resolve("aligned_50.pkl"));
        Files.write(folder.resolve("aligned_50.pkl"), java.util.Arrays.copyOf(pickle, pickle.length / 2));
        Outcome o = msa(small(folder, dir.resolve("out")));
        assertEquals(1, o.status(), o.all());
        List<String> lines = o.err().lines().toList();
        assertEquals(2, lines.size(), o.err());
        assertTrue(lines.get(0).startsWith("MsaMain: " + folder.resolve("aligned_50.pkl")), lines.get(0));
        assertEquals("(--verbose prints the stack trace)", lines.get(1));
        assertFalse(o.err().contains("\tat "), o.err());

        Outcome v = msa(small(folder, dir.resolve("out"), "--verbose"));
        assertEquals(1, v.status());
        assertTrue(v.err().startsWith(lines.get(0) + "\n"), v.err());
        assertTrue(v.err().contains("\tat org.dl4jpgm.datavec"), v.err());
    }

    @Test
    void undefinedMetricsPrintNotAvailableWithTheReasonAndNullInJson(@TempDir Path out) throws Exception {
        Outcome o = msa(small(mosi, out, "--max-test", "1"));
        assertEquals(0, o.status(), o.all());
        assertTrue(o.out().contains("Corr n/a: Pearson's r is undefined for fewer than 2 examples or constant "
                + "predictions or labels (N = 1)"), o.out());
        assertTrue(Pattern.compile("\\| PgM +\\|[^\\n]*\\| n/a +\\|").matcher(o.out()).find(), o.out());
        assertFalse(o.out().contains("NaN"), o.out());
        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(json.get("metrics").get("Corr").isNull(), json.toString());
        assertTrue(json.get("metrics").get("MAE").isNumber(), json.toString());
        boolean noted = false;
        for (JsonNode n : json.get("notes")) {
            noted |= n.asText().startsWith("Corr n/a: Pearson's r is undefined");
        }
        assertTrue(noted, json.toString());
    }

    @Test
    void resultsCarryCommandOptionsSeedAndAStableDatasetFingerprint(@TempDir Path out) throws Exception {
        Outcome a = merc(small(meld, out.resolve("a"), "--seed", "7"));
        Outcome b = merc(small(meld, out.resolve("b"), "--seed", "8", "--target", "sentiment"));
        assertEquals(0, a.status(), a.all());
        assertEquals(0, b.status(), b.all());
        String md = Files.readString(out.resolve("a").resolve("results.md"));
        assertTrue(md.contains("## Provenance"), md);
        assertTrue(md.contains("- command: `MercMain`"), md);
        assertTrue(md.contains("- seed: 7"), md);
        assertTrue(md.contains("| `--features` | {text=text_glove_average_emotion.pkl, "
                + "audio=audio_embeddings_feature_selection_emotion.pkl} |"), md);
        assertTrue(md.contains("| `--width` | 8 |"), md);
        assertTrue(md.contains("| `DATA_DIR` | " + meld + " |"), md);
        JsonNode ja = new ObjectMapper().readTree(out.resolve("a").resolve("results.json").toFile());
        JsonNode jb = new ObjectMapper().readTree(out.resolve("b").resolve("results.json").toFile());
        assertEquals(7, ja.get("seed").asInt());
        assertEquals("emotion", ja.get("options").get("--target").asText());
        assertTrue(ja.get("metrics").get("ACC").isNumber());
        String fingerprint = ja.get("datasetFingerprint").asText();
        assertTrue(fingerprint.matches("[0-9a-f]{64}"), fingerprint);
        assertTrue(md.contains(fingerprint));
        assertEquals(fingerprint, jb.get("datasetFingerprint").asText(), "same data, same export: same fingerprint");
        JsonNode sums = ja.get("datasetChecksums");
        assertEquals(ja.get("layoutFiles").asInt(), sums.size(), sums.toString());
        assertTrue(sums.get("dataset.json").asText().matches("[0-9a-f]{64}"), sums.toString());
        assertTrue(ja.get("options").has("--preset") && ja.get("options").get("--alpha").asDouble() == 0.5,
                ja.get("options").toString());
        assertTrue(a.out().contains("dataset fingerprint " + fingerprint), a.out());
    }

    @Test
    void aSkippedRecordIsReportedOnceAndBaselinesPrintNoObjectives(@TempDir Path dir) throws Exception {
        Path folder = SampleDatasets.writeMeld(dir);
        Path csv = folder.resolve("train_sent_emo.csv");
        String text = Files.readString(csv);
        int at = text.indexOf(",neutral,neutral,");
        Files.writeString(csv, text.substring(0, at) + ",elated,neutral," + text.substring(at + ",neutral,neutral,".length()));
        Outcome fail = merc(small(folder, dir.resolve("fail")));
        assertEquals(1, fail.status(), fail.all());
        assertTrue(fail.err().startsWith("MercMain: " + csv), fail.err());
        assertTrue(fail.err().contains("elated"), fail.err());

        Outcome o = merc(small(folder, dir.resolve("out"), "--bad-records", "SKIP", "--fusion", "CONCAT"));
        assertEquals(0, o.status(), o.all());
        assertTrue(o.out().contains("skipped 1 bad records (--bad-records SKIP):"), o.out());
        Matcher m = Pattern.compile("elated").matcher(o.all());
        int count = 0;
        while (m.find()) {
            count++;
        }
        assertEquals(1, count, "the bad row's reason once:\n" + o.all());
        assertFalse(o.out().contains("NaN"), o.out());
        assertFalse(o.out().contains("UFC"), "a baseline has no PgM objectives:\n" + o.out());
        assertTrue(o.out().contains("stage 2 epoch   1  task "), o.out());
    }

    /**
     * MELD's dialogue ids restart in every split; a pickle holding one dict for all splits would join dev and test
     * rows to train's features. It is refused, naming the key and both rows.
     */
    @Test
    void oneFeatureDictForAllSplitsIsRefused(@TempDir Path dir) throws Exception {
        Path folder = SampleDatasets.writeMeld(dir);
        Map<String, Object> one = new LinkedHashMap<>();
        for (int d = 0; d < 20; d++) {
            for (int u = 0; u < 3; u++) {
                one.put(d + "_" + u, new Pickle4Writer.Nd("f4", new long[]{SampleDatasets.MELD_DIMS[0]},
                        new float[SampleDatasets.MELD_DIMS[0]]));
            }
        }
        Pickle4Writer.write(folder.resolve("text_glove_average_emotion.pkl"), one);
        Outcome o = merc(small(folder, dir.resolve("out"), "--bad-records", "SKIP"));
        assertEquals(1, o.status(), o.all());
        assertTrue(o.err().contains(folder.resolve("dev_sent_emo.csv") + ", data row 1 (dia0_utt0)"), o.err());
        assertTrue(o.err().contains("already gave dia0_utt0 to train_sent_emo.csv data row 1"), o.err());
    }

    /**
     * MELD-style utterance vectors with openSMILE-like audio (scales 0.1 to 1e3, {@link UprVectorProbe#writeMeld}):
     * as read, UPR rises every epoch of stage 1 (the projected target's constant part grows); standardised with the
     * train split's statistics (the default), it falls.
     */
    @Test
    void uprFallsInStageOneOnUnnormalisedVectorsBecauseTheyAreStandardisedByDefault(@TempDir Path dir)
            throws Exception {
        Path folder = dir.resolve("MELD");
        UprVectorProbe.writeMeld(folder, false, new java.util.Random(11));
        String[] args = {folder.toString(), "--stage1-epochs", "3", "--stage2-epochs", "1", "--out",
                dir.resolve("out").toString()};
        Outcome standardised = merc(args);
        assertEquals(0, standardised.status(), standardised.all());
        assertTrue(standardised.out().contains("features standardised per dimension"), standardised.out());
        List<String> noArgs = new ArrayList<>(List.of(args));
        noArgs.addAll(List.of("--standardize", "no"));
        Outcome raw = merc(noArgs.toArray(new String[0]));
        assertEquals(0, raw.status(), raw.all());
        double[] s = stage1Upr(standardised.out());
        double[] r = stage1Upr(raw.out());
        assertEquals(3, s.length);
        assertTrue(s[2] < s[1] && s[1] < s[0], "standardised: UPR falls " + java.util.Arrays.toString(s));
        assertTrue(r[2] > r[1] && r[1] > r[0], "as read: UPR rises " + java.util.Arrays.toString(r));
    }

    private static double[] stage1Upr(String printed) {
        Matcher m = Pattern.compile("stage 1 epoch +\\d+ .*UPR ([0-9.]+)").matcher(printed);
        List<Double> v = new ArrayList<>();
        while (m.find()) {
            v.add(Double.parseDouble(m.group(1)));
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

package org.dl4jpgm.datavec.fuzz;

import org.datavec.api.split.FileSplit;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.food101.Food101RecordReader;
import org.dl4jpgm.datavec.food101.Food101Split;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutFixtures;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.meld.MeldCsvRecordReader;
import org.dl4jpgm.datavec.meld.MeldLabel;
import org.dl4jpgm.datavec.meld.UtteranceFeatures;
import org.dl4jpgm.datavec.mosi.ComputationalSequence;
import org.dl4jpgm.datavec.mosi.MmsaSplit;
import org.dl4jpgm.datavec.mosi.MosiCsdSequenceRecordReader;
import org.dl4jpgm.datavec.mosi.MosiExtra;
import org.dl4jpgm.datavec.mosi.MosiLayoutExport;
import org.dl4jpgm.datavec.mosi.MosiModality;
import org.dl4jpgm.datavec.mosi.MosiPickleSequenceRecordReader;
import org.dl4jpgm.datavec.testutil.CsdWriter;
import org.dl4jpgm.datavec.testutil.MosiFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.datavec.wikipedia.WikipediaLayoutExport;
import org.dl4jpgm.datavec.wikipedia.WikipediaMatRecordReader;
import org.dl4jpgm.datavec.wikipedia.WikipediaRecordReader;
import org.dl4jpgm.datavec.wikipedia.WikipediaSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of every format the readers parse. Each format starts from valid files written as the real producers
 * write them (the test fixtures), applies {@link Mutator}'s mutations to one file of the dataset and runs the real
 * reader (and, for some inputs, the layout export) on it. Every input must end in data (accepted) or in a
 * {@link DataFormatException} whose message names a file of the dataset; anything else (another exception, an
 * {@link OutOfMemoryError}, more than {@code dl4jpgm.fuzz.timeoutMs} for one input) is a failure, written to
 * {@code target/fuzz-failures/<format>-<seed>-<i>.bin} with its stack trace printed.
 *
 * <p>System properties: {@code dl4jpgm.fuzz.seconds} (total budget over all formats, default 120),
 * {@code dl4jpgm.fuzz.seed} (base seed; each format's seed is derived from it and printed),
 * {@code dl4jpgm.fuzz.formats} (comma-separated subset), {@code dl4jpgm.fuzz.input} (run only that input index, to
 * replay a failure), {@code dl4jpgm.fuzz.timeoutMs} (per input, default 2000), {@code dl4jpgm.fuzz.keep} (keep
 * every input under target/fuzz-failures, not only the failing ones).
 */
class ReaderFuzzTest {

    static final long DEFAULT_SEED = 0x5EED_2026L;

    @TempDir
    Path tmp;

    /** A dataset written by a fixture: the files that may be mutated and the real read of the whole dataset. */
    interface Variant {
        List<Path> files();

        void read(Path mutated, int input) throws Exception;
    }

    /** A fuzzed format: its mutation kind and the fixture variants it starts from. */
    interface Format {
        String name();

        Mutator.Kind kind();

        List<Variant> setup(Path dir) throws Exception;
    }

    static final class Outcome {
        long tried;
        long accepted;
        long rejected;
        final List<String> failures = new ArrayList<>();
        final Map<String, Integer> signatures = new LinkedHashMap<>();
    }

    /** Exception type and the first frame in the readers: failures with the same signature are one defect. */
    static String signature(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("org.dl4jpgm.datavec") && !e.getClassName().contains(".fuzz.")) {
                return t.getClass().getName() + " at " + e;
            }
        }
        return t.getClass().getName() + (t.getStackTrace().length > 0 ? " at " + t.getStackTrace()[0] : "");
    }

    static Path failureFile(String format, long seed, int i) throws IOException {
        return Files.createDirectories(Path.of("target", "fuzz-failures")).resolve(format + "-" + seed + "-" + i
                + ".bin");
    }

    @Test
    void mutatedInputsEndInDataOrADataFormatExceptionNamingTheFile() throws Exception {
        double seconds = Double.parseDouble(System.getProperty("dl4jpgm.fuzz.seconds", "120"));
        long baseSeed = Long.decode(System.getProperty("dl4jpgm.fuzz.seed", String.valueOf(DEFAULT_SEED)));
        long timeoutMs = Long.parseLong(System.getProperty("dl4jpgm.fuzz.timeoutMs", "2000"));
        String only = System.getProperty("dl4jpgm.fuzz.formats", "");
        String input = System.getProperty("dl4jpgm.fuzz.input", "");
        List<Format> formats = new ArrayList<>();
        for (Format f : formats()) {
            if (only.isEmpty() || List.of(only.split(",")).contains(f.name())) {
                formats.add(f);
            }
        }
        double perFormat = seconds / Math.max(1, formats.size());
        List<String> failures = new ArrayList<>();
        StringBuilder summary = new StringBuilder();
        long start = System.nanoTime();
        for (Format f : formats) {
            long seed = baseSeed ^ (f.name().hashCode() * 0x9E3779B97F4A7C15L);
            Outcome o = fuzz(f, seed, perFormat, timeoutMs, input.isEmpty() ? -1 : Integer.parseInt(input));
            String line = String.format(Locale.ROOT, "fuzz %-15s seed %d: %d inputs, %d accepted, %d rejected with "
                            + "DataFormatException, %d failures", f.name(), seed, o.tried, o.accepted, o.rejected,
                    o.failures.size());
            System.out.println(line);
            summary.append(line).append('\n');
            o.signatures.forEach((sig, n) -> System.out.println("fuzz   " + n + " x " + sig));
            failures.addAll(o.failures);
        }
        String total = String.format(Locale.ROOT, "fuzz total: %.1f s", (System.nanoTime() - start) / 1e9);
        System.out.println(total);
        summary.append(total).append('\n');
        Path out = Path.of("target");
        if (Files.isDirectory(out)) {
            Files.writeString(out.resolve("fuzz-summary.txt"), summary);
        }
        assertTrue(failures.isEmpty(), failures.size() + " fuzz failures:\n" + String.join("\n", failures));
    }

    private Outcome fuzz(Format f, long seed, double seconds, long timeoutMs, int onlyInput) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(f.name()));
        List<Variant> variants = f.setup(dir);
        Map<Path, byte[]> originals = new LinkedHashMap<>();
        for (Variant v : variants) {
            for (Path p : v.files()) {
                originals.put(p, Files.readAllBytes(p));
            }
            v.read(v.files().get(0), -1); // the valid input is read (and the libraries warmed up) untimed
        }
        Outcome o = new Outcome();
        boolean keep = Boolean.getBoolean("dl4jpgm.fuzz.keep"); // keep every input (to save a replayed one)
        ExecutorService ex = executor();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        try {
            for (int i = onlyInput < 0 ? 0 : onlyInput; onlyInput < 0 ? System.nanoTime() < deadline : i == onlyInput;
                 i++) {
                Random r = new Random(seed * 1_000_003L + i);
                Variant v = variants.get(r.nextInt(variants.size()));
                Path target = v.files().get(r.nextInt(v.files().size()));
                byte[] valid = originals.get(target);
                byte[] mutated = Mutator.mutate(valid, f.kind(), r);
                Files.write(target, mutated);
                // written before the read so that an input that kills the JVM (a native abort) is left behind
                Path inFlight = failureFile(f.name(), seed, i);
                Files.write(inFlight, mutated);
                final int index = i;
                Future<?> fu = ex.submit(() -> {
                    v.read(target, index);
                    return null;
                });
                o.tried++;
                long t0 = System.nanoTime();
                Throwable failure = null;
                try {
                    fu.get(timeoutMs, TimeUnit.MILLISECONDS);
                    o.accepted++;
                } catch (TimeoutException e) {
                    fu.cancel(true);
                    ex.shutdownNow();
                    ex = executor();
                    failure = new AssertionError("no result within " + timeoutMs + " ms (a hang?)");
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof DataFormatException && c.getMessage() != null
                            && c.getMessage().contains(dir.toString())) {
                        o.rejected++;
                        if (onlyInput >= 0) {
                            System.out.println("fuzz replay message: " + c.getMessage());
                        }
                    } else {
                        failure = c;
                    }
                }
                if (onlyInput >= 0) {
                    System.out.printf(Locale.ROOT, "fuzz replay %s input %d (%s): %.0f ms, %s%n", f.name(), i,
                            target.getFileName(), (System.nanoTime() - t0) / 1e6, failure != null ? failure
                                    : o.rejected > 0 ? "rejected" : "accepted");
                }
                if (failure != null) {
                    String sig = signature(failure);
                    int seen = o.signatures.merge(sig, 1, Integer::sum);
                    o.failures.add(record(f.name(), seed, i, target, inFlight, failure, seen == 1));
                    if (seen > 3 && !keep) {
                        Files.delete(inFlight); // the first three inputs of each kind of failure are kept
                    }
                } else if (!keep) {
                    Files.delete(inFlight);
                }
                Files.write(target, valid);
                cleanOutputs(dir);
            }
        } finally {
            ex.shutdownNow();
        }
        return o;
    }

    private static ExecutorService executor() {
        return Executors.newSingleThreadExecutor(run -> {
            Thread t = new Thread(run, "reader-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    /** Prints the failure (the stack trace for the first of its signature); returns a one-line summary. */
    private static String record(String format, long seed, int i, Path target, Path file, Throwable t, boolean first) {
        String head = format + " seed " + seed + " input " + i + " (" + target.getFileName() + " -> " + file + "): "
                + t;
        if (first) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            System.out.println("FUZZ FAILURE " + head + "\n" + sw);
        } else {
            System.out.println("FUZZ FAILURE " + head);
        }
        return head;
    }

    /** Removes what an export wrote (folders named out*) so that the next input starts clean. */
    private static void cleanOutputs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("out")).toList()) {
                try (Stream<Path> w = Files.walk(p)) {
                    for (Path q : w.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            }
        }
    }

    // ---- the formats -----------------------------------------------------------------------------------------

    static Format format(String name, Mutator.Kind kind, Setup setup) {
        return new Format() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Mutator.Kind kind() {
                return kind;
            }

            @Override
            public List<Variant> setup(Path dir) throws Exception {
                return setup.setup(dir);
            }
        };
    }

    interface Setup {
        List<Variant> setup(Path dir) throws Exception;
    }

    interface Read {
        void read(Path mutated, int input) throws Exception;
    }

    static Variant variant(List<Path> files, Read read) {
        return new Variant() {
            @Override
            public List<Path> files() {
                return files;
            }

            @Override
            public void read(Path mutated, int input) throws Exception {
                read.read(mutated, input);
            }
        };
    }

    /** Walks every record (and sequence, for sequence readers) the reader serves. */
    static void drain(IndexedRecordReader r, boolean sequences) {
        while (r.hasNext()) {
            if (sequences) {
                r.sequenceRecord();
            } else {
                r.next();
            }
        }
    }

    static List<Format> formats() {
        List<Format> all = new ArrayList<>();
        all.add(format("mmsa-pickle", Mutator.Kind.PICKLE, ReaderFuzzTest::mmsaPickles));
        all.add(format("meld-pickle", Mutator.Kind.PICKLE, ReaderFuzzTest::meldPickles));
        all.add(format("csd", Mutator.Kind.HDF5, ReaderFuzzTest::csd));
        all.add(format("meld-csv", Mutator.Kind.CSV, ReaderFuzzTest::meldCsv));
        all.add(format("food101-csv", Mutator.Kind.CSV, ReaderFuzzTest::food101Csv));
        all.add(format("labels-csv", Mutator.Kind.CSV, dir -> layout(dir, "train/labels.csv", "train/match.csv")));
        all.add(format("npy", Mutator.Kind.NPY, dir -> layout(dir, "train/image.npy", "train/audio_feats.npy",
                "train/audio_lengths.npy")));
        all.add(format("dataset-json", Mutator.Kind.JSON, dir -> layout(dir, DatasetDescriptor.FILE_NAME)));
        all.add(format("wikipedia-mat", Mutator.Kind.MAT, ReaderFuzzTest::wikipediaMat));
        all.add(format("wikipedia-xml", Mutator.Kind.XML, ReaderFuzzTest::wikipediaXml));
        all.add(format("wikipedia-list", Mutator.Kind.LIST, ReaderFuzzTest::wikipediaList));
        return all;
    }

    static List<Variant> mmsaPickles(Path dir) throws Exception {
        double[] labels = {-2.5, 0.0, 1.2};
        Path aligned = SampleDatasets.writeMosiPickle(dir.resolve("aligned_50.pkl"), new int[]{3, 2, 2}, 3,
                new int[]{4, 2, 3}, true, 5);
        Path unaligned = SampleDatasets.writeMosiPickle(dir.resolve("unaligned_50.pkl"), new int[]{3, 2, 2}, 3,
                new int[]{4, 2, 3}, false, 5);
        Path bert = dir.resolve("aligned_bert.pkl");
        Pickle4Writer.write(bert, MosiFixtures.file(MosiFixtures.alignedSplit("", labels, new long[]{3, 1, 2})));
        Path p5 = dir.resolve("unaligned_p5.pkl");
        Pickle4Writer.write5(p5, MosiFixtures.file(MosiFixtures.split("", labels, new long[]{1, 3, 2})), true);
        List<Variant> out = new ArrayList<>();
        for (Path p : List.of(aligned, unaligned, bert, p5)) {
            out.add(variant(List.of(p), (f, i) -> mmsa(f, i, dir)));
        }
        return out;
    }

    /** The pickle reader over one split and modality (extras on some inputs), or every fifth input the export. */
    static void mmsa(Path pkl, int input, Path dir) throws Exception {
        int k = Math.max(0, input);
        if (k % 5 == 4) {
            MosiLayoutExport.fromPickle(pkl, dir.resolve("out-" + k), BadRecordPolicy.SKIP);
            return;
        }
        MosiPickleSequenceRecordReader.Builder b = new MosiPickleSequenceRecordReader.Builder()
                .split(MmsaSplit.values()[k % 3]).modality(MosiModality.values()[(k / 3) % 3])
                .badRecordPolicy(k % 2 == 0 ? BadRecordPolicy.FAIL : BadRecordPolicy.SKIP);
        if (k % 7 == 3) {
            b.extras(MosiExtra.RAW_TEXT);
        }
        MosiPickleSequenceRecordReader r = b.build();
        r.initialize(new FileSplit(pkl.toFile()));
        drain(r, true);
        r.reset();
        drain(r, false);
    }

    static List<Variant> meldPickles(Path dir) throws Exception {
        Path meld = SampleDatasets.writeMeld(dir.resolve("MELD"), new int[]{1, 1, 1}, 4, 3, 3);
        Path text = meld.resolve("text_glove_average_emotion.pkl");
        Path audio = meld.resolve("audio_embeddings_feature_selection_emotion.pkl");
        return List.of(variant(List.of(text, audio), (f, i) -> {
            List<UtteranceFeatures> parts = UtteranceFeatures.readParts(f);
            if (i % 2 == 0) {
                return;
            }
            UtteranceFeatures feats = parts.get(0);
            MeldCsvRecordReader r = new MeldCsvRecordReader.Builder().features(feats)
                    .badRecordPolicy(BadRecordPolicy.SKIP).build();
            r.initialize(new FileSplit(meld.resolve("train_sent_emo.csv").toFile()));
            drain(r, false);
        }));
    }

    static List<Variant> meldCsv(Path dir) throws Exception {
        Path meld = SampleDatasets.writeMeld(dir.resolve("MELD"), new int[]{2, 1, 1}, 4, 3, 3);
        List<Path> csvs = List.of(meld.resolve("train_sent_emo.csv"), meld.resolve("dev_sent_emo.csv"));
        return List.of(variant(csvs, (f, i) -> {
            MeldCsvRecordReader r = new MeldCsvRecordReader.Builder()
                    .label(i % 2 == 0 ? MeldLabel.EMOTION : MeldLabel.SENTIMENT)
                    .badRecordPolicy(i % 3 == 0 ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL).build();
            r.initialize(new FileSplit(f.toFile()));
            drain(r, false);
        }));
    }

    static List<Variant> food101Csv(Path dir) throws Exception {
        Path root = SampleDatasets.writeFood101(dir.resolve("UPMC_Food101"), 3, 1);
        List<Path> csvs = List.of(root.resolve("texts/train_titles.csv"), root.resolve("texts/test_titles.csv"));
        return List.of(variant(csvs, (f, i) -> {
            int k = Math.max(0, i);
            Food101RecordReader r = new Food101RecordReader.Builder()
                    .split(f.getFileName().toString().startsWith("test") ? Food101Split.TEST
                            : k % 2 == 0 ? Food101Split.TRAIN : Food101Split.VALIDATION)
                    .validationFraction(0.34).seed(k)
                    .badRecordPolicy(k % 3 == 0 ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL).build();
            r.initialize(new FileSplit(root.toFile()));
            drain(r, false);
        }));
    }

    static List<Variant> layout(Path dir, String... files) throws Exception {
        Path root = LayoutFixtures.write(dir.resolve("ds"));
        List<Path> paths = new ArrayList<>();
        for (String f : files) {
            paths.add(root.resolve(f));
        }
        return List.of(variant(paths, (f, i) -> {
            LayoutReader r = new LayoutReader(root);
            for (String split : r.descriptor().getSplits()) {
                if (i % 2 == 0) {
                    r.readSplit(split);
                } else {
                    LayoutMultiDataSetIterator it = r.iterator(split, LayoutIteratorOptions.defaults());
                    while (it.hasNext()) {
                        it.next();
                    }
                }
            }
        }));
    }

    static List<Variant> csd(Path dir) throws Exception {
        String labels = "CMU_MOSI_Opinion_Labels.csd";
        String covarep = "CMU_MOSI_COVAREP.csd";
        String words = "CMU_MOSI_TimestampedWords.csd";
        Map<String, CsdWriter.Video> lab = new LinkedHashMap<>();
        lab.put("vidA", new CsdWriter.Video(new double[][]{{1.5}, {-2.0}}, new double[][]{{0, 1}, {1, 2.5}}));
        lab.put("vidB", new CsdWriter.Video(new double[][]{{0.5}}, new double[][]{{0.5, 0.9}}));
        CsdWriter.write(dir.resolve(labels), "CMU_MOSI_Opinion_Labels", lab,
                Map.of("root name", "\"CMU_MOSI_Opinion_Labels\"", "dimension names", "[\"sentiment\"]"), false);
        Map<String, CsdWriter.Video> cov = new LinkedHashMap<>();
        cov.put("vidA", new CsdWriter.Video(new double[][]{{0, 0.1}, {1, 1.1}, {2, 2.1}, {3, 3.1}},
                new double[][]{{0, 0.4}, {0.4, 0.8}, {0.8, 1.2}, {1.2, 2.4}}));
        cov.put("vidB", new CsdWriter.Video(new double[][]{{10, 10.1}, {11, 11.1}},
                new double[][]{{0.0, 0.6}, {0.6, 0.7}}));
        CsdWriter.write(dir.resolve(covarep), "CMU_MOSI_COVAREP", cov, Map.of("root name", "\"CMU_MOSI_COVAREP\""),
                false);
        Map<String, CsdWriter.Video> w = new LinkedHashMap<>();
        w.put("vidA", new CsdWriter.Video(new String[][]{{"i"}, {"sp"}, {"caf\u00e9"}},
                new double[][]{{0, 0.3}, {0.3, 0.9}, {1.1, 1.5}}));
        w.put("vidB", new CsdWriter.Video(new String[][]{{"no"}}, new double[][]{{0.5, 0.9}}));
        CsdWriter.writeAsH5py(dir.resolve(words), "CMU_MOSI_TimestampedWords", w, Map.of("root name", "\"words\""));
        List<Path> files = List.of(dir.resolve(covarep), dir.resolve(labels), dir.resolve(words));
        return List.of(variant(files, (f, i) -> {
            if (i % 3 == 2) {
                ComputationalSequence.read(f);
                return;
            }
            String features = f.getFileName().toString().equals(labels) ? covarep : f.getFileName().toString();
            MosiCsdSequenceRecordReader r = new MosiCsdSequenceRecordReader.Builder().featureFile(features)
                    .badRecordPolicy(i % 2 == 0 ? BadRecordPolicy.FAIL : BadRecordPolicy.SKIP).build();
            r.initialize(new FileSplit(dir.toFile()));
            drain(r, true);
        }));
    }

    static List<Variant> wikipediaMat(Path dir) throws Exception {
        Path mat = SampleDatasets.writeWikipediaMatFile(dir, 1, 1);
        return List.of(variant(List.of(mat), (f, i) -> {
            int k = Math.max(0, i);
            if (k % 5 == 4) {
                WikipediaLayoutExport.fromMat(f, dir.resolve("out-" + k), BadRecordPolicy.SKIP);
                return;
            }
            WikipediaMatRecordReader r = new WikipediaMatRecordReader.Builder()
                    .split(k % 2 == 0 ? WikipediaSplit.TRAIN : WikipediaSplit.TEST).float64(k % 3 == 0)
                    .badRecordPolicy(k % 4 == 1 ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL).build();
            r.initialize(new FileSplit(f.toFile()));
            drain(r, false);
        }));
    }

    static List<Variant> wikipediaXml(Path dir) throws Exception {
        Path root = SampleDatasets.writeWikipediaRaw(dir.resolve("wikipedia"), 1, 1, 7);
        List<Path> xmls = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("trainset_txt_img_cat.list"), StandardCharsets.UTF_8)) {
            if (xmls.size() < 3) {
                xmls.add(root.resolve("texts").resolve(line.split("\t")[0] + ".xml"));
            }
        }
        return List.of(variant(xmls, (f, i) -> wikipediaRaw(root, WikipediaSplit.TRAIN, i)));
    }

    static List<Variant> wikipediaList(Path dir) throws Exception {
        Path root = SampleDatasets.writeWikipediaRaw(dir.resolve("wikipedia"), 1, 1, 7);
        List<Path> lists = List.of(root.resolve("trainset_txt_img_cat.list"), root.resolve("testset_txt_img_cat.list"));
        return List.of(variant(lists, (f, i) -> wikipediaRaw(root,
                f.getFileName().toString().startsWith("test") ? WikipediaSplit.TEST : WikipediaSplit.TRAIN, i)));
    }

    static void wikipediaRaw(Path root, WikipediaSplit split, int i) throws Exception {
        WikipediaRecordReader r = new WikipediaRecordReader.Builder().split(split)
                .badRecordPolicy(i % 2 == 0 ? BadRecordPolicy.FAIL : BadRecordPolicy.SKIP).build();
        r.initialize(new FileSplit(root.toFile()));
        drain(r, false);
    }
}

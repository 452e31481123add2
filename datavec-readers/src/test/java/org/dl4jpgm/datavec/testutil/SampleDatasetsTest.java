package org.dl4jpgm.datavec.testutil;

import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.food101.Food101RecordReader;
import org.dl4jpgm.datavec.food101.Food101Split;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.meld.MeldLabel;
import org.dl4jpgm.datavec.meld.MeldLayoutExport;
import org.dl4jpgm.datavec.meld.UtteranceFeatures;
import org.dl4jpgm.datavec.mosi.MosiLayoutExport;
import org.dl4jpgm.datavec.wikipedia.WikipediaCategories;
import org.dl4jpgm.datavec.wikipedia.WikipediaLayoutExport;
import org.dl4jpgm.datavec.wikipedia.WikipediaRecordReader;
import org.dl4jpgm.datavec.wikipedia.WikipediaSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sample datasets are read back by the project's readers and exporters, with the sizes promised, reproducibly. */
class SampleDatasetsTest {

    @TempDir
    Path dir;

    @Test
    void mosiPickleExportsWithItsSplitSizesAndLabels() throws Exception {
        Path folder = SampleDatasets.writeMosi(dir);
        assertEquals(dir.resolve("MOSI/Processed"), folder);
        assertEquals(0, MosiLayoutExport.fromPickle(folder.resolve("aligned_50.pkl"), dir.resolve("layout"),
                BadRecordPolicy.FAIL).count());
        LayoutReader r = new LayoutReader(dir.resolve("layout"));
        String[] splits = {"train", "valid", "test"};
        for (int s = 0; s < 3; s++) {
            SplitData d = r.readSplit(splits[s]);
            assertEquals(SampleDatasets.MOSI_SIZES[s], d.size(), splits[s]);
            String[] modalities = {"text", "audio", "vision"};
            for (int m = 0; m < 3; m++) {
                long[] shape = d.features(modalities[m]).shape();
                assertEquals(List.of((long) SampleDatasets.MOSI_SIZES[s], (long) SampleDatasets.MOSI_STEPS,
                        (long) SampleDatasets.MOSI_DIMS[m]), List.of(shape[0], shape[1], shape[2]), modalities[m]);
            }
            int zeros = 0;
            for (String l : d.labels("label")) {
                double y = Double.parseDouble(l);
                assertTrue(y >= -3 && y <= 3, l);
                zeros += y == 0 ? 1 : 0;
            }
            assertTrue(zeros >= 1, "some labels exactly 0 in " + splits[s]);
        }
    }

    @Test
    void meldCsvsAndBaselinePicklesExportPerSplitWithEveryEmotion() throws Exception {
        Path folder = SampleDatasets.writeMeld(dir);
        Map<String, List<UtteranceFeatures>> features = new HashMap<>();
        features.put("text", UtteranceFeatures.readParts(folder.resolve("text_glove_average_emotion.pkl")));
        features.put("audio", UtteranceFeatures.readParts(
                folder.resolve("audio_embeddings_feature_selection_emotion.pkl")));
        assertEquals(3, features.get("text").size(), "a (train, dev, test) tuple");
        assertEquals(0, MeldLayoutExport.exportPerSplit(folder, features, dir.resolve("layout"), BadRecordPolicy.FAIL)
                .count());
        LayoutReader r = new LayoutReader(dir.resolve("layout"));
        String[] splits = {"train", "valid", "test"};
        for (int s = 0; s < 3; s++) {
            SplitData d = r.readSplit(splits[s]);
            assertEquals(7 * SampleDatasets.MELD_PER_CLASS[s], d.size(), splits[s]);
            assertEquals(Set.copyOf(MeldLabel.EMOTION.classes()), new HashSet<>(d.labels("label")), splits[s]);
            assertEquals(SampleDatasets.MELD_DIMS[0], d.features("text").size(1));
            assertEquals(SampleDatasets.MELD_DIMS[1], d.features("audio").size(1));
        }
    }

    @Test
    void wikipediaRawDistributionIsReadWithEveryCategory() throws Exception {
        Path folder = SampleDatasets.writeWikipedia(dir);
        int[] perClass = SampleDatasets.WIKIPEDIA_PER_CLASS;
        WikipediaSplit[] splits = {WikipediaSplit.TRAIN, WikipediaSplit.TEST};
        for (int s = 0; s < 2; s++) {
            WikipediaRecordReader r = new WikipediaRecordReader.Builder().split(splits[s]).build();
            r.initialize(new FileSplit(folder.toFile()));
            assertEquals(WikipediaCategories.DEFAULT, r.getLabels());
            int[] count = new int[10];
            while (r.hasNext()) {
                List<Writable> rec = r.next();
                count[rec.get(WikipediaRecordReader.COLUMN_LABEL).toInt()]++;
                String text = rec.get(WikipediaRecordReader.COLUMN_TEXT).toString();
                assertTrue(text.contains("Fran\u00e7ois & co."), text);
                assertTrue(Files.isRegularFile(Path.of(rec.get(WikipediaRecordReader.COLUMN_IMAGE).toString())));
            }
            for (int c = 0; c < 10; c++) {
                assertEquals(perClass[s], count[c], splits[s] + " category " + c);
            }
        }
    }

    @Test
    void wikipediaMatExportsBothSplits() throws Exception {
        Path folder = SampleDatasets.writeWikipediaMat(dir);
        assertEquals(0, WikipediaLayoutExport.fromMat(folder.resolve("wikipedia.mat"), dir.resolve("layout"),
                BadRecordPolicy.FAIL).count());
        LayoutReader r = new LayoutReader(dir.resolve("layout"));
        int[] perClass = SampleDatasets.WIKIPEDIA_MAT_PER_CLASS;
        SplitData train = r.readSplit("train");
        SplitData test = r.readSplit("test");
        assertEquals(10 * perClass[0], train.size());
        assertEquals(10 * perClass[1], test.size());
        assertEquals(SampleDatasets.WIKIPEDIA_MAT_DIMS[0], train.features("image").size(1));
        assertEquals(SampleDatasets.WIKIPEDIA_MAT_DIMS[1], train.features("text").size(1));
        assertEquals(Set.copyOf(WikipediaCategories.DEFAULT), new HashSet<>(test.labels("label")));
    }

    /** 3 rows per class: the default 0.1 hold-out takes one of each (plain rounding would take none). */
    @Test
    void food101HoldsOutOneRowPerClassAtTheDefaultValidationFraction() throws Exception {
        Path folder = SampleDatasets.writeFood101(dir);
        assertEquals(dir.resolve("UPMC_Food101"), folder);
        int classes = SampleDatasets.FOOD101_CLASSES.size();
        int[] perClass = SampleDatasets.FOOD101_PER_CLASS;
        assertEquals(3, classes);
        assertEquals(3, perClass[0]);
        assertEquals(classes * (perClass[0] - 1), count(folder, Food101Split.TRAIN, 0.1));
        assertEquals(classes, count(folder, Food101Split.VALIDATION, 0.1), "round(0.1 * 3) = 0, raised to 1");
        assertEquals(classes * perClass[0], count(folder, Food101Split.TRAIN, 0));
        assertEquals(classes * perClass[1], count(folder, Food101Split.TEST, 0.1));
        Food101RecordReader r = new Food101RecordReader.Builder().split(Food101Split.TEST).build();
        r.initialize(new FileSplit(folder.toFile()));
        assertEquals(SampleDatasets.FOOD101_CLASSES, r.getLabels());
    }

    private static int count(Path folder, Food101Split split, double fraction) throws Exception {
        Food101RecordReader r = new Food101RecordReader.Builder().split(split).validationFraction(fraction).build();
        r.initialize(new FileSplit(folder.toFile()));
        int n = 0;
        while (r.hasNext()) {
            r.next();
            n++;
        }
        return n;
    }

    @Test
    void twoRunsWriteByteIdenticalFilesAndMainPrintsOneLinePerFolder() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        PrintStream old = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            SampleDatasets.main(new String[]{a.toString()});
        } finally {
            System.setOut(old);
        }
        SampleDatasets.writeAll(b);
        Map<String, String> ha = hashes(a);
        Map<String, String> hb = hashes(b);
        assertEquals(ha, hb);
        assertTrue(ha.containsKey("MOSI/Processed/aligned_50.pkl"), ha.keySet().toString());
        assertTrue(ha.containsKey("wikipedia-mat/wikipedia.mat"), ha.keySet().toString());

        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> expected = new ArrayList<>();
        for (String f : new String[]{"MOSI/Processed", "MELD", "wikipedia", "wikipedia-mat", "UPMC_Food101"}) {
            Path p = a.resolve(f);
            expected.add("wrote " + p + " (" + SampleDatasets.fileCount(p) + " files)");
        }
        assertEquals(expected, lines);
        assertEquals("wrote " + a.resolve("MELD") + " (5 files)", lines.get(1));
    }

    /** Relative path (with '/') &rarr; sha256 of every file under {@code root}. */
    private static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> h = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                StringBuilder hex = new StringBuilder();
                for (byte x : d) {
                    hex.append(String.format("%02x", x));
                }
                h.put(root.relativize(p).toString().replace('\\', '/'), hex.toString());
            }
        }
        return h;
    }
}

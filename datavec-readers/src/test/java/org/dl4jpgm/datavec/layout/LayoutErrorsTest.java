package org.dl4jpgm.datavec.layout;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every malformed dataset gives a DatasetFormatException naming file, place, expected and found. */
class LayoutErrorsTest {

    @TempDir
    Path tmp;
    Path root;
    Path train;

    @BeforeEach
    void writeValidDataset() throws Exception {
        root = LayoutFixtures.write(tmp.resolve("ds"));
        train = root.resolve("train");
    }

    private DatasetFormatException readFails() {
        return assertThrows(DatasetFormatException.class, () -> new LayoutReader(root).readSplit("train"));
    }

    private static void assertMessage(DatasetFormatException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message \"" + e.getMessage() + "\" lacks \"" + p + "\"");
        }
    }

    @Test
    void bytesThatAreNotUtf8NameFileLineAndByteOffset() throws Exception {
        Path labels = train.resolve("labels.csv");
        byte[] csv = Files.readAllBytes(labels);
        String text = new String(csv, StandardCharsets.UTF_8);
        int secondLine = text.indexOf('\n') + 1;
        int thirdLine = text.indexOf('\n', secondLine) + 1;
        csv[thirdLine] = (byte) 0xE9; // a Latin-1 id on line 3
        Files.write(labels, csv);
        DatasetFormatException e = readFails();
        assertEquals(labels + ":3: expected UTF-8 text, found at byte offset " + thirdLine
                + " the byte 0xE9, which is not valid UTF-8 there", e.getMessage());
        assertEquals(3, e.getLine());

        Path json = root.resolve("dataset.json");
        byte[] d = (LayoutFixtures.descriptor().toJson().replace("\"name\" : \"", "\"name\" : \"caf\u00e9 "))
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(json, d);
        int at = new String(d, StandardCharsets.ISO_8859_1).indexOf('\u00e9');
        long line = new String(d, 0, at, StandardCharsets.ISO_8859_1).chars().filter(c -> c == '\n').count() + 1;
        e = assertThrows(DatasetFormatException.class, () -> new LayoutReader(root));
        assertEquals(json + ":" + line + ": expected UTF-8 text, found at byte offset " + at
                + " the byte 0xE9, which is not valid UTF-8 there", e.getMessage());
    }

    @Test
    void missingDescriptor() throws Exception {
        Files.delete(root.resolve("dataset.json"));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> new LayoutReader(root));
        assertMessage(e, "dataset.json", "no such file");
    }

    @Test
    void invalidDescriptorNamesFieldAndValue() throws Exception {
        Files.writeString(root.resolve("dataset.json"), LayoutFixtures.descriptor().toJson().replace("\"regression\"", "\"ranking\""));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> new LayoutReader(root));
        assertMessage(e, "dataset.json", "ranking", "classification");
        Files.writeString(root.resolve("dataset.json"), "{\"name\":\"x\",\"task\":\"classification\",\"classes\":[\"a\"],"
                + "\"modalities\":[{\"name\":\"m\"}],\"splits\":[\"train\"]}");
        e = assertThrows(DatasetFormatException.class, () -> new LayoutReader(root));
        assertMessage(e, "at least 2 classes", "[a]");
    }

    @Test
    void missingModalityFile() throws Exception {
        Files.delete(train.resolve("audio_feats.npy"));
        assertMessage(readFails(), "audio_feats.npy", "no such file");
    }

    @Test
    void missingLabelsFileAndMissingSplitFolder() throws Exception {
        Files.delete(train.resolve("labels.csv"));
        assertMessage(readFails(), "labels.csv", "no such file");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> {
            deleteTree(root.resolve("test"));
            new LayoutReader(root).readSplit("test");
        });
        assertMessage(e, "test", "no such folder");
    }

    @Test
    void wrongRowCountInModality() throws Exception {
        Nd4j.writeAsNumpy(Nd4j.rand(DataType.FLOAT, LayoutFixtures.N - 1, 4), train.resolve("image.npy").toFile());
        assertMessage(readFails(), "image.npy", "expected 7 rows", "found 6");
    }

    @Test
    void mismatchedNAcrossModalities() throws Exception {
        // image keeps 7 rows, audio gets 9: the reader names the audio file and both counts
        Nd4j.writeAsNumpy(Nd4j.rand(DataType.FLOAT, 9, LayoutFixtures.S, 3), train.resolve("audio_feats.npy").toFile());
        assertMessage(readFails(), "audio_feats.npy", "modality 'audio'", "expected 7 rows", "found 9");
    }

    @Test
    void wrongRowCountInExtraTarget() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(train.resolve("match.csv")));
        lines.remove(lines.size() - 1);
        Files.write(train.resolve("match.csv"), lines);
        assertMessage(readFails(), "match.csv", "expected 7 rows", "found 6");
    }

    @Test
    void idsDifferingBetweenTargetFiles() throws Exception {
        String s = Files.readString(train.resolve("labels_score.csv")).replace("ex-3,", "ex-33,");
        Files.writeString(train.resolve("labels_score.csv"), s);
        DatasetFormatException e = readFails();
        assertMessage(e, "labels_score.csv:5", "expected id \"ex-3\"", "found \"ex-33\"");
        assertEquals(5, e.getLine());
    }

    @Test
    void badClassLabelNamesLineAndClasses() throws Exception {
        String s = Files.readString(train.resolve("labels.csv")).replace("ex-4,dog", "ex-4,horse");
        Files.writeString(train.resolve("labels.csv"), s);
        DatasetFormatException e = readFails();
        assertMessage(e, "labels.csv:6", "[cat, dog, fish]", "\"horse\"");
    }

    @Test
    void badRegressionLabel() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(train.resolve("labels_score.csv")));
        lines.set(3, "ex-2,abc");
        Files.write(train.resolve("labels_score.csv"), lines);
        assertMessage(readFails(), "labels_score.csv:4", "expected a number", "\"abc\"");
        lines.set(3, "ex-2,NaN");
        Files.write(train.resolve("labels_score.csv"), lines);
        assertMessage(readFails(), "labels_score.csv:4", "expected a finite number", "\"NaN\"");
    }

    @Test
    void badHeader() throws Exception {
        Files.writeString(train.resolve("labels.csv"), Files.readString(train.resolve("labels.csv")).replaceFirst("id,label", "name,class"));
        assertMessage(readFails(), "labels.csv:1", "expected header \"id,label\"", "\"name,class\"");
    }

    @Test
    void nanInFeaturesNamesTheRow() throws Exception {
        INDArray a = LayoutFixtures.split(LayoutFixtures.N, 0).features("audio").dup();
        a.putScalar(new long[]{4, 2, 1}, Float.NaN);
        Nd4j.writeAsNumpy(a, train.resolve("audio_feats.npy").toFile());
        DatasetFormatException e = readFails();
        assertMessage(e, "audio_feats.npy", "expected finite values", "NaN", "row 4");
        assertEquals(4, e.getLine());
    }

    @Test
    void emptySplit() throws Exception {
        Files.writeString(train.resolve("labels.csv"), "id,label\n");
        assertMessage(readFails(), "labels.csv", "empty split");
        // the writer refuses it too, before writing anything
        SplitData empty = LayoutFixtures.split(LayoutFixtures.N, 0).rows(new int[0]);
        LayoutWriter w = new LayoutWriter(tmp.resolve("other"), LayoutFixtures.descriptor());
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> w.writeSplit("train", empty));
        assertMessage(e, "empty split");
        assertFalse(Files.exists(tmp.resolve("other/train")));
    }

    @Test
    void notAnNpyFileAndTruncatedNpy() throws Exception {
        Files.writeString(train.resolve("image.npy"), "1,2,3\n4,5,6\n");
        assertMessage(readFails(), "image.npy", "expected a numpy .npy file");
        byte[] full = Files.readAllBytes(train.resolve("audio_feats.npy"));
        LayoutWriter.writeNpy(Nd4j.rand(DataType.FLOAT, LayoutFixtures.N, 4), train.resolve("image.npy"));
        Files.write(train.resolve("audio_feats.npy"), java.util.Arrays.copyOf(full, full.length - 8));
        assertMessage(readFails(), "audio_feats.npy", "truncated or corrupt");
    }

    @Test
    void wrongDtypeAndRank() throws Exception {
        LayoutWriter.writeNpy(Nd4j.zeros(DataType.INT, LayoutFixtures.N, 4), train.resolve("image.npy"));
        assertMessage(readFails(), "image.npy", "expected dtype float32", "<i4");
        LayoutWriter.writeNpy(Nd4j.zeros(DataType.FLOAT, LayoutFixtures.N), train.resolve("image.npy"));
        assertMessage(readFails(), "image.npy", "expected shape [N, D] or [N, S, D]", "[7]");
    }

    @Test
    void lengthsOutOfRange() throws Exception {
        int[] len = {1, 2, 3, 4, 5, 6, 1};
        LayoutWriter.writeNpy(Nd4j.createFromArray(len), train.resolve("audio_lengths.npy"));
        DatasetFormatException e = readFails();
        assertMessage(e, "audio_lengths.npy", "expected a length in 1..5", "found 6");
        assertEquals(5, e.getLine());
    }

    @Test
    void writerRejectsDataThatDoesNotMatchTheDescriptor() throws Exception {
        SplitData d = LayoutFixtures.split(4, 0);
        SplitData bad = new SplitData(d.ids(), java.util.Map.of("image", d.features("image")), java.util.Map.of(),
                java.util.Map.of("label", d.labels("label"), "score", d.labels("score"), "match", d.labels("match")));
        LayoutWriter w = new LayoutWriter(tmp.resolve("w"), LayoutFixtures.descriptor());
        assertMessage(assertThrows(DatasetFormatException.class, () -> w.writeSplit("train", bad)),
                "audio_feats.npy", "expected features of modality 'audio'");
        assertThrows(IllegalArgumentException.class, () -> w.writeSplit("valid", d));
    }

    @Test
    void builderValidationNamesComponentAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetDescriptor.builder()
                .name("x").classification(List.of("a", "b")).splits("train").build());
        assertTrue(e.getMessage().contains("modalities"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ModalitySpec("a/b", null));
        assertTrue(e.getMessage().contains("a/b"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayoutIteratorOptions.builder().batchSize(0).build());
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("0"), e.getMessage());
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}

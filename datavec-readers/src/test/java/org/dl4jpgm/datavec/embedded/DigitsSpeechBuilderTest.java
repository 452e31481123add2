package org.dl4jpgm.datavec.embedded;

import org.dl4jpgm.datavec.layout.DatasetFormatException;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The build pipeline on a small digits.csv.gz written here and a tone "synthesizer" (no espeak-ng needed). */
class DigitsSpeechBuilderTest {

    @TempDir
    Path tmp;

    /** 40 fake 8x8 images in sklearn's format: 64 pixels 0..16 and the digit. */
    private Path digits(int n) throws Exception {
        Path f = tmp.resolve("digits.csv.gz");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 64; p++) {
                sb.append((i * 7 + p) % 17).append(',');
            }
            sb.append(i % 10).append('\n');
        }
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
        return f;
    }

    /** Writes a 16-bit 22050 Hz WAVE: a tone whose frequency encodes the word, length from the speed. */
    static void tone(String word, SpeechSynthesizer.Voice v, Path out) throws java.io.IOException {
        int sr = 22050;
        int n = sr * 60 / v.speed() / 2 + 2000;
        double freq = 200 + 100 * word.length() + v.pitch();
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(sr).putInt(2 * sr).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            double env = i < 1000 || i >= n - 1000 ? 0 : 1; // leading/trailing silence to trim
            b.putShort((short) (env * 12000 * Math.sin(2 * Math.PI * freq * i / sr)));
        }
        Files.write(out, b.array());
    }

    @Test
    void buildIsReproducibleAndWritesTheLayout() throws Exception {
        Path in = digits(40);
        DigitsSpeechOptions o = DigitsSpeechOptions.builder().seed(3).splitFractions(0.5, 0.25).audioShape(10, 8).textDims(16).build();
        String chance = new DigitsSpeechBuilder(o, DigitsSpeechBuilderTest::tone).build(in, tmp.resolve("a"), Map.of("packages", "test"));
        new DigitsSpeechBuilder(o, DigitsSpeechBuilderTest::tone).build(in, tmp.resolve("b"), Map.of("packages", "test"));
        assertTrue(chance.contains("image_digit") && chance.contains("match"), chance);
        for (String f : List.of("dataset.json", "PROVENANCE", "train/speech.npy", "train/speech_lengths.npy", "test/text.npy",
                "valid/labels.csv", "train/meta.csv")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
        LayoutReader r = new LayoutReader(tmp.resolve("a"));
        SplitData train = r.readSplit("train");
        assertEquals(20, train.size());
        assertEquals(10, r.readSplit("valid").size());
        assertEquals(10, r.readSplit("test").size());
        assertArrayEquals(new long[]{20, 10, 8}, train.features("speech").shape());
        assertArrayEquals(new long[]{20, 16}, train.features("text").shape());
        // each image used once: the 40 ids are the 40 rows
        java.util.Set<String> ids = new java.util.HashSet<>(train.ids());
        ids.addAll(r.readSplit("valid").ids());
        ids.addAll(r.readSplit("test").ids());
        assertEquals(40, ids.size());
        // train speech features are standardised with train statistics: mean ~0 over valid frames
        double sum = 0;
        int count = 0;
        int[] len = train.lengths("speech");
        for (int i = 0; i < 20; i++) {
            for (int t = 0; t < len[i]; t++) {
                for (int d = 0; d < 8; d++) {
                    sum += train.features("speech").getDouble(i, t, d);
                    count++;
                }
            }
        }
        assertEquals(0.0, sum / count, 1e-3);
        String prov = Files.readString(tmp.resolve("a/PROVENANCE"));
        assertTrue(prov.contains("seed=3") && prov.contains("packages: test") && prov.contains("digits.csv.gz sha256: "), prov);
        // another seed pairs differently
        new DigitsSpeechBuilder(DigitsSpeechOptions.builder().seed(4).splitFractions(0.5, 0.25).audioShape(10, 8).textDims(16).build(),
                DigitsSpeechBuilderTest::tone).build(in, tmp.resolve("c"), Map.of());
        assertNotEquals(Files.readString(tmp.resolve("a/train/meta.csv")), Files.readString(tmp.resolve("c/train/meta.csv")));
    }

    @Test
    void malformedDigitsFileNamesLineAndValue() throws Exception {
        Path f = tmp.resolve("bad.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(("0,".repeat(64) + "3\n" + "0,".repeat(63) + "3\n").getBytes(StandardCharsets.US_ASCII));
        }
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DigitsSpeechBuilder.readDigits(f));
        assertTrue(e.getMessage().contains("bad.csv.gz:2") && e.getMessage().contains("expected 65") && e.getMessage().contains("found 64"),
                e.getMessage());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(("0,".repeat(64) + "12\n").getBytes(StandardCharsets.US_ASCII));
        }
        e = assertThrows(DatasetFormatException.class, () -> DigitsSpeechBuilder.readDigits(f));
        assertTrue(e.getMessage().contains(":1") && e.getMessage().contains("0..9") && e.getMessage().contains("12"), e.getMessage());
        e = assertThrows(DatasetFormatException.class, () -> DigitsSpeechBuilder.readDigits(tmp.resolve("none.csv.gz")));
        assertTrue(e.getMessage().contains("no such file"));
    }
}

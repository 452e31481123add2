package org.dl4jpgm.encoders.text;

import org.dl4jpgm.encoders.ModelFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure-Java tokenizer against token ids published for bert-base-uncased (whose vocabulary MiniLM uses):
 * HuggingFace's documentation and course examples.
 */
class WordPieceTokenizerTest {

    private static WordPieceTokenizer tok;

    @BeforeAll
    static void load() throws Exception {
        tok = WordPieceTokenizer.fromTokenizerJson(ModelFiles.miniLmTokenizer());
    }

    private static long[] ids(String text, int len) {
        return java.util.Arrays.copyOf(tok.encode(text, 64).inputIds(), len);
    }

    @Test
    void knownSentences() {
        assertArrayEquals(new long[]{101, 7592, 1010, 2026, 3899, 2003, 10140, 102},
                ids("Hello, my dog is cute", 8));
        assertArrayEquals(new long[]{101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
                ids("The quick brown fox jumps over the lazy dog.", 12));
        assertArrayEquals(new long[]{101, 1045, 2031, 1037, 2047, 14246, 2226, 999, 102},
                ids("I have a new GPU!", 9));
    }

    @Test
    void wordPiecesAccentsChineseAndUnknown() {
        assertEquals(List.of("em", "##bed", "##ding", "##s"), tok.tokenize("embeddings"));
        assertEquals(List.of("cafe", "naive"), tok.tokenize("Café  NAÏVE"));
        assertEquals(List.of("中", "国"), tok.tokenize("中国"));
        assertEquals(List.of("don", "'", "t"), tok.tokenize("don't"));
        assertEquals(List.of("[UNK]"), tok.tokenize("\uD83E\uDD16"));
        assertEquals(List.of("a", "b"), tok.tokenize("a\u0000\u200Bb".replace("\u200B", " ")));
    }

    @Test
    void paddingTruncationAndMask() {
        WordPieceTokenizer.Encoding e = tok.encode("hello world", 6);
        assertArrayEquals(new long[]{101, 7592, 2088, 102, 0, 0}, e.inputIds());
        assertArrayEquals(new long[]{1, 1, 1, 1, 0, 0}, e.attentionMask());
        assertArrayEquals(new long[6], e.tokenTypeIds());
        WordPieceTokenizer.Encoding t = tok.encode("the quick brown fox jumps", 4);
        assertArrayEquals(new long[]{101, 1996, 4248, 102}, t.inputIds());
        assertEquals(4, t.length());
        assertThrows(IllegalArgumentException.class, () -> tok.encode("x", 1));
    }

    @Test
    void rejectsNonWordPieceFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WordPieceTokenizer.fromTokenizerJson(f));
        assertTrue(e.getMessage().contains("BPE") && e.getMessage().contains(f.toString()), e.getMessage());
    }
}

package org.dl4jpgm.encoders.text;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A pure-Java equivalent of the HuggingFace {@code tokenizers} pipeline that BERT-style {@code tokenizer.json}
 * files describe: BertNormalizer (clean text, CJK spacing, lower case, accent stripping), BertPreTokenizer
 * (split on white space and punctuation), WordPiece (greedy longest match, {@code ##} continuation) and the
 * {@code [CLS] A [SEP]} template. DJL's tokenizer would need a native library download at run time, which
 * the build machines cannot do.
 *
 * <p>Output of {@link #encode}: {@code inputIds}, {@code attentionMask} (1 = token, 0 = padding) and
 * {@code tokenTypeIds}, each of length L = the fixed {@code maxLength}.
 */
public final class WordPieceTokenizer {

    private final Map<String, Integer> vocab;
    private final String unk;
    private final String prefix;
    private final int maxCharsPerWord;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final boolean chineseChars;
    private final boolean cleanText;
    private final int clsId;
    private final int sepId;
    private final int padId;

    private WordPieceTokenizer(Map<String, Integer> vocab, String unk, String prefix, int maxCharsPerWord,
                               boolean lowercase, boolean stripAccents, boolean chineseChars, boolean cleanText) {
        this.vocab = vocab;
        this.unk = unk;
        this.prefix = prefix;
        this.maxCharsPerWord = maxCharsPerWord;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.chineseChars = chineseChars;
        this.cleanText = cleanText;
        this.clsId = id("[CLS]");
        this.sepId = id("[SEP]");
        this.padId = id("[PAD]");
    }

    /**
     * Reads a HuggingFace {@code tokenizer.json} with a WordPiece model and a BertNormalizer.
     *
     * @param tokenizerJson the file
     * @return the tokenizer; fails naming the file and the unsupported part otherwise
     */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
        JsonNode model = root.path("model");
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new IllegalArgumentException("WordPieceTokenizer: " + tokenizerJson + ": model.type is '"
                    + model.path("type").asText() + "', expected 'WordPiece'");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        if (vocab.isEmpty()) {
            throw new IllegalArgumentException("WordPieceTokenizer: " + tokenizerJson + ": model.vocab is empty");
        }
        JsonNode norm = root.path("normalizer");
        if (!norm.isMissingNode() && !norm.isNull() && !"BertNormalizer".equals(norm.path("type").asText())) {
            throw new IllegalArgumentException("WordPieceTokenizer: " + tokenizerJson + ": normalizer.type is '"
                    + norm.path("type").asText() + "', expected 'BertNormalizer'");
        }
        boolean lower = norm.path("lowercase").asBoolean(true);
        JsonNode sa = norm.path("strip_accents");
        // HuggingFace: strip_accents null means "follow lowercase".
        boolean strip = sa.isMissingNode() || sa.isNull() ? lower : sa.asBoolean();
        return new WordPieceTokenizer(vocab, model.path("unk_token").asText("[UNK]"),
                model.path("continuing_subword_prefix").asText("##"),
                model.path("max_input_chars_per_word").asInt(100), lower, strip,
                norm.path("handle_chinese_chars").asBoolean(true), norm.path("clean_text").asBoolean(true));
    }

    /** @return the id of a vocabulary token; fails when absent */
    public int id(String token) {
        Integer i = vocab.get(token);
        if (i == null) {
            throw new IllegalArgumentException("WordPieceTokenizer: token '" + token + "' is not in the vocabulary");
        }
        return i;
    }

    /** @return the word pieces of a text, without special tokens */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String word : preTokenize(normalize(text))) {
            wordPiece(word, out);
        }
        return out;
    }

    /**
     * @param text      the text
     * @param maxLength L, the fixed length (truncates, then pads with [PAD])
     * @return ids, mask and token types of length L
     */
    public Encoding encode(String text, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("WordPieceTokenizer: maxLength must be >= 2 (room for [CLS] and"
                    + " [SEP]), found " + maxLength);
        }
        List<String> pieces = tokenize(text);
        int n = Math.min(pieces.size(), maxLength - 2);
        long[] ids = new long[maxLength];
        long[] mask = new long[maxLength];
        ids[0] = clsId;
        for (int i = 0; i < n; i++) {
            Integer id = vocab.get(pieces.get(i));
            ids[i + 1] = id != null ? id : vocab.get(unk);
        }
        ids[n + 1] = sepId;
        for (int i = n + 2; i < maxLength; i++) {
            ids[i] = padId;
        }
        for (int i = 0; i < n + 2; i++) {
            mask[i] = 1;
        }
        return new Encoding(ids, mask, new long[maxLength], n + 2);
    }

    String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                    return;
                }
                if (isWhitespace(cp)) {
                    sb.append(' ');
                    return;
                }
            }
            if (chineseChars && isChinese(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
                return;
            }
            sb.appendCodePoint(cp);
        });
        String s = sb.toString();
        if (stripAccents) {
            s = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder t = new StringBuilder(s.length());
            s.codePoints().filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                    .forEach(t::appendCodePoint);
            s = t.toString();
        }
        return lowercase ? s.toLowerCase(java.util.Locale.ROOT) : s;
    }

    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (isWhitespace(cp)) {
                flush(cur, words);
            } else if (isPunctuation(cp)) {
                flush(cur, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                cur.appendCodePoint(cp);
            }
        });
        flush(cur, words);
        return words;
    }

    private void wordPiece(String word, List<String> out) {
        if (word.codePointCount(0, word.length()) > maxCharsPerWord) {
            out.add(unk);
            return;
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            String found = null;
            while (start < end) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = prefix + sub;
                }
                if (vocab.containsKey(sub)) {
                    found = sub;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                out.add(unk);
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    private static void flush(StringBuilder cur, List<String> words) {
        if (cur.length() > 0) {
            words.add(cur.toString());
            cur.setLength(0);
        }
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
                || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT;
    }

    private static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Token ids of one text at the fixed length L. */
    public static final class Encoding {
        private final long[] inputIds;
        private final long[] attentionMask;
        private final long[] tokenTypeIds;
        private final int length;

        Encoding(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int length) {
            this.inputIds = inputIds;
            this.attentionMask = attentionMask;
            this.tokenTypeIds = tokenTypeIds;
            this.length = length;
        }

        /** @return token ids, [L] */
        public long[] inputIds() {
            return inputIds.clone();
        }

        /** @return 1 = token, 0 = padding, [L] */
        public long[] attentionMask() {
            return attentionMask.clone();
        }

        /** @return segment ids (all 0 for one text), [L] */
        public long[] tokenTypeIds() {
            return tokenTypeIds.clone();
        }

        /** @return number of real tokens, [CLS] and [SEP] included */
        public int length() {
            return length;
        }
    }
}

package org.dl4jpgm.encoders.text;

import org.dl4jpgm.encoders.EncoderBackend;

import java.nio.file.Path;

/**
 * Options of {@link MiniLmTextEncoder}. Every option has a default; {@link Builder#build()} validates.
 */
public final class TextEncoderConfig {

    /** The ONNX model; default (null): MiniLM from the langchain4j jar ({@code ModelFiles.miniLmModel()}). */
    private Path modelFile;
    /** The tokenizer.json; default (null): the one in the langchain4j jar. */
    private Path tokenizerFile;
    /** L: every text is truncated / padded to this many tokens ([CLS], [SEP] included); default 128 (the
     * tokenizer.json's own setting). The converted SameDiff graph is fixed to this L. */
    private int maxLength = 128;
    /** Which engine runs the model; default {@link EncoderBackend#ONNX_RUNTIME} (faster, see docs/encoders.md). */
    private EncoderBackend backend = EncoderBackend.ONNX_RUNTIME;
    /** Texts per forward pass; default 32. */
    private int batchSize = 32;
    /** L2-normalise the pooled sentence vector (sentence-transformers' all-MiniLM-L6-v2 does); default true. */
    private boolean normalizePooled = true;
    /** Folder for the converted SameDiff graph; default (null): the converter's default folder. */
    private Path convertedCacheDir;

    private TextEncoderConfig() {
    }

    public Path getModelFile() {
        return modelFile;
    }

    public Path getTokenizerFile() {
        return tokenizerFile;
    }

    public int getMaxLength() {
        return maxLength;
    }

    public EncoderBackend getBackend() {
        return backend;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public boolean isNormalizePooled() {
        return normalizePooled;
    }

    public Path getConvertedCacheDir() {
        return convertedCacheDir;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link TextEncoderConfig}. */
    public static final class Builder {
        private final TextEncoderConfig c = new TextEncoderConfig();

        public Builder modelFile(Path p) {
            c.modelFile = p;
            return this;
        }

        public Builder tokenizerFile(Path p) {
            c.tokenizerFile = p;
            return this;
        }

        public Builder maxLength(int l) {
            c.maxLength = l;
            return this;
        }

        public Builder backend(EncoderBackend b) {
            c.backend = b;
            return this;
        }

        public Builder batchSize(int b) {
            c.batchSize = b;
            return this;
        }

        public Builder normalizePooled(boolean n) {
            c.normalizePooled = n;
            return this;
        }

        public Builder convertedCacheDir(Path p) {
            c.convertedCacheDir = p;
            return this;
        }

        /** @return the config; fails naming the bad value */
        public TextEncoderConfig build() {
            if (c.maxLength < 2 || c.maxLength > 512) {
                throw new IllegalArgumentException("TextEncoderConfig: maxLength must be in [2, 512] (MiniLM has"
                        + " 512 positions), found " + c.maxLength);
            }
            if (c.batchSize < 1) {
                throw new IllegalArgumentException("TextEncoderConfig: batchSize must be >= 1, found " + c.batchSize);
            }
            if (c.backend == null) {
                throw new IllegalArgumentException("TextEncoderConfig: backend must not be null");
            }
            TextEncoderConfig r = new TextEncoderConfig();
            r.modelFile = c.modelFile;
            r.tokenizerFile = c.tokenizerFile;
            r.maxLength = c.maxLength;
            r.backend = c.backend;
            r.batchSize = c.batchSize;
            r.normalizePooled = c.normalizePooled;
            r.convertedCacheDir = c.convertedCacheDir;
            return r;
        }
    }
}

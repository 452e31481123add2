package org.dl4jpgm.encoders.audio;

import org.dl4jpgm.encoders.EncoderBackend;

import java.nio.file.Path;

/** Options of {@link OpenWakeWordAudioEncoder}. Every option has a default; {@link Builder#build()} validates. */
public final class AudioEncoderConfig {

    /** openWakeWord's melspectrogram.onnx; default (null): {@code ModelFiles.openWakeWordDir()}. */
    private Path melModel;
    /** openWakeWord's embedding_model.onnx; default (null): {@code ModelFiles.openWakeWordDir()}. */
    private Path embeddingModel;
    /** Which engine runs the models; default {@link EncoderBackend#ONNX_RUNTIME}. */
    private EncoderBackend backend = EncoderBackend.ONNX_RUNTIME;
    /** The melspectrogram runs on segments of this many 80 ms chunks (plus 480 samples of left context, as
     * openWakeWord's streaming does), one segment per call; default 25 (2 s). The converted SameDiff graph is
     * fixed to this segment length. */
    private int segmentChunks = 25;
    /** 76-frame windows per embedding-model call; default 32. */
    private int batchSize = 32;
    /** Folder for the converted SameDiff graphs; default (null): the converter's default folder. */
    private Path convertedCacheDir;

    private AudioEncoderConfig() {
    }

    public Path getMelModel() {
        return melModel;
    }

    public Path getEmbeddingModel() {
        return embeddingModel;
    }

    public EncoderBackend getBackend() {
        return backend;
    }

    public int getSegmentChunks() {
        return segmentChunks;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public Path getConvertedCacheDir() {
        return convertedCacheDir;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link AudioEncoderConfig}. */
    public static final class Builder {
        private final AudioEncoderConfig c = new AudioEncoderConfig();

        public Builder melModel(Path p) {
            c.melModel = p;
            return this;
        }

        public Builder embeddingModel(Path p) {
            c.embeddingModel = p;
            return this;
        }

        public Builder backend(EncoderBackend b) {
            c.backend = b;
            return this;
        }

        public Builder segmentChunks(int n) {
            c.segmentChunks = n;
            return this;
        }

        public Builder batchSize(int n) {
            c.batchSize = n;
            return this;
        }

        public Builder convertedCacheDir(Path p) {
            c.convertedCacheDir = p;
            return this;
        }

        /** @return the config; fails naming the bad value */
        public AudioEncoderConfig build() {
            if (c.segmentChunks < 1) {
                throw new IllegalArgumentException("AudioEncoderConfig: segmentChunks must be >= 1, found "
                        + c.segmentChunks);
            }
            if (c.batchSize < 1) {
                throw new IllegalArgumentException("AudioEncoderConfig: batchSize must be >= 1, found " + c.batchSize);
            }
            if (c.backend == null) {
                throw new IllegalArgumentException("AudioEncoderConfig: backend must not be null");
            }
            AudioEncoderConfig r = new AudioEncoderConfig();
            r.melModel = c.melModel;
            r.embeddingModel = c.embeddingModel;
            r.backend = c.backend;
            r.segmentChunks = c.segmentChunks;
            r.batchSize = c.batchSize;
            r.convertedCacheDir = c.convertedCacheDir;
            return r;
        }
    }
}

package org.dl4jpgm.encoders.image;

import java.nio.file.Path;

/** Options of {@link MobileNetV2ImageEncoder}. Every option has a default; {@link Builder#build()} validates. */
public final class ImageEncoderConfig {

    /** Folder with the TF.js {@code model.json} and shard; default (null): {@code ModelFiles.nsfwjsMobileNetV2Dir()}. */
    private Path modelDir;
    /** Layer whose activations are the features; default {@code flatten_1} (MobileNetV2's 1280-d pooled output). */
    private String featureLayer = "flatten_1";
    /** Images per forward pass; default 16. */
    private int batchSize = 16;
    /** Folder for the imported graph (DL4J ModelSerializer zip); default (null):
     * {@code OnnxSameDiffConverter.defaultCacheDir()}. */
    private Path convertedCacheDir;

    private ImageEncoderConfig() {
    }

    public Path getModelDir() {
        return modelDir;
    }

    public String getFeatureLayer() {
        return featureLayer;
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

    /** Builder of {@link ImageEncoderConfig}. */
    public static final class Builder {
        private final ImageEncoderConfig c = new ImageEncoderConfig();

        public Builder modelDir(Path p) {
            c.modelDir = p;
            return this;
        }

        public Builder featureLayer(String l) {
            c.featureLayer = l;
            return this;
        }

        public Builder batchSize(int b) {
            c.batchSize = b;
            return this;
        }

        public Builder convertedCacheDir(Path p) {
            c.convertedCacheDir = p;
            return this;
        }

        /** @return the config; fails naming the bad value */
        public ImageEncoderConfig build() {
            if (c.batchSize < 1) {
                throw new IllegalArgumentException("ImageEncoderConfig: batchSize must be >= 1, found " + c.batchSize);
            }
            if (c.featureLayer == null || c.featureLayer.isBlank()) {
                throw new IllegalArgumentException("ImageEncoderConfig: featureLayer must be a layer name, found '"
                        + c.featureLayer + "'");
            }
            ImageEncoderConfig r = new ImageEncoderConfig();
            r.modelDir = c.modelDir;
            r.featureLayer = c.featureLayer;
            r.batchSize = c.batchSize;
            r.convertedCacheDir = c.convertedCacheDir;
            return r;
        }
    }
}

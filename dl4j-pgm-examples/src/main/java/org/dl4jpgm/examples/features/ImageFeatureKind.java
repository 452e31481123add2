package org.dl4jpgm.examples.features;

/** What a raw image becomes before the model: the frozen pretrained encoder, or a model-free thumbnail. */
public enum ImageFeatureKind {
    /**
     * MobileNetV2 of npm {@code nsfwjs} ({@code MobileNetV2ImageEncoder}): pooled features [1280]; needs the model files
     * that {@code .ci/run} unpacks into {@code .models/nsfwjs/mobilenet_v2} (or {@code -Ddl4jpgm.models.dir}).
     */
    MOBILENET_V2,
    /** {@link ThumbnailImageFeatures}: the image averaged down to a small RGB grid; no model files. */
    THUMBNAIL
}

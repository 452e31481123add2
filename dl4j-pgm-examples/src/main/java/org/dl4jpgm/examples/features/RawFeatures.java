package org.dl4jpgm.examples.features;

import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.datavec.text.CharTrigramHasher;
import org.dl4jpgm.encoders.image.ImageEncoderConfig;
import org.dl4jpgm.encoders.image.MobileNetV2ImageEncoder;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the raw images and texts of a dataset (Wikipedia, UPMC Food-101) into feature vectors, all at once, as the
 * {@code *LayoutExport} classes' feature functions ({@code path -> float[D]}, {@code text -> float[D]}) expect them.
 * Encoder features ({@link ImageFeatureKind#MOBILENET_V2}, {@link TextFeatureKind#MINILM}) go through a
 * {@link FeatureCache} ({@link EncoderFeatures}), so a second run reads them back; the model-free kinds are computed
 * directly. The encoders are loaded on first use and released by {@link #close()}.
 */
public final class RawFeatures implements AutoCloseable {

    /** Side of the {@link ImageFeatureKind#THUMBNAIL} grid: 8 x 8 x RGB = 192 features. */
    public static final int THUMBNAIL_SIDE = 8;
    /** Buckets of the {@link TextFeatureKind#TRIGRAM} hasher. */
    public static final int TRIGRAM_BUCKETS = 256;

    private final ImageFeatureKind imageKind;
    private final TextFeatureKind textKind;
    private final FeatureCache cache;
    private MobileNetV2ImageEncoder imageEncoder;
    private MiniLmTextEncoder textEncoder;

    /**
     * @param imageKind what images become
     * @param textKind  what texts become
     * @param cacheDir  the feature cache folder of the encoder kinds (created when used)
     */
    public RawFeatures(ImageFeatureKind imageKind, TextFeatureKind textKind, Path cacheDir) {
        this.imageKind = imageKind;
        this.textKind = textKind;
        this.cache = new FeatureCache(cacheDir, FeatureCacheConfig.builder().build());
    }

    /**
     * Features of every image.
     *
     * @param name  cache entry name (e.g. {@code food101-images})
     * @param paths the image files (duplicates are computed once)
     * @return a lookup from {@code path.toString()} to its features [D]; it throws for a path not given here
     */
    public Function<String, float[]> images(String name, List<Path> paths) throws IOException {
        List<Path> unique = new ArrayList<>(new LinkedHashSet<>(paths));
        Map<String, float[]> byPath = new HashMap<>();
        if (imageKind == ImageFeatureKind.THUMBNAIL) {
            ThumbnailImageFeatures t = new ThumbnailImageFeatures(THUMBNAIL_SIDE);
            for (Path p : unique) {
                byPath.put(p.toString(), t.features(p));
            }
        } else {
            if (imageEncoder == null) {
                imageEncoder = MobileNetV2ImageEncoder.create(ImageEncoderConfig.builder().build());
            }
            rows(EncoderFeatures.image(cache, name + "-mobilenet_v2", imageEncoder, unique), unique.stream()
                    .map(Path::toString).toList(), byPath);
        }
        return lookup(byPath, "image");
    }

    /**
     * Features of every text.
     *
     * @param name  cache entry name (e.g. {@code food101-titles})
     * @param texts the texts (duplicates are computed once)
     * @return a lookup from a text to its features [D]; it throws for a text not given here
     */
    public Function<String, float[]> texts(String name, List<String> texts) throws IOException {
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(texts));
        Map<String, float[]> byText = new HashMap<>();
        if (textKind == TextFeatureKind.TRIGRAM) {
            CharTrigramHasher h = new CharTrigramHasher(TRIGRAM_BUCKETS);
            for (String t : unique) {
                byText.put(t, h.features(t));
            }
        } else {
            if (textEncoder == null) {
                textEncoder = MiniLmTextEncoder.create(TextEncoderConfig.builder().build());
            }
            rows(EncoderFeatures.pooledText(cache, name + "-minilm", textEncoder, unique), unique, byText);
        }
        return lookup(byText, "text");
    }

    private static void rows(INDArray features, List<String> keys, Map<String, float[]> out) {
        for (int i = 0; i < keys.size(); i++) {
            out.put(keys.get(i), features.getRow(i).toFloatVector());
        }
    }

    private static Function<String, float[]> lookup(Map<String, float[]> m, String what) {
        return k -> {
            float[] v = m.get(k);
            if (v == null) {
                throw new IllegalArgumentException("RawFeatures: expected the " + what + " '" + k
                        + "' among the items whose features were computed, found it missing");
            }
            return v;
        };
    }

    @Override
    public void close() {
        if (imageEncoder != null) {
            imageEncoder.close();
        }
        if (textEncoder != null) {
            textEncoder.close();
        }
    }

}

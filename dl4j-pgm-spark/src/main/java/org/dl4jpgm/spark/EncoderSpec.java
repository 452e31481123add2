package org.dl4jpgm.spark;

import org.dl4jpgm.encoders.image.ImageEncoderConfig;
import org.dl4jpgm.encoders.image.MobileNetV2ImageEncoder;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which encoder {@link SparkFeatureExtractor} runs and how a worker opens it: a serializable description (kind and
 * settings, paths as strings) from which every partition opens its own encoder. The identity it reports is the one
 * the single-machine path ({@code org.dl4jpgm.examples.features.EncoderFeatures}) stores, so both paths write the
 * same feature-cache entry.
 *
 * @param kind       the encoder and its output
 * @param maxLength  MiniLM's token limit L (text kinds)
 * @param modelPath  MiniLM's ONNX file or MobileNetV2's model folder (null = the defaults of {@code ModelFiles})
 * @param cacheDir   MobileNetV2's converted-graph folder (null = the default)
 */
public record EncoderSpec(Kind kind, int maxLength, String modelPath, String cacheDir) implements Serializable {

    /** The encoders and outputs. */
    public enum Kind {
        /** MiniLM (ONNX Runtime), mean-pooled and normalised sentence features [N, 384]; items are texts. */
        TEXT_POOLED,
        /** MiniLM (ONNX Runtime), token features [N, L, 384]; items are texts. */
        TEXT_SEQUENCE,
        /** MobileNetV2 (nsfwjs weights), pooled features [N, 1280]; items are image file paths every worker reads. */
        IMAGE
    }

    /** MiniLM through ONNX Runtime, the project's default settings. */
    public static EncoderSpec text(boolean pooled) {
        return new EncoderSpec(pooled ? Kind.TEXT_POOLED : Kind.TEXT_SEQUENCE,
                TextEncoderConfig.builder().build().getMaxLength(), null, null);
    }

    /** MobileNetV2 from the default model folder. */
    public static EncoderSpec image() {
        return new EncoderSpec(Kind.IMAGE, 0, null, null);
    }

    /** An encoder opened on a worker. */
    public interface Opened extends AutoCloseable {

        /** The feature-cache identity (model checksum and settings). */
        String identity();

        /** Features of the items, one row each. */
        INDArray encode(List<String> items) throws IOException;

        @Override
        void close();
    }

    /** Opens the encoder (on the driver to read its identity, on every partition to extract). */
    public Opened open() throws IOException {
        if (kind == Kind.IMAGE) {
            ImageEncoderConfig.Builder b = ImageEncoderConfig.builder();
            if (modelPath != null) {
                b.modelDir(Path.of(modelPath));
            }
            if (cacheDir != null) {
                b.convertedCacheDir(Path.of(cacheDir));
            }
            MobileNetV2ImageEncoder e = MobileNetV2ImageEncoder.create(b.build());
            return new Opened() {
                public String identity() {
                    return e.identity();
                }

                public INDArray encode(List<String> items) throws IOException {
                    List<BufferedImage> batch = new ArrayList<>();
                    for (String p : items) {
                        BufferedImage img = ImageIO.read(Path.of(p).toFile());
                        if (img == null) {
                            throw new IOException("EncoderSpec: " + p + " is not an image ImageIO can read");
                        }
                        batch.add(img);
                    }
                    return e.encode(MobileNetV2ImageEncoder.toInput(batch));
                }

                public void close() {
                    e.close();
                }
            };
        }
        TextEncoderConfig.Builder b = TextEncoderConfig.builder().maxLength(maxLength);
        if (modelPath != null) {
            b.modelFile(Path.of(modelPath));
        }
        MiniLmTextEncoder e = MiniLmTextEncoder.create(b.build());
        boolean pooled = kind == Kind.TEXT_POOLED;
        return new Opened() {
            public String identity() {
                return e.identity() + (pooled ? " output=pooled" : " output=sequence");
            }

            public INDArray encode(List<String> items) {
                var f = e.encode(items);
                return pooled ? f.pooled() : f.sequence();
            }

            public void close() {
                e.close();
            }
        };
    }

    /**
     * The feature cache's key of each item: the text itself, or an image's absolute path, size and modification time
     * (what the single-machine path keys them by).
     */
    public List<String> itemKeys(List<String> items) throws IOException {
        if (kind != Kind.IMAGE) {
            return items;
        }
        List<String> keys = new ArrayList<>();
        for (String s : items) {
            Path p = Path.of(s);
            keys.add(p.toAbsolutePath() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
        }
        return keys;
    }
}

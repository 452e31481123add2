package org.dl4jpgm.examples.features;

import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.encoders.audio.OpenWakeWordAudioEncoder;
import org.dl4jpgm.encoders.image.MobileNetV2ImageEncoder;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an encoder over a dataset once and keeps the features in a {@link FeatureCache}: the entry records
 * the encoder's identity and the items' fingerprint, so a changed model, setting or dataset is detected.
 */
public final class EncoderFeatures {

    private EncoderFeatures() {
    }

    /**
     * @return pooled sentence features [N, 384] of the texts, from the cache when valid
     */
    public static INDArray pooledText(FeatureCache cache, String name, MiniLmTextEncoder encoder, List<String> texts)
            throws IOException {
        return cache.getOrCompute(name, encoder.identity() + " output=pooled", texts,
                (from, to) -> encoder.encode(texts.subList(from, to)).pooled());
    }

    /**
     * @return sequence features [N, L, 384] of the texts, from the cache when valid
     */
    public static INDArray sequenceText(FeatureCache cache, String name, MiniLmTextEncoder encoder,
                                        List<String> texts) throws IOException {
        return cache.getOrCompute(name, encoder.identity() + " output=sequence", texts,
                (from, to) -> encoder.encode(texts.subList(from, to)).sequence());
    }

    /**
     * Audio clips to a fixed number of frame embeddings each (padded with zeros or truncated).
     *
     * @param frames S, embeddings kept per clip
     * @return [N, S, 96], from the cache when valid; items are keyed by path, size and modification time
     */
    public static INDArray audio(FeatureCache cache, String name, OpenWakeWordAudioEncoder encoder, List<Path> wavs,
                                 int frames) throws IOException {
        List<String> keys = new ArrayList<>();
        for (Path p : wavs) {
            keys.add(p.toAbsolutePath() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
        }
        return cache.getOrCompute(name, encoder.identity() + " frames=" + frames, keys, (from, to) -> {
            INDArray out = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, to - from, frames,
                    OpenWakeWordAudioEncoder.DIM);
            for (int i = from; i < to; i++) {
                INDArray e = encoder.embedWav(wavs.get(i));
                long n = Math.min(frames, e.size(0));
                out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i - from),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                        org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .assign(e.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()));
            }
            return out;
        });
    }

    /**
     * @return pooled MobileNetV2 features [N, 1280] of image files (any format ImageIO reads), from the cache
     * when valid; items are keyed by path, size and modification time
     */
    public static INDArray image(FeatureCache cache, String name, MobileNetV2ImageEncoder encoder, List<Path> images)
            throws IOException {
        List<String> keys = new ArrayList<>();
        for (Path p : images) {
            keys.add(p.toAbsolutePath() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
        }
        return cache.getOrCompute(name, encoder.identity(), keys, (from, to) -> {
            List<java.awt.image.BufferedImage> batch = new ArrayList<>();
            for (Path p : images.subList(from, to)) {
                java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(p.toFile());
                if (img == null) {
                    throw new IOException("EncoderFeatures: " + p + " is not an image ImageIO can read");
                }
                batch.add(img);
            }
            return encoder.encode(MobileNetV2ImageEncoder.toInput(batch));
        });
    }
}

package org.dl4jpgm.examples.features;

import org.datavec.api.writable.NDArrayWritable;
import org.dl4jpgm.datavec.cache.CachedFeatureRecordReader;
import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.datavec.cache.StaleFeatureCacheException;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MiniLM (ONNX Runtime, the default path) over a small dataset once, then read back from the cache. */
class EncoderFeaturesTest {

    private static final List<String> TEXTS = List.of("Great phone, the battery lasts two days.",
            "Terrible headset, it broke in a week.", "Shipping was fast.", "I love the bright screen.");

    @Test
    void textFeaturesAreExtractedOnceAndReadBackThroughTheRecordReader(@TempDir Path dir) throws Exception {
        FeatureCache cache = new FeatureCache(dir, FeatureCacheConfig.builder().progress(false)
                .onStale(FeatureCacheConfig.OnStale.FAIL).build());
        try (MiniLmTextEncoder enc = MiniLmTextEncoder.create(TextEncoderConfig.builder().maxLength(32).build())) {
            INDArray first = EncoderFeatures.pooledText(cache, "reviews", enc, TEXTS);
            assertArrayEquals(new long[]{4, 384}, first.shape());
            long written = Files.getLastModifiedTime(cache.dataFile("reviews")).toMillis();
            INDArray second = EncoderFeatures.pooledText(cache, "reviews", enc, TEXTS);
            assertEquals(first, second);
            assertEquals(written, Files.getLastModifiedTime(cache.dataFile("reviews")).toMillis(), "not rewritten");

            CachedFeatureRecordReader reader = new CachedFeatureRecordReader(cache, "reviews",
                    enc.identity() + " output=pooled", FeatureCache.fingerprint(TEXTS));
            INDArray row0 = ((NDArrayWritable) reader.next().get(0)).get();
            assertEquals(first.getRow(0).reshape(1, 384), row0);
        }
        // another maxLength is another encoder identity: the entry is refused, not silently reused
        try (MiniLmTextEncoder other = MiniLmTextEncoder.create(TextEncoderConfig.builder().maxLength(16).build())) {
            StaleFeatureCacheException e = assertThrows(StaleFeatureCacheException.class,
                    () -> EncoderFeatures.pooledText(cache, "reviews", other, TEXTS));
            assertTrue(e.getMessage().contains("L=16") && e.getMessage().contains("L=32"), e.getMessage());
        }
    }
}

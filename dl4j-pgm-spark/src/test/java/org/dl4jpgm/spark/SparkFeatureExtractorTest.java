package org.dl4jpgm.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.encoders.TestModels;
import org.dl4jpgm.encoders.image.ImageEncoderConfig;
import org.dl4jpgm.encoders.image.MobileNetV2ImageEncoder;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.dl4jpgm.examples.features.EncoderFeatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distributed feature extraction in local[2] writes the feature-cache entry of the single-machine path
 * ({@code EncoderFeatures}) byte for byte, and resumes from the parts of an interrupted run.
 */
class SparkFeatureExtractorTest {

    private static JavaSparkContext sc;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        sc = SparkContexts.create("SparkFeatureExtractorTest", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.stop();
        }
    }

    private static FeatureCacheConfig config(int batch) {
        return FeatureCacheConfig.builder().batchSize(batch).progress(false).build();
    }

    private static List<String> texts() {
        String[] words = {"the", "film", "was", "slow", "but", "moving", "a", "bright", "cast", "never", "quite",
                "lands", "its", "jokes", "score", "soars"};
        Random r = new Random(4);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            StringBuilder sb = new StringBuilder("review " + i + ":");
            for (int w = 0; w < 3 + r.nextInt(12); w++) {
                sb.append(' ').append(words[r.nextInt(words.length)]);
            }
            texts.add(sb.toString());
        }
        return texts;
    }

    @Test
    void textFeaturesAreTheSingleMachineCacheAndResumeFromParts() throws Exception {
        List<String> texts = texts();
        Path single = dir.resolve("single");
        INDArray reference;
        try (MiniLmTextEncoder enc = MiniLmTextEncoder.create(TextEncoderConfig.builder().build())) {
            reference = EncoderFeatures.pooledText(new FeatureCache(single, config(4)), "text", enc, texts);
        }
        Path spark = dir.resolve("spark");
        SparkFeatureExtractor ex = new SparkFeatureExtractor(spark, config(4), 2);
        SparkFeatureExtractor.Result r = ex.extract(sc, "text", EncoderSpec.text(true), texts);
        assertEquals(3, r.computed());
        assertSameEntry(single, spark, "text");
        assertEquals(reference, r.features());

        // a valid entry is read, not extracted again
        assertTrue(ex.extract(sc, "text", EncoderSpec.text(true), texts).entryWasValid());

        // an interrupted run left chunk 0 (items 0..7): the rerun extracts chunks 1 and 2 only
        Files.delete(spark.resolve("text.npy"));
        Files.delete(spark.resolve("text.json"));
        String identity;
        try (EncoderSpec.Opened e = EncoderSpec.text(true).open()) {
            identity = e.identity();
        }
        Path parts = ex.partsFolder("text", identity, FeatureCache.fingerprint(texts));
        Files.createDirectories(parts);
        Nd4j.writeAsNumpy(reference.get(NDArrayIndex.interval(0, 8)).dup('c'),
                SparkFeatureExtractor.partFile(parts, 0).toFile());
        r = ex.extract(sc, "text", EncoderSpec.text(true), texts);
        assertEquals(2, r.computed());
        assertEquals(1, r.reused());
        assertSameEntry(single, spark, "text");
        assertFalse(Files.exists(parts), "parts are removed once the entry is written");
    }

    @Test
    void imageFeaturesAreTheSingleMachineCache() throws Exception {
        TestModels.nsfwjsModelJson();
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        Random r = new Random(8);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            BufferedImage img = new BufferedImage(40 + 8 * i, 32, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            Path f = images.resolve("img" + i + ".png");
            ImageIO.write(img, "png", f.toFile());
            files.add(f);
        }
        Path single = dir.resolve("single-img");
        try (MobileNetV2ImageEncoder enc = MobileNetV2ImageEncoder.create(ImageEncoderConfig.builder().build())) {
            EncoderFeatures.image(new FeatureCache(single, config(2)), "image", enc, files);
        }
        Path spark = dir.resolve("spark-img");
        SparkFeatureExtractor.Result res = new SparkFeatureExtractor(spark, config(2), 1)
                .extract(sc, "image", EncoderSpec.image(), files.stream().map(Path::toString).toList());
        assertEquals(3, res.computed());
        assertSameEntry(single, spark, "image");
    }

    /** The two caches hold the same entry: the same header (encoder, items, shape, SHA-256) and the same bytes. */
    private static void assertSameEntry(Path a, Path b, String name) throws Exception {
        assertEquals(Files.readString(a.resolve(name + ".json")), Files.readString(b.resolve(name + ".json")));
        assertArrayEquals(Files.readAllBytes(a.resolve(name + ".npy")), Files.readAllBytes(b.resolve(name + ".npy")));
    }
}

package org.dl4jpgm.examples.features;

import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Command: pooled MiniLM features of a text file (one item per non-empty line) into a feature cache folder.
 * Arguments: {@code <texts.txt> <cacheDir> [--backend ONNX_RUNTIME|SAMEDIFF] [--maxLength L]}. A second run
 * reads the cache; a changed file, model or setting is detected and recomputed.
 */
public final class ExtractTextFeatures {

    private ExtractTextFeatures() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ExtractTextFeatures <texts.txt> <cacheDir> [--backend ONNX_RUNTIME|SAMEDIFF]"
                    + " [--maxLength L]");
            System.exit(2);
        }
        TextEncoderConfig.Builder cfg = TextEncoderConfig.builder();
        for (int i = 2; i < args.length; i++) {
            if ("--backend".equals(args[i])) {
                cfg.backend(EncoderBackend.valueOf(args[++i]));
            } else if ("--maxLength".equals(args[i])) {
                cfg.maxLength(Integer.parseInt(args[++i]));
            } else {
                throw new IllegalArgumentException("ExtractTextFeatures: unknown argument '" + args[i] + "'");
            }
        }
        Path texts = Path.of(args[0]);
        List<String> lines = Files.readAllLines(texts, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toList());
        FeatureCache cache = new FeatureCache(Path.of(args[1]), FeatureCacheConfig.builder().build());
        String name = texts.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_") + ".minilm";
        try (MiniLmTextEncoder enc = MiniLmTextEncoder.create(cfg.build())) {
            INDArray f = EncoderFeatures.pooledText(cache, name, enc, lines);
            System.out.println("features " + Arrays.toString(f.shape()) + " in " + cache.dataFile(name)
                    + " (encoder: " + enc.identity() + ")");
        }
    }
}

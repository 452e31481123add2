package org.dl4jpgm.examples.features;

import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Command: pooled MiniLM features of a text file (one item per non-empty line) into a feature cache folder.
 * Arguments: {@code TEXTS CACHE_DIR [--backend ONNX_RUNTIME|SAMEDIFF] [--maxLength L]} ({@code --help}). A second
 * run reads the cache; a changed file, model or setting is detected and recomputed.
 */
@Command(name = "ExtractTextFeatures", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Pooled MiniLM features of a text file into a feature cache folder.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class ExtractTextFeatures implements Callable<Integer> {

    private ExtractTextFeatures() {
    }

    /** The text file, one item per non-empty line. */
    @Parameters(index = "0", paramLabel = "TEXTS", description = "text file, one item per non-empty line")
    private Path texts;
    /** The feature cache folder. */
    @Parameters(index = "1", paramLabel = "CACHE_DIR", description = "feature cache folder")
    private Path cacheDir;
    /** The encoder's backend. */
    @Option(names = "--backend", paramLabel = "BACKEND",
            description = "ONNX_RUNTIME or SAMEDIFF (default: the encoder configuration's)")
    private EncoderBackend backend;
    /** Tokens per item. */
    @Option(names = "--maxLength", paramLabel = "L", converter = Converters.PositiveInt.class,
            description = "tokens per item (default: the encoder configuration's)")
    private Integer maxLength;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new ExtractTextFeatures(), null, args);
    }

    @Override
    public Integer call() throws Exception {
        TextEncoderConfig.Builder cfg = TextEncoderConfig.builder();
        if (backend != null) {
            cfg.backend(backend);
        }
        if (maxLength != null) {
            cfg.maxLength(maxLength);
        }
        List<String> lines = Files.readAllLines(texts, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toList());
        FeatureCache cache = new FeatureCache(cacheDir, FeatureCacheConfig.builder().build());
        String name = texts.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_") + ".minilm";
        try (MiniLmTextEncoder enc = MiniLmTextEncoder.create(cfg.build())) {
            INDArray f = EncoderFeatures.pooledText(cache, name, enc, lines);
            System.out.println("features " + Arrays.toString(f.shape()) + " in " + cache.dataFile(name)
                    + " (encoder: " + enc.identity() + ")");
        }
        return 0;
    }
}

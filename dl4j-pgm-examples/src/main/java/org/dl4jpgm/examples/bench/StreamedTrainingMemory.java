package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.datavec.cache.NpyRows;
import org.dl4jpgm.datavec.cache.StreamedFeatureIterator;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.PgmGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Memory of PgM training on features of Food-101 size streamed from a feature cache on disk: two vector modalities of
 * 768 (the size of the paper's image and text features), 101 classes, up to 90k examples (UPMC Food-101's train split
 * is about 67k-68k; 90k bounds it). The features are generated once, batch by batch, into cache entries
 * ({@link FeatureCache#writeStreamed}) and read back batch by batch ({@link StreamedFeatureIterator}), so that nothing
 * of size N is held in memory; the peak RSS of a run should then not grow with N.
 *
 * <p>One run trains the main job's PgM graph ({@link ExperimentRunner#build(List, InputType[], boolean, long,
 * org.dl4jpgm.examples.experiment.TrainingSettings, ExperimentRunner.OutputExtension, FusionChoice, long)}, the
 * training options' width, iterations, batch; stage-2 loss weights α, β) for one epoch over the first
 * {@code --examples} examples, then prints the process's peak RSS ({@code VmHWM} of {@code /proc/self/status}), the
 * JVM heap's peak and the ms per step. Compare N in separate processes (the peak RSS is the process's): the numbers in
 * docs/performance.md come from runs at 10k, 45k and 90k with the same JVM options.
 *
 * <p>The features: class k has a mean vector μ_k ~ N(0, I) per modality; example i has class {@code y_i} uniform over
 * the classes and features {@code 0.5 μ_{y_i} + N(0, I)}, from a seeded generator (the same files for the same seed).
 */
@Command(name = "StreamedTrainingMemory", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Peak memory of PgM training on Food-101-size features streamed from a feature cache on disk.",
                ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class StreamedTrainingMemory implements Callable<Integer> {

    private static final List<String> MODALITIES = List.of("image", "text");
    private static final String LABELS = "labels";

    @Mixin
    private TrainingOptions o = new TrainingOptions(Presets.CPU);
    @Option(names = "--examples", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "examples to train on, the first N of the generated ones (default ${DEFAULT-VALUE})")
    private int examples = 10_000;
    @Option(names = "--generated", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "examples in the generated cache entries (default ${DEFAULT-VALUE})")
    private int generated = 90_000;
    @Option(names = "--feature-width", paramLabel = "D", converter = Converters.PositiveInt.class,
            description = "width of each modality's features (default ${DEFAULT-VALUE})")
    private int featureWidth = 768;
    @Option(names = "--classes", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "classes (default ${DEFAULT-VALUE})")
    private int classes = 101;
    @Option(names = "--cache", paramLabel = "DIR", description = "the feature cache folder (default: "
            + "<java.io.tmpdir>/dl4jpgm-food101-size-features)")
    private Path cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "dl4jpgm-food101-size-features");
    @Option(names = "--generate-only", description = "write the cache entries (if missing) and exit")
    private boolean generateOnly;
    @Option(names = "--seed", paramLabel = "S", description = "data and model seed (default ${DEFAULT-VALUE})")
    private long seed = 7;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private StreamedTrainingMemory() {
    }

    public static void main(String[] args) {
        StreamedTrainingMemory b = new StreamedTrainingMemory();
        Cli.main(b, b.o, args);
    }

    @Override
    public Integer call() throws IOException {
        if (examples > generated) {
            throw new IllegalArgumentException("--examples " + examples + " exceeds --generated " + generated);
        }
        FeatureCache cache = new FeatureCache(cacheDir, FeatureCacheConfig.builder().batchSize(1000).progress(false)
                .build());
        String encoder = String.format(Locale.ROOT, "generated class means, width %d, %d classes, seed %d",
                featureWidth, classes, seed);
        String dataset = "generated n=" + generated;
        generate(cache, encoder, dataset);
        if (generateOnly) {
            System.out.println("cache entries in " + cacheDir.toAbsolutePath());
            return 0;
        }
        ExperimentRunner.Built built = ExperimentRunner.build(MODALITIES,
                new InputType[]{InputType.feedForward(featureWidth), InputType.feedForward(featureWidth)}, true,
                classes, o, null, FusionChoice.parse("PGM"), seed);
        ComputationGraph g = built.graph();
        new PgmGraph(g, built.fused()).setLossWeights(new LossWeights(o.getAlpha(), o.getBeta()));
        try (NpyRows image = cache.rows(MODALITIES.get(0), encoder, dataset);
             NpyRows text = cache.rows(MODALITIES.get(1), encoder, dataset);
             NpyRows labels = cache.rows(LABELS, encoder, dataset)) {
            StreamedFeatureIterator it = new StreamedFeatureIterator(List.of(image, text), labels, classes, examples,
                    o.getBatchSize());
            long t0 = System.nanoTime();
            g.fit(it);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long steps = (examples + o.getBatchSize() - 1) / o.getBatchSize();
            System.out.printf(Locale.ROOT, "examples %d (of %d generated, %d x %d features, %d classes), B = %d, "
                            + "D = %d, N = %d: %d steps in %.1f s (%.1f ms / step), score %.4f%n", examples, generated,
                    MODALITIES.size(), featureWidth, classes, o.getBatchSize(), o.getWidth(), o.getIterations(), steps,
                    seconds, 1e3 * seconds / steps, g.score());
        }
        System.out.printf(Locale.ROOT, "result memory examples=%d peakRssMiB=%.1f rssMiB=%.1f heapPeakMiB=%.1f "
                        + "heapMaxMiB=%.1f%n", examples, procStatusKiB("VmHWM") / 1024.0, procStatusKiB("VmRSS") / 1024.0,
                heapPeakBytes() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        return 0;
    }

    /** Writes the two feature entries and the labels, batch by batch, unless they are there and intact. */
    private void generate(FeatureCache cache, String encoder, String dataset) throws IOException {
        boolean intact = true;
        for (String name : List.of(MODALITIES.get(0), MODALITIES.get(1), LABELS)) {
            try {
                cache.verify(name, encoder, dataset);
            } catch (IOException | RuntimeException e) {
                intact = false;
            }
        }
        if (intact) {
            return;
        }
        System.err.println("generating " + generated + " examples into " + cacheDir.toAbsolutePath());
        cache.writeStreamed(LABELS, encoder, dataset, generated, new long[0], (from, to) -> labels(from, to));
        for (int m = 0; m < MODALITIES.size(); m++) {
            Nd4j.getRandom().setSeed(seed * 31 + m);
            INDArray means = Nd4j.randn(DataType.FLOAT, classes, featureWidth);
            int modality = m;
            cache.writeStreamed(MODALITIES.get(m), encoder, dataset, generated, new long[]{featureWidth},
                    (from, to) -> {
                        INDArray y = labels(from, to);
                        Nd4j.getRandom().setSeed(seed * 1_000_003L + 7919L * from + modality);
                        INDArray noise = Nd4j.randn(DataType.FLOAT, to - from, featureWidth);
                        for (int i = 0; i < to - from; i++) {
                            noise.getRow(i).addi(means.getRow(y.getInt(i)).mul(0.5));
                        }
                        return noise;
                    });
        }
    }

    /** The class of examples [from, to): a hash of (seed, i) modulo the classes. */
    private INDArray labels(int from, int to) {
        float[] y = new float[to - from];
        for (int i = from; i < to; i++) {
            long h = (seed * 0x9E3779B97F4A7C15L) ^ (i * 0xC2B2AE3D27D4EB4FL);
            h ^= h >>> 31;
            y[i - from] = (float) Math.floorMod(h * 0x165667B19E3779F9L >>> 17, classes);
        }
        return Nd4j.createFromArray(y);
    }

    /** A field of /proc/self/status in KiB (Linux); -1 elsewhere. */
    static long procStatusKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The sum of the heap pools' peak usage since the JVM started. */
    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}

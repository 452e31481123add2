package org.dl4jpgm.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.ProjectHome;
import org.dl4jpgm.fusion.PgmGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * Trains the main job's graph (PgM by default) on Spark with parameter averaging, in PgM's two stages, evaluates it on
 * the driver and saves it; {@code extract} runs an encoder per partition and writes the feature cache. Runs under
 * spark-submit (the master and resources from its command line) or in {@code local[N]} ({@code --master local[2]}).
 * docs/spark.md has the commands, the versions and the measurements.
 */
@Command(name = "SparkTrainMain", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = SparkTrainMain.Extract.class,
        description = "Trains the main job's graph on Spark (dl4j-spark parameter averaging) in PgM's two stages, "
                + "prints the test metrics and examples per second, and saves the model.")
public final class SparkTrainMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainMain.class);

    /** The training options every main shares (width, epochs, batch per worker, learning rates, α, β, presets). */
    @Mixin
    TrainingOptions training = new TrainingOptions(Presets.CPU);

    @Option(names = "--master", description = "Spark master, e.g. local[2] (default: the one spark-submit sets)")
    String master;

    @Option(names = "--dataset", description = "dataset folder in the project's layout (default: the embedded "
            + "digits-speech set)")
    Path dataset;

    @Option(names = "--target", description = "target to predict (default: the dataset's default target)")
    String target;

    @Option(names = "--fusion", defaultValue = "PGM", description = "a main job fusion: PGM, CONCAT, MLP, ... "
            + "(default: ${DEFAULT-VALUE})")
    String fusion;

    @Option(names = "--seed", defaultValue = "100", description = "seed of the graph and the shuffle (default: "
            + "${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--averaging-frequency", defaultValue = "1", description = "minibatches each worker fits between "
            + "two averagings (default: ${DEFAULT-VALUE})")
    int averagingFrequency;

    @Option(names = "--max-train", defaultValue = "0", description = "at most N training examples, 0 = all")
    int maxTrain;

    @Option(names = "--max-test", defaultValue = "0", description = "at most N test examples, 0 = all")
    int maxTest;

    @Option(names = "--train-split", defaultValue = "train", description = "training split (default: "
            + "${DEFAULT-VALUE})")
    String trainSplit;

    @Option(names = "--test-split", defaultValue = "test", description = "evaluation split (default: ${DEFAULT-VALUE})")
    String testSplit;

    @Option(names = "--export-dir", description = "write the training minibatches here (a folder every worker reads) "
            + "and train from the files instead of an in-memory RDD")
    Path exportDir;

    @Option(names = "--out", description = "where the trained model is saved (default: spark-out/<fusion>-spark.zip "
            + "under the checkout)")
    Path out;

    @Option(names = "--compare-local", description = "also train the same graph on the driver alone (the main job's "
            + "training) and print both metrics")
    boolean compareLocal;

    @Option(names = "--quick", description = "2 joint epochs, at most 256 training and 128 test examples")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        if (quick) {
            Presets.apply(training, Presets.QUICK);
            maxTrain = maxTrain > 0 ? Math.min(maxTrain, 256) : 256;
            maxTest = maxTest > 0 ? Math.min(maxTest, 128) : 128;
        }
        LayoutReader reader = dataset == null ? EmbeddedDatasets.openDigitsSpeech() : new LayoutReader(dataset);
        DatasetDescriptor d = reader.descriptor();
        TargetSpec t = target == null ? d.getDefaultTarget() : d.getTarget(target);
        SplitData train = limit(reader.readSplit(trainSplit), maxTrain);
        SplitData test = limit(reader.readSplit(testSplit), maxTest);
        int batch = training.getBatchSize();
        PgmSparkJob job = new PgmSparkJob(d, t, train, test, training, fusion);
        Path model = out != null ? out : ProjectHome.resolve("spark-out", fusion.toLowerCase(Locale.ROOT).replaceAll(
                "[^a-z0-9._-]+", "_") + "-spark.zip");
        try (JavaSparkContext sc = SparkContexts.create("dl4j-pgm SparkTrainMain", master)) {
            int workers = sc.defaultParallelism();
            System.out.printf(Locale.ROOT, "%s on %s (%s), target %s; %d training, %d test examples; master %s, %d "
                            + "workers, batch %d per worker, averaging every %d minibatches%n", fusion, d.getName(),
                    dataset == null ? "embedded" : dataset, t.getName(), train.size(), test.size(), sc.master(),
                    workers, batch, averagingFrequency);
            SparkTrainingOptions options = job.sparkOptions(seed).averagingFrequency(averagingFrequency).build();
            SparkPgmTrainer trainer = new SparkPgmTrainer(options).onEpoch(r -> System.out.println(r.format()));
            PgmGraph pgm = job.build(seed);
            long t0 = System.nanoTime();
            List<SparkPgmTrainer.EpochResult> history;
            if (exportDir != null) {
                List<String> paths = SparkData.export(job.trainingData(sc, seed).collect(), exportDir);
                history = trainer.fitPaths(sc, pgm, sc.parallelize(paths, workers));
            } else {
                JavaRDD<MultiDataSet> rdd = job.trainingData(sc, seed);
                history = trainer.fit(sc, pgm, rdd, batch);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] m = job.evaluate(pgm.graph());
            String a = job.isClassification() ? "ACC" : "MAE";
            String b = job.isClassification() ? "F1" : "Corr";
            long examples = (long) train.size() * history.size();
            int batches = (train.size() + batch - 1) / batch;
            int rounds = (batches + workers * averagingFrequency - 1) / (workers * averagingFrequency);
            double later = history.stream().skip(1).mapToDouble(SparkPgmTrainer.EpochResult::seconds).sum();
            System.out.printf(Locale.ROOT, "Spark (%s): test %s %.4f, %s %.4f; %d epochs in %.1f s, %.1f examples/s "
                            + "(after the first epoch, which exports the data: %.1f examples/s); %d averaging rounds "
                            + "per epoch%n", sc.master(), a, m[0], b, m[1], history.size(), seconds,
                    examples / seconds, history.size() > 1 ? train.size() * (history.size() - 1) / later : Double.NaN,
                    rounds);
            Files.createDirectories(model.toAbsolutePath().getParent());
            ModelSerializer.writeModel(pgm.graph(), model.toFile(), true);
            System.out.println("Model: " + model);
            if (compareLocal) {
                long t1 = System.nanoTime();
                double[] l = job.evaluate(job.trainLocally(seed));
                double ls = (System.nanoTime() - t1) / 1e9;
                System.out.printf(Locale.ROOT, "Single machine: test %s %.4f, %s %.4f; %.1f s, %.1f examples/s%n", a,
                        l[0], b, l[1], ls, examples / ls);
            }
        }
        return 0;
    }

    private static SplitData limit(SplitData s, int max) {
        return max <= 0 || max >= s.size() ? s : s.rows(IntStream.range(0, max).toArray());
    }

    /** Runs an encoder over raw items on Spark and writes the feature cache entry (resumable). */
    @Command(name = "extract", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Runs an encoder over raw items (one text or image path per line of a file) on Spark and "
                    + "writes the feature-cache entry the single-machine path writes; a rerun resumes.")
    static final class Extract implements Callable<Integer> {

        @Option(names = "--master", description = "Spark master, e.g. local[2] (default: the one spark-submit sets)")
        String master;

        @Option(names = "--items", required = true, description = "file with one item per line")
        Path items;

        @Option(names = "--kind", required = true, description = "TEXT_POOLED, TEXT_SEQUENCE or IMAGE")
        EncoderSpec.Kind kind;

        @Option(names = "--cache", required = true, description = "feature cache folder (shared by the workers)")
        Path cache;

        @Option(names = "--name", required = true, description = "entry name ([A-Za-z0-9._-]+)")
        String name;

        @Option(names = "--batch", defaultValue = "32", description = "encoder batch (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--batches-per-chunk", defaultValue = "8", description = "batches per unit of work and of "
                + "resuming (default: ${DEFAULT-VALUE})")
        int batchesPerChunk;

        @Override
        public Integer call() throws Exception {
            List<String> lines = Files.readAllLines(items).stream().filter(l -> !l.isBlank()).toList();
            EncoderSpec spec = kind == EncoderSpec.Kind.IMAGE ? EncoderSpec.image()
                    : EncoderSpec.text(kind == EncoderSpec.Kind.TEXT_POOLED);
            try (JavaSparkContext sc = SparkContexts.create("dl4j-pgm SparkTrainMain extract", master)) {
                long t0 = System.nanoTime();
                SparkFeatureExtractor.Result r = new SparkFeatureExtractor(cache, FeatureCacheConfig.builder()
                        .batchSize(batch).progress(false).build(), batchesPerChunk).extract(sc, name, spec, lines);
                System.out.printf(Locale.ROOT, "%s: %s %s, %d chunks extracted, %d reused, %.1f s%n", cache.resolve(
                        name + ".npy"), r.entryWasValid() ? "valid entry," : "written,", java.util.Arrays.toString(
                        r.features().shape()), r.computed(), r.reused(), (System.nanoTime() - t0) / 1e9);
            }
            return 0;
        }
    }

    public static void main(String[] args) {
        SparkTrainMain main = new SparkTrainMain();
        try {
            Cli.applyPreset(main, main.training, args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(Cli.USAGE_ERROR);
        }
        int code = new CommandLine(main).execute(args);
        if (code != 0) {
            LOG.error("SparkTrainMain: exit status {}", code);
            System.exit(code);
        }
    }
}

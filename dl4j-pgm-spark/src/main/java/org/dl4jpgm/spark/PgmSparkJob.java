package org.dl4jpgm.spark;

import org.dl4jpgm.examples.experiment.TrainingSettings;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.eval.ClassificationMetrics;
import org.dl4jpgm.eval.MosiMetrics;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.PgmGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;

/**
 * The main job's experiment on Spark: its graph for a fusion ({@link ExperimentRunner#build}, PgM by default), its
 * training split as an RDD, training with {@link SparkPgmTrainer} and the main job's test metrics (ACC and weighted
 * F1, or MAE and correlation) on the driver; {@link #trainLocally} is the single-machine reference
 * ({@link ExperimentRunner#train}) on the same data and seed.
 */
public final class PgmSparkJob {

    private final DatasetDescriptor descriptor;
    private final TargetSpec target;
    private final SplitData train;
    private final SplitData test;
    private final TrainingSettings settings;
    private final ExperimentRunner runner;
    private final FusionChoice choice;

    /**
     * @param fusion a fusion name of the main job ({@code PGM}, {@code CONCAT}, ...)
     */
    public PgmSparkJob(DatasetDescriptor descriptor, TargetSpec target, SplitData train, SplitData test,
                       TrainingSettings settings, String fusion) {
        this.descriptor = descriptor;
        this.target = target;
        this.train = train;
        this.test = test;
        this.settings = settings;
        this.runner = new ExperimentRunner(descriptor, target, train, test, settings);
        this.choice = FusionChoice.parse(fusion);
    }

    /** The graph of the fusion at {@code seed}, untrained. */
    public PgmGraph build(long seed) {
        ExperimentRunner.Built built = runner.build(choice, seed);
        return new PgmGraph(built.graph(), built.fused());
    }

    /** The training split's minibatches (the settings' batch size, shuffled with {@code seed}) as an RDD. */
    public JavaRDD<MultiDataSet> trainingData(JavaSparkContext sc, long seed) {
        return SparkData.fromLayout(sc, descriptor, train, target.getName(), settings.getBatchSize(), seed,
                sc.defaultParallelism());
    }

    /** Spark training options with the settings' epochs and batch size and {@code seed} for the splits. */
    public SparkTrainingOptions.Builder sparkOptions(long seed) {
        return SparkTrainingOptions.builder().seed(seed).stage1Epochs(settings.getStage1Epochs())
                .stage2Epochs(settings.getStage2Epochs()).batchSizePerWorker(settings.getBatchSize());
    }

    /** Builds the graph at {@code seed} and trains it on Spark. */
    public PgmGraph trainOnSpark(JavaSparkContext sc, long seed, SparkTrainingOptions options,
                                 List<SparkPgmTrainer.EpochResult> history) {
        PgmGraph pgm = build(seed);
        List<SparkPgmTrainer.EpochResult> h = new SparkPgmTrainer(options).fit(sc, pgm, trainingData(sc, seed),
                settings.getBatchSize());
        if (history != null) {
            history.addAll(h);
        }
        return pgm;
    }

    /** The single-machine reference: the main job's training ({@link ExperimentRunner#train}) at {@code seed}. */
    public ComputationGraph trainLocally(long seed) {
        return runner.train(choice, seed, false, r -> { }).graph();
    }

    /**
     * ACC and weighted F1 (classification) or MAE and Pearson correlation (regression) on the test split, as the main
     * job computes them ({@link ExperimentRunner#evaluate}), in that order.
     */
    public double[] evaluate(ComputationGraph g) {
        return runner.evaluate(g, test).named().values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Whether the target is a classification (metrics ACC, F1) or a regression (MAE, Corr). */
    public boolean isClassification() {
        return target.getTask() == TaskType.CLASSIFICATION;
    }

    /** Examples in the training split. */
    public int trainingExamples() {
        return train.size();
    }
}

package org.dl4jpgm.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.fusion.PgmGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains a PgM graph ({@link PgmGraph}: one built by {@code PgmFusion.add}, or a host graph whose fusion
 * {@code PgmFusion.replace} replaced) on Spark with dl4j-spark's parameter averaging, in PgM's two stages: stage 1
 * (L_P alone, α = 1, β = 0) then stage 2 (the joint weights, default 0.5 L_P + L_T); a baseline trains stage 2 only.
 *
 * <p>α and β live in the graph's configuration ({@link PgmGraph#setLossWeights}). dl4j-spark's
 * {@link ParameterAveragingTrainingMaster} broadcasts the driver's configuration with the parameters and the
 * updater state at every averaging round, and the workers build their graph from it, so a change made on the driver
 * between two epochs is what the workers train with from the next round on ({@code SparkPgmTrainerTest} checks that
 * stage 1 leaves the task head's weights untouched, i.e. trains with β = 0). The driver's graph holds the averaged
 * parameters after every epoch: {@code pgm.graph()} is the trained model.
 *
 * <p>Data: an RDD of minibatches ({@link #fit}; the Export approach re-batches it to the batch size per worker and
 * writes it once under the export folder, DL4J's default and the only approach that trains on all of pre-batched
 * data) or the paths of exported minibatches on a shared file system ({@link #fitPaths}; {@link SparkData#export}).
 */
public final class SparkPgmTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkPgmTrainer.class);

    /**
     * One epoch on the cluster.
     *
     * @param stage   1 or 2
     * @param epoch   1-based within its stage
     * @param weights α and β it trained with
     * @param score   the driver's score after the epoch (dl4j-spark's average of the workers' last scores)
     * @param seconds wall time of the epoch
     * @param stats   dl4j-spark's timings of the epoch (null unless {@link SparkTrainingOptions#isCollectStats()})
     */
    public record EpochResult(int stage, int epoch, LossWeights weights, double score, double seconds,
                              SparkTrainingStats stats) {

        /** One line: stage, epoch, weights, score, seconds. */
        public String format() {
            return String.format(java.util.Locale.ROOT, "stage %d epoch %d (alpha %.2f, beta %.2f): score %.4f, %.1f s",
                    stage, epoch, weights.alpha(), weights.beta(), score, seconds);
        }
    }

    private final SparkTrainingOptions options;
    private Consumer<EpochResult> progress = r -> LOG.info("{}", r.format());

    /** @param options epochs, weights and averaging settings */
    public SparkPgmTrainer(SparkTrainingOptions options) {
        this.options = options;
    }

    /** Receives every epoch's result (default: logged). */
    public SparkPgmTrainer onEpoch(Consumer<EpochResult> progress) {
        this.progress = progress;
        return this;
    }

    /**
     * The parameter-averaging training master of these options for RDD elements of {@code examplesPerElement}, with
     * the cluster's default parallelism as its number of workers (given explicitly: dl4j-spark 1.0.0-M2 looks it up
     * through the wrong network type when it trains a ComputationGraph on paths, a NullPointerException). The workers'
     * graphs update through {@code GraphUpdaters}' fast paths ({@link GraphUpdatersHook}).
     */
    public ParameterAveragingTrainingMaster trainingMaster(JavaSparkContext sc, int examplesPerElement) {
        ParameterAveragingTrainingMaster.Builder b = new ParameterAveragingTrainingMaster.Builder(
                sc.defaultParallelism(), examplesPerElement)
                .batchSizePerWorker(options.getBatchSizePerWorker())
                .averagingFrequency(options.getAveragingFrequency())
                .workerPrefetchNumBatches(options.getPrefetchBatches())
                .rddTrainingApproach(RDDTrainingApproach.Export)
                .saveUpdater(true)
                .rngSeed(options.getSeed())
                .collectTrainingStats(options.isCollectStats())
                .trainingHooks(new GraphUpdatersHook());
        if (options.getExportDirectory() != null) {
            b.exportDirectory(options.getExportDirectory());
        }
        if (options.isCollectStats() && System.getProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY) == null) {
            // the statistics' default clock asks an NTP server on the internet (and fails without one); executors on
            // a cluster take the same -D through spark.executor.extraJavaOptions (docs/spark.md)
            System.setProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        }
        return b.build();
    }

    /**
     * Trains on an RDD of minibatches of {@code examplesPerElement} examples each (the last may be smaller).
     *
     * @return one result per epoch
     */
    public List<EpochResult> fit(JavaSparkContext sc, PgmGraph pgm, JavaRDD<MultiDataSet> train,
                                 int examplesPerElement) {
        TrainingMaster<?, ?> tm = trainingMaster(sc, examplesPerElement);
        try {
            return run(pgm, new SparkComputationGraph(sc, pgm.graph(), tm), net -> net.fitMultiDataSet(train));
        } finally {
            tm.deleteTempFiles(sc);
        }
    }

    /**
     * Trains on exported minibatches (one {@code MultiDataSet.save} file each, {@link SparkData#export}), the path
     * DL4J recommends for data larger than the cluster's memory.
     *
     * @return one result per epoch
     */
    public List<EpochResult> fitPaths(JavaSparkContext sc, PgmGraph pgm, JavaRDD<String> paths) {
        TrainingMaster<?, ?> tm = trainingMaster(sc, options.getBatchSizePerWorker());
        return run(pgm, new SparkComputationGraph(sc, pgm.graph(), tm), net -> net.fitPaths(paths, new MaskSafeMultiDataSetLoader()));
    }

    private List<EpochResult> run(PgmGraph pgm, SparkComputationGraph net, Consumer<SparkComputationGraph> epoch) {
        int n1 = pgm.fused().isPgm() ? options.getStage1Epochs() : 0;
        int n2 = options.getStage2Epochs();
        List<EpochResult> results = new ArrayList<>();
        for (int k = 0; k < n1 + n2; k++) {
            int stage = k < n1 ? 1 : 2;
            LossWeights w = stage == 1 ? LossWeights.PRETRAINING : options.getJoint();
            pgm.setLossWeights(w);
            long t0 = System.nanoTime();
            epoch.accept(net);
            ComputationGraph trained = net.getNetwork();
            if (trained != pgm.graph()) {
                // dl4j-spark keeps averaging into the graph it was given; copy in case a version replaces it
                pgm.graph().setParams(trained.params());
            }
            SparkTrainingStats stats = options.isCollectStats() ? net.getSparkTrainingStats() : null;
            EpochResult r = new EpochResult(stage, stage == 1 ? k + 1 : k - n1 + 1, w, net.getScore(),
                    (System.nanoTime() - t0) / 1e9, stats);
            results.add(r);
            progress.accept(r);
        }
        pgm.setLossWeights(options.getJoint());
        return results;
    }
}

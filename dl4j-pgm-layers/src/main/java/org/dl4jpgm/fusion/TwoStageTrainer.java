package org.dl4jpgm.fusion;

import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * PgM's two-stage training (Eq. 12, Sec. 4.2) for a graph built by {@link PgmFusion}: stage 1 trains on L_P alone
 * (weights {@code (α, β) = (1, 0)}) for N1 epochs, stage 2 on {@code α L_P + β L_T} for N2 epochs (paper: N1 = 20,
 * N2 = 50, α = 0.5, β = 1). The switch changes only the weights that {@link PgmDataSetIterator} adds to each batch:
 * the graph is not rebuilt. The graph's own listeners see every iteration; stage 2 can run under DL4J early stopping.
 * After each epoch the trainer records UFC, PFC, UPR and the task loss on a monitoring iterator.
 * Graphs without PgM (baselines) skip stage 1.
 */
public final class TwoStageTrainer {

    private final TrainerOptions options;
    private Consumer<EpochRecord> progress = r -> { };

    public TwoStageTrainer(TrainerOptions options) {
        this.options = options;
    }

    /** Called after every epoch (e.g. {@code r -> System.out.println(r.format())}). */
    public TwoStageTrainer onEpoch(Consumer<EpochRecord> progress) {
        this.progress = progress;
        return this;
    }

    /**
     * Trains {@code graph}.
     *
     * @param graph   a graph built by {@link PgmFusion} (objective output last, if any)
     * @param fused   what {@link PgmFusion} returned for it
     * @param train   features and task labels
     * @param monitor where the per-epoch losses are measured (null = {@code train})
     * @return one record per epoch
     */
    public List<EpochRecord> fit(ComputationGraph graph, Fused fused, MultiDataSetIterator train,
                                 MultiDataSetIterator monitor) {
        boolean pgm = fused.objectiveOutput() != null;
        List<EpochRecord> history = new ArrayList<>();
        PgmDataSetIterator it = new PgmDataSetIterator(train, pgm, new LossWeights(1, 0));
        if (pgm) {
            for (int e = 1; e <= options.getStage1Epochs(); e++) {
                history.add(epoch(graph, fused, it, monitor == null ? train : monitor, 1, e));
            }
        }
        it.setWeights(new LossWeights(options.getAlpha(), options.getBeta()));
        EarlyStoppingConfiguration<ComputationGraph> es = options.getEarlyStopping();
        if (es == null) {
            for (int e = 1; e <= options.getStage2Epochs(); e++) {
                history.add(epoch(graph, fused, it, monitor == null ? train : monitor, 2, e));
            }
        } else {
            EarlyStoppingResult<ComputationGraph> r = new EarlyStoppingGraphTrainer(es, graph, it, null).fit();
            ComputationGraph best = r.getBestModel();
            if (best != null) {
                graph.setParams(best.params());
            }
            long t0 = System.nanoTime();
            history.add(measure(graph, fused, monitor == null ? train : monitor, 2, r.getTotalEpochs(), t0));
        }
        return history;
    }

    private EpochRecord epoch(ComputationGraph graph, Fused fused, PgmDataSetIterator it, MultiDataSetIterator monitor,
                              int stage, int epoch) {
        long t0 = System.nanoTime();
        it.reset();
        graph.fit(it);
        EpochRecord r = measure(graph, fused, monitor, stage, epoch, t0);
        progress.accept(r);
        return r;
    }

    /** UFC, PFC, UPR and task loss of {@code graph} on up to {@code monitorBatches} batches of {@code data}. */
    public EpochRecord measure(ComputationGraph graph, Fused fused, MultiDataSetIterator data, int stage, int epoch,
                               long startNanos) {
        boolean pgm = fused.objectiveOutput() != null;
        PgmDataSetIterator taskOnly = new PgmDataSetIterator(data, pgm, LossWeights.taskOnly());
        double[] obj = new double[3];
        double task = 0;
        long examples = 0;
        int batches = 0;
        data.reset();
        while (data.hasNext() && (options.getMonitorBatches() <= 0 || batches < options.getMonitorBatches())) {
            MultiDataSet ds = taskOnly.wrap(data.next());
            long b = ds.getFeatures(0).size(0);
            if (pgm) {
                double[] c = objectives(graph, fused, ds);
                for (int k = 0; k < 3; k++) {
                    obj[k] += c[k] * b;
                }
            }
            task += graph.score(ds, false) * b;
            examples += b;
            batches++;
        }
        data.reset();
        double n = Math.max(examples, 1);
        double nan = Double.NaN;
        return new EpochRecord(stage, epoch, pgm ? obj[0] / n : nan, pgm ? obj[1] / n : nan, pgm ? obj[2] / n : nan,
                task / n, (System.nanoTime() - startNanos) / 1e9);
    }

    /** Batch means of UFC, PFC and UPR for one batch (the PgM vertex's objective channels). */
    static double[] objectives(ComputationGraph graph, Fused fused, MultiDataSet ds) {
        graph.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
        try {
            Map<String, INDArray> acts = graph.feedForward(ds.getFeatures(), false, false);
            INDArray o = acts.get(fused.pgmVertex());
            long channels = o.size(1);
            INDArray objectives = o.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(channels - PgmVertex.OBJECTIVES, channels));
            if (objectives.rank() == 3) {
                objectives = objectives.mean(2);
            }
            INDArray mean = objectives.mean(0);
            return new double[]{mean.getDouble(0), mean.getDouble(1), mean.getDouble(2)};
        } finally {
            graph.clearLayerMaskArrays();
        }
    }
}

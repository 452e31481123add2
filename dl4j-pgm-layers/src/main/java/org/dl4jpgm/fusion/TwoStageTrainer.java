package org.dl4jpgm.fusion;

import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * PgM's two-stage training (Eq. 12, Sec. 4.2) of a graph with PgM in place of its fusion ({@link PgmGraph}): stage 1
 * trains on L_P alone (weights {@code (α, β) = (1, 0)}) for N1 epochs, stage 2 on {@code α L_P + β L_T} for N2 epochs
 * (paper: N1 = 20, N2 = 50, α = 0.5, β = 1). The switch is {@link PgmGraph#setLossWeights} on the built graph: the graph
 * is not rebuilt and the iterators give the user's features and task labels only. The graph's own listeners see every
 * iteration; stage 2 can run under DL4J early stopping (whose score calculators see the task loss, β L_T). After each
 * epoch the trainer records UFC, PFC, UPR and the task loss L_T on a monitoring iterator. Graphs without PgM
 * (baselines) skip stage 1. The graph is left with the stage-2 weights.
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
     * Trains the graph of {@code pgm}.
     *
     * @param pgm     the graph and its names
     * @param train   features and task labels
     * @param monitor where the per-epoch losses are measured (null = {@code train})
     * @return one record per epoch
     */
    public List<EpochRecord> fit(PgmGraph pgm, MultiDataSetIterator train, MultiDataSetIterator monitor) {
        ComputationGraph graph = pgm.graph();
        MultiDataSetIterator watched = monitor == null ? train : monitor;
        List<EpochRecord> history = new ArrayList<>();
        if (pgm.fused().isPgm()) {
            pgm.setLossWeights(LossWeights.PRETRAINING);
            for (int e = 1; e <= options.getStage1Epochs(); e++) {
                history.add(epoch(pgm, train, watched, 1, e));
            }
        }
        pgm.setLossWeights(new LossWeights(options.getAlpha(), options.getBeta()));
        EarlyStoppingConfiguration<ComputationGraph> es = options.getEarlyStopping();
        if (es == null) {
            for (int e = 1; e <= options.getStage2Epochs(); e++) {
                history.add(epoch(pgm, train, watched, 2, e));
            }
        } else {
            EarlyStoppingResult<ComputationGraph> r = new EarlyStoppingGraphTrainer(es, graph, train, null).fit();
            ComputationGraph best = r.getBestModel();
            if (best != null) {
                graph.setParams(best.params());
            }
            long t0 = System.nanoTime();
            history.add(measure(pgm, watched, 2, r.getTotalEpochs(), t0));
        }
        return history;
    }

    private EpochRecord epoch(PgmGraph pgm, MultiDataSetIterator train, MultiDataSetIterator monitor, int stage,
                              int epoch) {
        long t0 = System.nanoTime();
        train.reset();
        pgm.graph().fit(train);
        EpochRecord r = measure(pgm, monitor, stage, epoch, t0);
        progress.accept(r);
        return r;
    }

    /**
     * UFC, PFC, UPR and the task loss L_T (the score with β = 1) of the graph on up to {@code monitorBatches} batches
     * of {@code data}, in inference mode; the graph's weights are restored afterwards.
     */
    public EpochRecord measure(PgmGraph pgm, MultiDataSetIterator data, int stage, int epoch, long startNanos) {
        boolean isPgm = pgm.fused().isPgm();
        LossWeights weights = pgm.getLossWeights();
        pgm.setLossWeights(new LossWeights(weights.alpha(), 1));
        double[] obj = new double[3];
        double task = 0;
        long examples = 0;
        int batches = 0;
        try {
            data.reset();
            while (data.hasNext() && (options.getMonitorBatches() <= 0 || batches < options.getMonitorBatches())) {
                MultiDataSet ds = data.next();
                long b = ds.getFeatures(0).size(0);
                if (isPgm) {
                    double[] c = pgm.objectives(ds);
                    for (int k = 0; k < 3; k++) {
                        obj[k] += c[k] * b;
                    }
                }
                task += pgm.graph().score(ds, false) * b;
                examples += b;
                batches++;
            }
            data.reset();
        } finally {
            pgm.setLossWeights(weights);
        }
        double n = Math.max(examples, 1);
        double nan = Double.NaN;
        return new EpochRecord(stage, epoch, isPgm ? obj[0] / n : nan, isPgm ? obj[1] / n : nan,
                isPgm ? obj[2] / n : nan, task / n, (System.nanoTime() - startNanos) / 1e9);
    }
}

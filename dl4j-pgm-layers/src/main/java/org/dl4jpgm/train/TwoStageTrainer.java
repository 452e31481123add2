package org.dl4jpgm.train;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.impl.GraphUpdaters;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * PgM's two-stage training (Eq. 12, Sec. 4.2; the weights of each stage: {@link LossWeights#forStage}) of a graph with
 * PgM in place of its fusion ({@link PgmGraph}): stage 1 trains on L_P alone for N1 epochs, stage 2 on
 * {@code α L_P + β L_T} for N2 epochs (paper: N1 = 20, N2 = 50, α = 0.5, β = 1). The switch is
 * {@link PgmGraph#setLossWeights} on the built graph: the graph is not rebuilt and the iterators give the user's
 * features and task labels only. The graph's own listeners see every
 * iteration; stage 2 can run under DL4J early stopping (whose score calculators see the task loss, β L_T). Graphs
 * without PgM (baselines) skip stage 1. The graph is left with the stage-2 weights.
 *
 * <p><b>Epochs and the training iterator.</b> Epochs are numbered 0, 1, ... over both stages (stage 1 first). Outside
 * {@code graph.fit(train)} the trainer touches the training iterator only to put it at the start of each epoch: by
 * default with {@code train.reset()}, or with the {@link #epochStart} action (e.g. {@code e -> it.setEpoch(e)} for an
 * iterator whose shuffle is a function of its seed and the epoch). It never reads it for monitoring.
 *
 * <p><b>Monitoring.</b> After each epoch the trainer records UFC, PFC, UPR and the task loss L_T on the monitoring
 * iterator, in inference mode. With {@code monitor == null} nothing is measured: the records carry NaN losses (and the
 * epoch's seconds). Measuring reads no random numbers and leaves the graph's parameters, updater and counters as they
 * were, so a run with a monitoring iterator ends with the same parameters, bit for bit, as one without, provided the
 * monitoring iterator is a separate object (measuring on the training iterator itself resets it, and a training
 * iterator that shuffles by counting resets would then give later epochs another order).
 *
 * <p><b>Checkpoints.</b> With {@link TrainerOptions#getCheckpointDir()} set, every epoch ends with a checkpoint in that
 * folder, {@code checkpoint-NNNN.zip} (NNNN = epochs done), replacing the older one: the graph with its updater state
 * ({@code ModelSerializer}; the configuration holds α, β and the iteration and epoch counts), the stage and epoch, the
 * (α, β) in effect, the index of the next epoch (from which the iterator's shuffle follows), ND4J's random generator
 * state and the records so far. With {@link TrainerOptions#isResume()} the latest checkpoint is put into the given
 * graph in place and training continues with the next epoch; an epoch that was interrupted is trained again from its
 * first batch, so a resumed run ends with the parameters of an uninterrupted one (same seed, options, data and one
 * thread) provided the iterator's order of an epoch depends on the epoch alone. A run whose latest checkpoint is its
 * last epoch trains nothing and returns the saved records.
 *
 * <p><b>Best epoch.</b> With {@link TrainerOptions#getEpochSelection()} (a DL4J {@code ScoreCalculator}, e.g. on a
 * validation split), every stage-2 epoch is scored after its update and the graph ends with the parameters of the
 * best-scoring one ({@link #selection()}); the records still describe every epoch as trained. Scoring reads no random
 * numbers, so the epochs trained are the same with and without selection.
 *
 * <p><b>Watchdog.</b> With {@link TrainerOptions#isWatchdog()} (the default), a listener checks the score and the
 * gradient of every batch before its update; a NaN or Inf stops training with a {@link TrainingDivergedException}
 * naming the stage, epoch, batch and the batch's non-finite or degenerate inputs. No checkpoint is written for that
 * epoch, so the folder keeps the last good one.
 */
public final class TwoStageTrainer {

    private final TrainerOptions options;
    private Consumer<EpochRecord> progress = r -> { };
    private IntConsumer epochStart;
    private EpochSelection selection;

    /**
     * @param options epochs, weights, monitoring, checkpoints and the watchdog
     */
    public TwoStageTrainer(TrainerOptions options) {
        this.options = options;
    }

    /** Called after every epoch (e.g. {@code r -> System.out.println(r.format())}), after its checkpoint. */
    public TwoStageTrainer onEpoch(Consumer<EpochRecord> progress) {
        this.progress = progress;
        return this;
    }

    /**
     * How the training iterator is put at the start of epoch e (0, 1, ... over both stages), in place of the default
     * {@code train.reset()}: e.g. {@code e -> layoutIterator.setEpoch(e)}, which makes the epoch's order a function of
     * e alone, as resuming from a checkpoint needs. Null restores the default.
     */
    public TwoStageTrainer epochStart(IntConsumer epochStart) {
        this.epochStart = epochStart;
        return this;
    }

    /**
     * The best-epoch selection of the last {@link #fit} (null without {@link TrainerOptions#getEpochSelection()}):
     * every stage-2 epoch's score and the epoch whose parameters the graph ends with.
     */
    public EpochSelection selection() {
        return selection;
    }

    /**
     * Trains the graph of {@code pgm}. Its updater is put on {@link GraphUpdaters}' fast paths (the same
     * arithmetic on the same memory without DL4J's per-step views, Adam in Java; the updater state is kept).
     *
     * @param pgm     the graph and its names
     * @param train   features and task labels
     * @param monitor where the per-epoch losses are measured (null = not measured: NaN losses in the records)
     * @return one record per epoch (with resuming, the saved records of the epochs done before too)
     * @throws TrainingDivergedException if the watchdog sees a non-finite score or gradient
     */
    public List<EpochRecord> fit(PgmGraph pgm, MultiDataSetIterator train, MultiDataSetIterator monitor) {
        ComputationGraph graph = pgm.graph();
        GraphUpdaters.install(graph);
        boolean isPgm = pgm.fused().isPgm();
        int n1 = isPgm ? options.getStage1Epochs() : 0;
        EarlyStoppingConfiguration<ComputationGraph> es = options.getEarlyStopping();
        int n2 = es == null ? options.getStage2Epochs() : 0;
        LossWeights joint = new LossWeights(options.getAlpha(), options.getBeta());
        List<EpochRecord> history = new ArrayList<>();
        int done = 0;
        if (options.isResume()) {
            TrainingCheckpoint c = TrainingCheckpoint.latest(options.getCheckpointDir());
            if (c != null) {
                if (c.done() > n1 + n2) {
                    throw new IllegalArgumentException("TwoStageTrainer: the checkpoint " + c.file() + " is after "
                            + c.done() + " epochs, more than the " + (n1 + n2) + " of these options (N1 = " + n1
                            + ", N2 = " + n2 + ")");
                }
                c.restoreInto(pgm);
                done = c.done();
                history.addAll(c.history());
            }
        }
        selection = options.getEpochSelection() == null ? null : new EpochSelection(options.getEpochSelection());
        NonFiniteWatchdog watchdog = options.isWatchdog() ? new NonFiniteWatchdog() : null;
        List<TrainingListener> listeners = new ArrayList<>(graph.getListeners());
        if (watchdog != null) {
            graph.addListeners(watchdog);
        }
        try {
            for (int k = done; k < n1 + n2; k++) {
                int stage = k < n1 ? 1 : 2;
                int e = stage == 1 ? k + 1 : k - n1 + 1;
                LossWeights weights = LossWeights.forStage(stage, joint);
                pgm.setLossWeights(weights);
                long t0 = System.nanoTime();
                if (epochStart == null) {
                    train.reset();
                } else {
                    epochStart.accept(k);
                }
                if (watchdog != null) {
                    watchdog.start(stage, e);
                }
                graph.fit(train);
                if (selection != null && stage == 2) {
                    selection.afterEpoch(graph);
                }
                EpochRecord r = monitor == null ? unmeasured(stage, e, t0) : measure(pgm, monitor, stage, e, t0);
                history.add(r);
                if (options.getCheckpointDir() != null) {
                    TrainingCheckpoint.write(options.getCheckpointDir(), graph, k + 1, stage, e, weights,
                            options.getStage1Epochs(), options.getStage2Epochs(), history);
                }
                progress.accept(r);
            }
        } finally {
            if (watchdog != null) {
                graph.setListeners(listeners);
            }
        }
        pgm.setLossWeights(joint);
        if (selection != null) {
            selection.restoreBest(graph);
        }
        if (es != null) {
            EarlyStoppingResult<ComputationGraph> r = new EarlyStoppingGraphTrainer(es, graph, train, null).fit();
            ComputationGraph best = r.getBestModel();
            if (best != null) {
                graph.setParams(best.params());
            }
            long t0 = System.nanoTime();
            history.add(monitor == null ? unmeasured(2, r.getTotalEpochs(), t0)
                    : measure(pgm, monitor, 2, r.getTotalEpochs(), t0));
        }
        return history;
    }

    private static EpochRecord unmeasured(int stage, int epoch, long startNanos) {
        double nan = Double.NaN;
        return new EpochRecord(stage, epoch, nan, nan, nan, nan, (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * UFC, PFC, UPR and the task loss L_T (the score with β = 1) of the graph on up to {@code monitorBatches} batches
     * of {@code data}, in inference mode; the graph's weights are restored afterwards. {@code data} is reset before and
     * after.
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

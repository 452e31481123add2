package org.dl4jpgm.train;

import org.dl4jpgm.conf.LossWeights;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Path;

/**
 * Options of {@link TwoStageTrainer}; defaults are the paper's (Sec. 4.2). Build with {@link #builder()}.
 */
public final class TrainerOptions {

    private int stage1Epochs = 20;
    private int stage2Epochs = 50;
    private double alpha = LossWeights.JOINT.alpha();
    private double beta = LossWeights.JOINT.beta();
    private int monitorBatches;
    private EarlyStoppingConfiguration<ComputationGraph> earlyStopping;
    private ScoreCalculator<? super ComputationGraph> epochSelection;
    private Path checkpointDir;
    private boolean resume;
    private boolean watchdog = true;

    private TrainerOptions() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** N1, epochs of PgM pre-training on L_P alone (paper: 20). */
    public int getStage1Epochs() { return stage1Epochs; }
    /** N2, epochs of joint training (paper: 50); ignored under early stopping. */
    public int getStage2Epochs() { return stage2Epochs; }
    /** α of Eq. 12 in stage 2 (paper: 0.5). */
    public double getAlpha() { return alpha; }
    /** β of Eq. 12 in stage 2 (paper: 1). */
    public double getBeta() { return beta; }
    /** Batches of the monitoring iterator measured after each epoch (0 = all). */
    public int getMonitorBatches() { return monitorBatches; }
    /** Early stopping for stage 2 (null = a fixed N2 epochs). Its score calculator sees the weighted data. */
    public EarlyStoppingConfiguration<ComputationGraph> getEarlyStopping() { return earlyStopping; }
    /**
     * Best-epoch selection (null = none, the default: the graph ends with its last epoch's parameters). With a score
     * calculator, e.g. DL4J's {@code ClassificationScoreCalculator} on a validation iterator, the trainer scores the
     * graph after every stage-2 epoch, keeps a copy of the parameters of the best one (the calculator's
     * {@code minimizeScore()} says which way is better; the first of equal scores wins) and puts them back into the
     * graph at the end: all N2 epochs are trained, the best is kept ({@link TwoStageTrainer#selection()}). Not
     * combined with early stopping or checkpoints.
     */
    public ScoreCalculator<? super ComputationGraph> getEpochSelection() { return epochSelection; }
    /**
     * Folder of the per-epoch checkpoints (created if absent; null = none, the default). After every epoch the trainer
     * writes {@code checkpoint-NNNN.zip} (NNNN = epochs done over both stages) and deletes the older ones; see
     * {@link TwoStageTrainer}. Not combined with early stopping.
     */
    public Path getCheckpointDir() { return checkpointDir; }
    /**
     * Whether {@link TwoStageTrainer#fit} first restores the latest checkpoint of {@link #getCheckpointDir()} (if any)
     * and continues after its epoch. Default false: training starts from the graph as given, and existing checkpoints
     * are replaced as the epochs go.
     */
    public boolean isResume() { return resume; }
    /**
     * Whether a non-finite score or gradient stops training with a {@link TrainingDivergedException} naming the
     * stage, epoch, batch and the batch's degenerate inputs. Default true.
     */
    public boolean isWatchdog() { return watchdog; }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final TrainerOptions o = new TrainerOptions();

        public Builder stage1Epochs(int v) { o.stage1Epochs = v; return this; }
        public Builder stage2Epochs(int v) { o.stage2Epochs = v; return this; }
        public Builder alpha(double v) { o.alpha = v; return this; }
        public Builder beta(double v) { o.beta = v; return this; }
        public Builder monitorBatches(int v) { o.monitorBatches = v; return this; }
        public Builder earlyStopping(EarlyStoppingConfiguration<ComputationGraph> v) { o.earlyStopping = v; return this; }
        public Builder epochSelection(ScoreCalculator<? super ComputationGraph> v) { o.epochSelection = v; return this; }
        public Builder checkpointDir(Path v) { o.checkpointDir = v; return this; }
        public Builder resume(boolean v) { o.resume = v; return this; }
        public Builder watchdog(boolean v) { o.watchdog = v; return this; }

        public TrainerOptions build() {
            if (o.stage1Epochs < 0 || o.stage2Epochs < 0 || o.monitorBatches < 0) {
                throw new IllegalArgumentException("TrainerOptions: epochs and monitorBatches must be >= 0; found stage1 = "
                        + o.stage1Epochs + ", stage2 = " + o.stage2Epochs + ", monitorBatches = " + o.monitorBatches);
            }
            if (o.checkpointDir != null && o.earlyStopping != null) {
                throw new IllegalArgumentException("TrainerOptions: checkpoints need a fixed number of stage-2 epochs; "
                        + "found both checkpointDir = " + o.checkpointDir + " and early stopping");
            }
            if (o.epochSelection != null && (o.checkpointDir != null || o.earlyStopping != null)) {
                throw new IllegalArgumentException("TrainerOptions: epoch selection keeps the best epoch's parameters "
                        + "in memory and is not combined with " + (o.checkpointDir != null ? "checkpoints (checkpointDir = "
                        + o.checkpointDir + ")" : "early stopping"));
            }
            if (o.resume && o.checkpointDir == null) {
                throw new IllegalArgumentException("TrainerOptions: resume needs a checkpointDir, found none");
            }
            new LossWeights(o.alpha, o.beta);   // validates: finite, >= 0, not both zero
            TrainerOptions r = new TrainerOptions();
            r.stage1Epochs = o.stage1Epochs;
            r.stage2Epochs = o.stage2Epochs;
            r.alpha = o.alpha;
            r.beta = o.beta;
            r.monitorBatches = o.monitorBatches;
            r.earlyStopping = o.earlyStopping;
            r.epochSelection = o.epochSelection;
            r.checkpointDir = o.checkpointDir;
            r.resume = o.resume;
            r.watchdog = o.watchdog;
            return r;
        }
    }
}

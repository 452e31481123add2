package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.ModalitySpec;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.TaskMetrics;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.impl.QuietGradFunction;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;

import java.util.List;
import java.util.function.Consumer;

/**
 * Trains and evaluates host models and their PgM versions on one dataset in the project's layout: the host's
 * auxiliary labels per batch ({@link HostLabels} over {@link IndexedBatches}, shuffled per epoch from the seed), PgM's
 * two stages with {@link TwoStageTrainer} (a host without PgM has stage 2 only), and the epoch selected on the
 * validation split: after every stage-2 epoch the task output is scored on it (ACC for classification, MAE for
 * regression) and the best epoch's parameters are kept; the test metrics are those of that epoch.
 */
public final class HostTrainer {

    /**
     * One trained model.
     *
     * @param host       the graph, holding the parameters of the selected epoch
     * @param test       metrics on the test split
     * @param valid      metrics on the validation split at the selected epoch
     * @param bestEpoch  the selected stage-2 epoch, from 1
     * @param parameters the graph's parameter count
     * @param seconds    wall time of training and selection
     * @param history    one record per epoch (losses measured on the training split with {@link #monitorTraining},
     *                   else NaN)
     * @param validScores the validation score after every stage-2 epoch (ACC, or −MAE for regression)
     */
    public record Outcome(HostGraph host, TaskMetrics test, TaskMetrics valid, int bestEpoch, long parameters,
                          double seconds, List<EpochRecord> history, List<Double> validScores) {
    }

    private final DatasetDescriptor descriptor;
    private final TargetSpec target;
    private final SplitData train;
    private final SplitData valid;
    private final SplitData test;
    private final TrainingSettings settings;
    private final HostOptions options;
    private final HostInputs inputs;
    private final ExperimentRunner evaluator;
    /** The evaluator for hosts that need a mask on every sequence input ({@link HostModel#masksEverySequence()}). */
    private final ExperimentRunner maskingEvaluator;
    private boolean monitorTraining;

    /**
     * @param valid the split the epoch is selected on
     * @param test  the split the outcome is measured on
     */
    public HostTrainer(DatasetDescriptor descriptor, TargetSpec target, SplitData train, SplitData valid,
                       SplitData test, TrainingSettings settings, HostOptions options) {
        this.descriptor = descriptor;
        this.target = target;
        this.train = train;
        this.valid = valid;
        this.test = test;
        this.settings = settings;
        this.options = options;
        this.inputs = HostInputs.of(train, descriptor.getModalities().stream().map(ModalitySpec::getName).toList());
        this.evaluator = new ExperimentRunner(descriptor, target, train, test, settings);
        this.maskingEvaluator = new ExperimentRunner(descriptor, target, train, test, settings).maskEverySequence(true);
    }

    /**
     * Whether every epoch's record carries the task loss and PgM's objectives on the training split (one more pass
     * over it per epoch, in inference mode). Default false: the records have NaN losses.
     *
     * @return this trainer
     */
    public HostTrainer monitorTraining(boolean monitor) {
        this.monitorTraining = monitor;
        return this;
    }

    /** The modalities, in input order. */
    public HostInputs inputs() {
        return inputs;
    }

    /** The untrained host {@code model} at {@code seed}. */
    public HostGraph build(HostModel model, long seed) {
        return model.build(inputs, target, settings, options, seed);
    }

    /**
     * Trains {@code host} (in place) for {@code stage1} epochs of L_P alone (PgM only) and {@code stage2} joint
     * epochs, and evaluates the epoch selected on the validation split.
     *
     * @param progress receives every epoch's record
     */
    public Outcome train(HostGraph host, long seed, int stage1, int stage2, Consumer<EpochRecord> progress) {
        long t0 = System.nanoTime();
        ComputationGraph g = host.graph();
        double[] targets = LabelEncoder.decode(target, train.labels(target.getName()), null);
        boolean maskAll = host.model().masksEverySequence();
        ExperimentRunner scorer = maskAll ? maskingEvaluator : evaluator;
        HostLabels.Labellers labellers = HostLabels.of(host, target, targets, options);
        IndexedBatches it = new IndexedBatches(descriptor, train, target.getName(), settings.getBatchSize(), true, seed,
                labellers.training(), maskAll);
        TrainerOptions to = TrainerOptions.builder().stage1Epochs(stage1).stage2Epochs(stage2)
                .alpha(settings.getAlpha()).beta(settings.getBeta())
                .epochSelection(scorer.validationScore(valid)).build();
        TwoStageTrainer trainer = new TwoStageTrainer(to).epochStart(it::setEpoch).onEpoch(progress);
        // MulT's AttentionVertex builds its SameDiff gradient function at the first step, printing a line per op
        IndexedBatches monitor = monitorTraining ? new IndexedBatches(descriptor, train, target.getName(),
                settings.getBatchSize(), false, seed, labellers.readOnly(), maskAll) : null;
        List<EpochRecord> history = QuietGradFunction.withoutOpLines(
                () -> trainer.fit(new PgmGraph(g, host.fused()), it, monitor));
        // the trainer left g with the parameters of the stage-2 epoch best on the validation split
        TaskMetrics metrics = scorer.evaluate(g, test);
        return new Outcome(host, metrics, scorer.evaluate(g, valid), trainer.selection().bestEpoch(), g.numParams(),
                (System.nanoTime() - t0) / 1e9, history, List.copyOf(trainer.selection().scores()));
    }
}

package org.dl4jpgm.examples.experiment;

import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.dl4jpgm.conf.StepMeanPoolingLayer;
import org.dl4jpgm.util.ParameterCounts;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.impl.GraphUpdaters;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.eval.ClassificationMetrics;
import org.dl4jpgm.eval.MosiMetrics;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.fusion.PartitionStatistics;
import org.dl4jpgm.fusion.PgmFusion;
import org.dl4jpgm.train.EpochSelection;
import org.dl4jpgm.train.StageTwoDecay;
import org.dl4jpgm.train.StageTwoWarmup;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Builds, trains and evaluates one fusion at one seed on a train and a test split:
 * {@code inputs (one per modality: [B, D_m] or [B, D_m, S_m] with mask [B, S_m], 1 = keep) -> fusion -> dense (D, ReLU) ->
 * output} (softmax + cross-entropy over the target's K classes, or identity + MSE for regression), trained with
 * {@link TwoStageTrainer} (baselines: stage 2 only). Classification is scored by ACC and weighted F1, regression by MAE
 * and Pearson correlation. When a dataset mixes vectors and sequences, each sequence modality is first reduced by a
 * masked mean over its valid steps ({@link StepMeanPoolingLayer}) for PgM as for the baselines, so that all fusions
 * see the same inputs.
 *
 * <p>The task mains ({@code org.dl4jpgm.examples.tasks}) use the parts: {@link #train} (build and train),
 * {@link #outputs} (the task output of a split, rows in split order) and {@link #activations} (any vertex's
 * activations, e.g. per-modality representations); an {@link OutputExtension} adds task outputs after {@code out}.
 * Once configured ({@link #selectEpochsOn}, {@link #maskEverySequence}), a runner trains and evaluates runs on several
 * threads at once: each run builds its own graph and iterators, and each thread keeps its own evaluation iterators.
 */
public final class ExperimentRunner {

    /**
     * Extra task outputs of the graph, after the main output {@code out} (e.g. cross-modal retrieval's classifier
     * shared by the per-modality representations), and the labels they are trained on.
     */
    public interface OutputExtension {

        /**
         * Adds layers fed by the fusion.
         *
         * @param b          the builder, holding the fusion and {@code out}
         * @param fused      what {@code PgmFusion} added
         * @param modalities the modality names, in input order
         * @param options    the widths
         * @return the names of the added output layers, in the order of their labels after {@code out}'s
         */
        List<String> addOutputs(ComputationGraphConfiguration.GraphBuilder b, Fused fused, List<String> modalities,
                                TrainingSettings options);

        /**
         * Appends the labels (and label masks, 1 = keep) of the added outputs to a batch that holds the target's
         * labels only.
         */
        MultiDataSetPreProcessor labels();
    }

    /**
     * A trained model.
     *
     * @param graph   the trained graph
     * @param fused   the fusion's names in it
     * @param history one record per epoch of the two stages
     * @param seconds   wall time of building and training
     * @param selection the stage-2 epoch kept and every epoch's validation score ({@link #selectEpochsOn}), or null:
     *                  the graph has its last epoch's parameters
     */
    public record Trained(ComputationGraph graph, Fused fused, List<EpochRecord> history, double seconds,
                          EpochSelection selection) {
    }

    /**
     * The validation metric as a DL4J score calculator: {@link TaskMetrics#selectionScore()} of the task output on a
     * split (higher is better), the metric the runs are compared on.
     */
    private final class ValidationScore implements ScoreCalculator<ComputationGraph> {
        private final SplitData split;

        ValidationScore(SplitData split) {
            this.split = split;
        }

        @Override
        public double calculateScore(ComputationGraph network) {
            return evaluate(network, split).selectionScore();
        }

        @Override
        public boolean minimizeScore() {
            return false;
        }
    }

    private final DatasetDescriptor descriptor;
    private final TargetSpec target;
    private final SplitData train;
    private final SplitData test;
    private final TrainingSettings options;
    private final List<String> modalities;
    private final OutputExtension extension;
    private SplitData validation;
    private boolean maskEverySequence;
    /**
     * The evaluation iterator of each split evaluated, by identity, reset before each use: a new iterator copies the
     * split's features, and a selection run evaluates after every epoch. One map per thread, so that runs on separate
     * threads ({@link #train}) do not share an iterator's position.
     */
    private final ThreadLocal<Map<SplitData, LayoutMultiDataSetIterator>> evaluationIterators =
            ThreadLocal.withInitial(IdentityHashMap::new);

    /**
     * @param descriptor the dataset
     * @param target     the target to predict
     * @param train      training split (already cut to {@code --max-train})
     * @param test       evaluation split
     * @param options    widths, epochs, batch size
     */
    public ExperimentRunner(DatasetDescriptor descriptor, TargetSpec target, SplitData train, SplitData test,
                            TrainingSettings options) {
        this(descriptor, target, train, test, options, null);
    }

    /**
     * @param extension extra task outputs after {@code out} (null = none)
     */
    public ExperimentRunner(DatasetDescriptor descriptor, TargetSpec target, SplitData train, SplitData test,
                            TrainingSettings options, OutputExtension extension) {
        this.extension = extension;
        this.descriptor = descriptor;
        this.target = target;
        this.train = train;
        this.test = test;
        this.options = options;
        this.modalities = descriptor.getModalities().stream().map(m -> m.getName()).toList();
    }

    /**
     * Selects each run's stage-2 epoch on {@code split}: after every stage-2 epoch the run is scored by
     * {@link TaskMetrics#selectionScore()} on it, and the trained graph keeps the best epoch's parameters
     * ({@link Trained#selection()}). Not combined with checkpoints. Null (the default) keeps the last epoch.
     *
     * @return this runner
     */
    public ExperimentRunner selectEpochsOn(SplitData split) {
        if (split != null && options.getCheckpointDir() != null) {
            throw new IllegalArgumentException("ExperimentRunner: epoch selection keeps the best epoch in memory and is "
                    + "not combined with checkpoints (" + options.getCheckpointDir() + ")");
        }
        this.validation = split;
        return this;
    }

    /**
     * {@link TaskMetrics#selectionScore()} of the task output on {@code split} as a DL4J score calculator (higher is
     * better), for {@link TrainerOptions#getEpochSelection()}.
     */
    public ScoreCalculator<ComputationGraph> validationScore(SplitData split) {
        return new ValidationScore(split);
    }

    /**
     * Whether every sequence input gets a step mask (ones where the data set has no lengths) whenever another has one
     * ({@link LayoutIteratorOptions#isMaskEverySequence()}), in training and evaluation batches. For graphs with
     * layers that fail on a missing mask beside masked inputs (DL4J's {@code Convolution1DLayer}). Default false.
     *
     * @return this runner
     */
    public ExperimentRunner maskEverySequence(boolean mask) {
        this.maskEverySequence = mask;
        evaluationIterators.remove();
        return this;
    }

    /** The modality names in input order. */
    public List<String> modalities() {
        return modalities;
    }

    /**
     * An initialised graph and the names of its fusion.
     *
     * @param graph the graph, not trained
     * @param fused what {@code PgmFusion} added to it
     */
    public record Built(ComputationGraph graph, Fused fused) {
    }

    /** The graph for {@code choice}, initialised from {@code seed}. */
    public Built build(FusionChoice choice, long seed) {
        InputType[] types = new InputType[modalities.size()];
        for (int m = 0; m < types.length; m++) {
            long[] s = train.features(modalities.get(m)).shape();
            types[m] = s.length == 2 ? InputType.feedForward(s[1]) : InputType.recurrent(s[2], s[1]);
        }
        return build(modalities, types, target.getTask() == TaskType.CLASSIFICATION, target.labelWidth(), options,
                extension, choice, seed, StageTwoWarmup.iterations(options.getStage1Epochs(), train.size(),
                        options.getBatchSize()), StageTwoWarmup.iterations(options.getStage2Epochs(),
                        train.size(), options.getBatchSize()));
    }

    /**
     * The graph of {@link #build(FusionChoice, long)} from the input types alone, for data that is not read into a
     * {@link SplitData} (e.g. streamed from a feature cache).
     *
     * @param modalities     the input names
     * @param types          their input types
     * @param classification softmax with cross-entropy (else identity with squared error)
     * @param labelWidth     classes, or the regression target's width
     * @param extension      extra task outputs after {@code out} (null = none)
     * @throws IllegalArgumentException with a head warm-up or a stage-2 decay in {@code options}: they need the
     *                                  training split's size, use the overload that takes the stages' iterations
     */
    public static Built build(List<String> modalities, InputType[] types, boolean classification, long labelWidth,
                              TrainingSettings options, OutputExtension extension, FusionChoice choice, long seed) {
        return build(modalities, types, classification, labelWidth, options, extension, choice, seed, -1, -1);
    }

    /**
     * The graph of {@link #build(List, InputType[], boolean, long, TrainingSettings, OutputExtension, FusionChoice,
     * long)} with a head warm-up ({@link TrainingSettings#getHeadWarmup()}): in a PgM graph the normalisation, the
     * head, {@code dense} and {@code out} get Adam at the model part's rate ramped over the first K stage-2 iterations
     * ({@link StageTwoWarmup#linear}); without a warm-up (K = 0) or for a baseline, the same graph as without this
     * argument. With a stage-2 decay ({@link TrainingSettings#getFinalLearningRateFraction()} &lt; 1) every updater of
     * the graph follows {@link StageTwoDecay#decayed} of its rate (a baseline's from iteration 0: it has no stage 1).
     *
     * @param stage1Iterations the graph's iteration count when stage 2 begins (stage-1 epochs × batches per epoch,
     *                         {@link StageTwoWarmup#iterations}); -1 = unknown (then K must be 0 and F 1)
     * @param stage2Iterations stage 2's iterations (stage-2 epochs × batches per epoch); -1 = unknown (then F must
     *                         be 1)
     */
    public static Built build(List<String> modalities, InputType[] types, boolean classification, long labelWidth,
                              TrainingSettings options, OutputExtension extension, FusionChoice choice, long seed,
                              int stage1Iterations, int stage2Iterations) {
        int d = options.getWidth();
        IUpdater headUpdater = null;
        if (choice.isPgm() && options.getHeadWarmup() > 0) {
            if (stage1Iterations < 0) {
                throw new IllegalArgumentException("ExperimentRunner: a head warm-up of " + options.getHeadWarmup()
                        + " iterations counts from stage 2's first batch and needs the stage-1 iterations; found none");
            }
            headUpdater = StageTwoWarmup.adam(options.getModelLearningRate(), stage1Iterations,
                    options.getHeadWarmup());
        }
        UnaryOperator<IUpdater> decay = stageTwoDecay(options, choice, stage1Iterations, stage2Iterations);
        headUpdater = decay.apply(headUpdater);
        IUpdater graphUpdater = decay.apply(new Adam(choice.learningRate(options)));
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(graphUpdater).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs(modalities.toArray(new String[0])).setInputTypes(types);
        String[] fusionInputs = modalities.toArray(new String[0]);
        boolean anySequence = Arrays.stream(types).anyMatch(t -> t instanceof InputType.InputTypeRecurrent);
        if (choice.isPgm() && anySequence) {
            // with a mix of vectors and sequences, sequences are reduced by a masked mean over their valid steps, what
            // the baselines do to every sequence, so that all fusions see the same inputs (PgmLayer itself accepts the
            // mix; the main job's numbers in docs/results.md were made this way)
            for (int m = 0; m < types.length; m++) {
                if (types[m] instanceof InputType.InputTypeRecurrent && !allSequences(types)) {
                    fusionInputs[m] = modalities.get(m) + "Pool";
                    b.addLayer(fusionInputs[m], new StepMeanPoolingLayer.Builder().build(), modalities.get(m));
                }
            }
        }
        FusionSpec spec = choice.spec(options, modalities);
        Fused f = PgmFusion.add(b, spec.toBuilder().headUpdater(headUpdater)
                .modelUpdater(decay.apply(spec.getModelUpdater())).learnerUpdater(decay.apply(spec.getLearnerUpdater()))
                .decoderUpdater(decay.apply(spec.getDecoderUpdater())).build(), fusionInputs);
        DenseLayer.Builder dense = new DenseLayer.Builder().nOut(d).activation(Activation.RELU);
        OutputLayer.Builder out = new OutputLayer.Builder(classification ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.MSE).nOut(labelWidth)
                .activation(classification ? Activation.SOFTMAX : Activation.IDENTITY);
        if (headUpdater != null) {
            dense.updater(headUpdater);
            out.updater(headUpdater);
        }
        b.addLayer("dense", dense.build(), f.output()).addLayer("out", out.build(), "dense");
        List<String> outputs = new ArrayList<>(List.of("out"));
        if (extension != null) {
            outputs.addAll(extension.addOutputs(b, f, modalities, options));
        }
        b.setOutputs(outputs.toArray(new String[0]));
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        GraphUpdaters.install(g);
        return new Built(g, f);
    }

    /**
     * {@link StageTwoDecay#decayed} with the stages' iterations of {@code choice} (a baseline has no stage 1), or the
     * identity without a decay; null (no updater of its own) stays null.
     */
    private static UnaryOperator<IUpdater> stageTwoDecay(TrainingSettings options, FusionChoice choice,
                                                         int stage1Iterations, int stage2Iterations) {
        double f = options.getFinalLearningRateFraction();
        if (f == 1) {
            return u -> u;
        }
        if (stage1Iterations < 0 || stage2Iterations < 1) {
            throw new IllegalArgumentException("ExperimentRunner: a stage-2 decay to " + f + " of each rate needs the "
                    + "iterations of both stages; found " + stage1Iterations + " and " + stage2Iterations);
        }
        int s1 = choice.isPgm() ? stage1Iterations : 0;
        return u -> u == null ? null : StageTwoDecay.decayed(u, s1, stage2Iterations, f);
    }

    private static boolean allSequences(InputType[] types) {
        return Arrays.stream(types).allMatch(t -> t instanceof InputType.InputTypeRecurrent);
    }

    /**
     * Builds and trains {@code choice} in two stages (baselines: stage 2 only) on the training split, shuffled per
     * epoch as a function of (seed, epoch). Monitoring reads a separate, unshuffled iterator over the training split,
     * so a monitored run ends with the same parameters, bit for bit, as an unmonitored one. With a checkpoint folder in
     * the settings, the run checkpoints every epoch into {@link #checkpointFolder} and, with resume, continues from
     * the latest checkpoint there.
     *
     * @param monitored whether UFC, PFC, UPR and the task loss are measured after every epoch (on up to 4 training
     *                  batches, in split order; each PgM graph call costs seconds on a CPU, so the main job monitors
     *                  one seed only); unmonitored records carry NaN losses
     * @param progress  receives every epoch's record
     */
    public Trained train(FusionChoice choice, long seed, boolean monitored, Consumer<EpochRecord> progress) {
        long t0 = System.nanoTime();
        Built built = build(choice, seed);
        LayoutMultiDataSetIterator trainIt = iterator(train, true, seed);
        TrainerOptions.Builder to = TrainerOptions.builder().stage1Epochs(options.getStage1Epochs())
                .stage2Epochs(options.getStage2Epochs()).alpha(options.getAlpha()).beta(options.getBeta())
                .monitorBatches(4);
        if (options.getCheckpointDir() != null) {
            to.checkpointDir(checkpointFolder(choice, seed)).resume(options.isResume());
        }
        if (validation != null) {
            to.epochSelection(validationScore(validation));
        }
        Consumer<EpochRecord> onEpoch = progress;
        TrainingStats stats = null;
        if (options.getStatsFile() != null) {
            stats = TrainingStats.attach(built.graph(), options.getStatsFile(), choice.label() + "-seed" + seed);
            onEpoch = stats.objectives().andThen(progress);
        }
        try {
            TwoStageTrainer trainer = new TwoStageTrainer(to.build()).onEpoch(onEpoch).epochStart(trainIt::setEpoch);
            List<EpochRecord> history = trainer.fit(new PgmGraph(built.graph(), built.fused()), trainIt,
                    monitored ? iterator(train, false, seed) : null);
            return new Trained(built.graph(), built.fused(), history, (System.nanoTime() - t0) / 1e9,
                    trainer.selection());
        } finally {
            if (stats != null) {
                stats.detach();
            }
        }
    }

    /**
     * The checkpoint folder of one run: {@code <checkpoint dir>/<fusion label>-seed<seed>}, the label's characters
     * other than letters, digits, '.', '_' and '-' replaced by '_' (null without a checkpoint dir).
     */
    public Path checkpointFolder(FusionChoice choice, long seed) {
        Path dir = options.getCheckpointDir();
        return dir == null ? null : dir.resolve(choice.label().replaceAll("[^A-Za-z0-9._-]+", "_") + "-seed" + seed);
    }

    /**
     * Evaluates a trained run on the test split (once) and on its partition, handing the model and its test metrics
     * to {@code trained} first.
     *
     * @param learningRate    the model part's learning rate it was trained with (recorded with the selection)
     * @param trainingSeconds the wall time spent training it (with a learning-rate sweep, every rate's)
     */
    public RunResult result(FusionChoice choice, long seed, Trained t, double learningRate, double trainingSeconds,
                            java.util.function.BiConsumer<Trained, TaskMetrics> trained) {
        long t0 = System.nanoTime();
        ComputationGraph g = t.graph();
        TaskMetrics metrics = evaluate(g, test);
        trained.accept(t, metrics);
        List<PartitionStatistics.ModalityPartition> parts = null;
        if (choice.isPgm() && choice.spec(options, modalities).getPgm().isUsePartitioner()) {
            parts = PartitionStatistics.compute(g, t.fused().pgmVertex(), iterator(test, false, seed));
        }
        RunResult.Selection selection = t.selection() == null ? null
                : new RunResult.Selection(learningRate, t.selection().bestEpoch(), t.selection().bestScore());
        return new RunResult(choice, seed, metrics, ParameterCounts.of(g).total(),
                trainingSeconds + (System.nanoTime() - t0) / 1e9, t.history(), parts, selection);
    }

    /**
     * The task output {@code out} of {@code g} on every example of {@code split}: [N, K] class probabilities
     * (classification) or [N, 1] predictions (regression), row i for example i of the split.
     */
    public INDArray outputs(ComputationGraph g, SplitData split) {
        List<INDArray> rows = new ArrayList<>();
        LayoutMultiDataSetIterator it = evaluationIterator(split);
        while (it.hasNext()) {
            MultiDataSet ds = it.next();
            rows.add(g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0]);
        }
        return Nd4j.vstack(rows.toArray(new INDArray[0]));
    }

    /**
     * Activations of the named vertices of {@code g} (inference mode) on every example of {@code split}: per vertex
     * [N, W] (or [N, W, S]), row i for example i of the split. Feature masks (1 = keep) are applied.
     */
    public Map<String, INDArray> activations(ComputationGraph g, SplitData split, String... vertices) {
        Map<String, List<INDArray>> rows = new LinkedHashMap<>();
        for (String v : vertices) {
            if (g.getVertex(v) == null) {
                throw new IllegalArgumentException("ExperimentRunner: expected a vertex named '" + v
                        + "' in the graph, found none");
            }
            rows.put(v, new ArrayList<>());
        }
        LayoutMultiDataSetIterator it = evaluationIterator(split);
        while (it.hasNext()) {
            MultiDataSet ds = it.next();
            g.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
            try {
                Map<String, INDArray> acts = g.feedForward(ds.getFeatures(), false, false);
                for (String v : vertices) {
                    rows.get(v).add(acts.get(v).dup());
                }
            } finally {
                g.clearLayerMaskArrays();
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        rows.forEach((v, r) -> out.put(v, Nd4j.concat(0, r.toArray(new INDArray[0]))));
        return out;
    }

    /** The split's batches in split order, from its first; one iterator per split, kept. */
    private LayoutMultiDataSetIterator evaluationIterator(SplitData split) {
        LayoutMultiDataSetIterator it = evaluationIterators.get().computeIfAbsent(split, sp -> iterator(sp, false, 0));
        it.reset();
        return it;
    }

    private LayoutMultiDataSetIterator iterator(SplitData split, boolean shuffle, long seed) {
        LayoutIteratorOptions.Builder b = LayoutIteratorOptions.builder().batchSize(options.getBatchSize())
                .targets(target.getName()).maskEverySequence(maskEverySequence);
        if (shuffle) {
            b.shuffle(seed);
        }
        LayoutMultiDataSetIterator it = new LayoutMultiDataSetIterator(descriptor, split, b.build());
        if (extension != null) {
            it.setPreProcessor(extension.labels());
        }
        return it;
    }

    /**
     * ACC and weighted F1 (classification), or MAE and Pearson correlation (regression), of the task output of
     * {@code g} on every example of {@code split}: the metrics the main job prints per run.
     */
    public TaskMetrics evaluate(ComputationGraph g, SplitData split) {
        return metrics(target, outputs(g, split), split);
    }

    /** The metrics of {@link #evaluate} from the task outputs {@code out} of {@code split}'s examples. */
    public static TaskMetrics metrics(TargetSpec target, INDArray out, SplitData split) {
        double[] truth = LabelEncoder.decode(target, split.labels(target.getName()), null);
        if (target.getTask() == TaskType.CLASSIFICATION) {
            int[] pred = new int[truth.length];
            int[] actual = new int[truth.length];
            for (int i = 0; i < truth.length; i++) {
                pred[i] = out.getRow(i).argMax().getInt(0);
                actual[i] = (int) truth[i];
            }
            ClassificationMetrics m = ClassificationMetrics.compute(pred, actual, target.getClasses().size());
            return new TaskMetrics.Classification(m.accuracy(), m.weightedF1());
        }
        double[] p = out.getColumn(0).toDoubleVector();
        double mae = 0;
        for (int i = 0; i < p.length; i++) {
            mae += Math.abs(p[i] - truth[i]);
        }
        return new TaskMetrics.Regression(mae / Math.max(1, p.length), MosiMetrics.pearson(p, truth));
    }
}

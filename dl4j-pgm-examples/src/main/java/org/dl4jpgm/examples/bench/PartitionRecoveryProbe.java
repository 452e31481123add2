package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.conf.Layouts;
import org.dl4jpgm.conf.StepMeanPoolingLayer;
import org.dl4jpgm.conf.ModalityPackVertex;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticExample;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;
import org.dl4jpgm.eval.RidgeProbe;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.examples.transfer.HostInputs;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PartitionStatistics;
import org.dl4jpgm.fusion.PartitionStatistics.ModalityFeatures;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Does the partitioner separate uni-modal from paired-modal information? Trains PgM (both stages) and two controls at
 * several seeds, then fits closed-form ridge probes ({@link RidgeProbe}, λ = 1, on the training split) from each
 * modality's uni features u_m and from its paired features p_m ({@link PartitionStatistics#perExample}, {@code [B, D]})
 * to every latent factor, and scores them on the test split (accuracy; chance is printed beside).
 *
 * <p>Variants: {@code PGM}; {@code NO_PARTITIONER} (both learners see every feature, Table 3's "w/o partitioner");
 * {@code FROZEN_PARTITIONER} (PgM whose partitioner parameters W_u, b_u, W_p, b_p of Eq. 1 keep their initial values:
 * {@link PartitionerStep} with k = 0; the gates are then those of initialisation wherever the partitioner's input is
 * the raw modality; {@code GateGradient.NONE} does not freeze them: it zeroes the gradient of the hard gates of Eq. 4,
 * but the soft gates of Eq. 3 still pass the learners' gradient to the partitioner, {@code PartitionerStepTest}).
 *
 * <p>Data: {@code synthetic}: the generator with separate channels ({@link #syntheticConfig}: a with 1/4 uni and 3/4
 * paired channels, b with 3/4 uni and 1/4 paired, c all uni; {@link SyntheticMultimodalGenerator#channelRoles}),
 * target {@code paired} (XOR of the paired factors of a and b); factors: the uni factor of every modality, the paired
 * factor of a and of b, and the target.
 * {@code embedded}: the digits-speech set, target {@code label}; factors: the image digit and the spoken digit.
 *
 * <p>Also printed, from the same trained models: per modality the hard shares (g &gt; 0.5, mean over test examples of
 * the per-example soft gate pooled over valid steps) and the mean binary entropy of the gates; for the synthetic set,
 * the mean soft paired gate on the channels of each ground-truth role; and per epoch (PgM only) the shares and the
 * entropy, which {@link PartitionFigures} draws with the ground truth.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.bench.PartitionRecoveryProbe -Dexec.args="--data synthetic --seeds 3
 * --stage1-epochs 3 --stage2-epochs 8 --train 1000 --test 400"} (docs/results.md, "Partition recovery").
 */
@Command(name = "PartitionRecoveryProbe", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Ridge probes of PgM's uni and paired features for the latent factors of the synthetic set and "
                + "of the embedded digits-speech set; gate shares, entropy and their dynamics.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class PartitionRecoveryProbe implements Callable<Integer> {

    /** The fusions compared. */
    enum Variant { PGM, NO_PARTITIONER, FROZEN_PARTITIONER }

    /**
     * What reads PgM's features. {@code HEAD}: PgM's head (Eq. 13-14) and the main job's dense layer, as in every other
     * table; both streams reach one network that combines modalities. {@code ADDITIVE_UNI}: the uni features of each
     * modality reach the logits through a linear map of their own ({@code [B, D] -> [B, K]}), the paired features of
     * all modalities through an MLP ({@code [B, MD] -> [B, D] -> [B, K]}, ReLU), and the logits are summed: only the
     * paired stream can combine modalities ({@link #additiveUniGraph}).
     */
    enum Readout { HEAD, ADDITIVE_UNI }

    @Mixin
    private TrainingOptions training = new TrainingOptions(Presets.CPU);
    /** Which data sets. */
    @Option(names = "--data", split = ",", paramLabel = "NAME", description = "synthetic, embedded or both "
            + "(default ${DEFAULT-VALUE})")
    private List<String> data = new ArrayList<>(List.of("synthetic", "embedded"));
    /** Which variants. */
    @Option(names = "--variants", split = ",", paramLabel = "NAME", description = "PGM, NO_PARTITIONER, "
            + "FROZEN_PARTITIONER (default ${DEFAULT-VALUE})")
    private List<Variant> variants = new ArrayList<>(List.of(Variant.values()));
    /** Seeds 1000, 1001, ... */
    @Option(names = "--seeds", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "seeds 1000 .. 1000 + K - 1 (default ${DEFAULT-VALUE})")
    private int seeds = 3;
    /** Synthetic training examples. */
    @Option(names = "--train", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "synthetic training examples (default ${DEFAULT-VALUE})")
    private int trainSize = 2000;
    /** Synthetic test examples. */
    @Option(names = "--test", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "synthetic test examples (default ${DEFAULT-VALUE})")
    private int testSize = 500;
    /** Ridge penalty. */
    @Option(names = "--lambda", paramLabel = "L", converter = Converters.NonNegativeReal.class,
            description = "ridge penalty on standardised features (default ${DEFAULT-VALUE})")
    private double lambda = RidgeProbe.DEFAULT_LAMBDA;
    /** Scale of the partitioner's updates in the PGM variant. */
    @Option(names = "--partitioner-step-scale", paramLabel = "K", converter = Converters.NonNegativeReal.class,
            description = "PGM variant: the partitioner's parameter updates times K, i.e. its learning rate times K "
                    + "(default ${DEFAULT-VALUE}; FROZEN_PARTITIONER is K = 0)")
    private double partitionerStepScale = 1.0;
    /** What reads PgM's features. */
    @Option(names = "--readout", paramLabel = "NAME", description = "HEAD (PgM's head, Eq. 13-14) or ADDITIVE_UNI "
            + "(uni features per modality linearly to the logits, paired features of all modalities through an MLP; "
            + "default ${DEFAULT-VALUE})")
    private Readout readout = Readout.HEAD;
    /** Where the figures go. */
    @Option(names = "--figures", paramLabel = "DIR", description = "folder of the PNG figures (default "
            + "${DEFAULT-VALUE})")
    private Path figures = Path.of("partition-out");
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private PartitionRecoveryProbe() {
    }

    public static void main(String[] args) {
        PartitionRecoveryProbe p = new PartitionRecoveryProbe();
        Cli.main(p, p.training, args);
    }

    /**
     * The synthetic set of the probe: every modality of width {@code d} (no projection in PgM at width D = d, so the
     * gates act on the generator's channels), no nuisance channels; a: the first d/4 channels carry its uni factor,
     * the last 3d/4 its paired factor; b: the first 3d/4 uni, the last d/4 paired; c: all d uni (no paired factor).
     */
    static SyntheticConfig syntheticConfig(int d) {
        return SyntheticConfig.builder().seed(42)
                .modality(SyntheticModality.builder("a").width(d).pairedDims(d - d / 4).build())
                .modality(SyntheticModality.builder("b").width(d).pairedDims(d / 4).build())
                .modality(SyntheticModality.builder("c").width(d).build())
                .uniClasses(4).pairedClasses(2).pairedModalities(0, 1).build();
    }

    /** Which stream a working partitioner should put a factor in. */
    enum Role {
        /** Carried by one modality only: u_m should read it better than p_m. */
        UNI,
        /** Shared by two modalities (or combined with another one's): p_m should read it better than u_m. */
        PAIRED,
        /** No expectation (the task's target). */
        NONE
    }

    /**
     * A latent factor: its name, its classes, its value on every example of the two splits, its role and the
     * modalities that carry it.
     */
    record Factor(String name, int classes, int[] train, int[] test, Role role, List<String> carriers) {
        double chance() {
            int[] counts = new int[classes];
            for (int v : train) {
                counts[v]++;
            }
            int major = 0;
            for (int k = 1; k < classes; k++) {
                major = counts[k] > counts[major] ? k : major;
            }
            int hit = 0;
            for (int v : test) {
                hit += v == major ? 1 : 0;
            }
            return hit / (double) test.length;
        }
    }

    /**
     * Whether the stream a working partitioner would use reads a factor better, over seeds: per seed {@code p - u} of
     * the probe accuracies from the carrying modality's own features.
     *
     * @param mean  mean of p - u
     * @param std   its sample standard deviation
     * @param right seeds where the right stream is ahead (p for {@link Role#PAIRED}, u for {@link Role#UNI}); a tie
     *              is not ahead
     * @param seeds seeds
     */
    record Separation(double mean, double std, int right, int seeds) {
        static Separation of(Role role, List<Double> u, List<Double> p) {
            if (role == Role.NONE || u.size() != p.size() || u.isEmpty()) {
                throw new IllegalArgumentException("PartitionRecoveryProbe: a separation needs a UNI or PAIRED factor "
                        + "and one u and one p accuracy per seed; found " + role + ", " + u.size() + " and " + p.size());
            }
            List<Double> diff = new ArrayList<>();
            int right = 0;
            for (int i = 0; i < u.size(); i++) {
                double d = p.get(i) - u.get(i);
                diff.add(d);
                right += (role == Role.PAIRED ? d > 0 : d < 0) ? 1 : 0;
            }
            // the record's accessors mean() and std() hide the probe's helpers of the same names
            return new Separation(PartitionRecoveryProbe.mean(diff), PartitionRecoveryProbe.std(diff), right,
                    diff.size());
        }

        /** The right stream is ahead on the mean. */
        boolean rightOnMean(Role role) {
            return role == Role.PAIRED ? mean > 0 : mean < 0;
        }
    }

    /** A data set prepared for the probe. */
    record Prepared(String name, DatasetDescriptor descriptor, TargetSpec target, SplitData train, SplitData test,
                    List<Factor> factors, SyntheticMultimodalGenerator generator) {
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "PartitionRecoveryProbe: D %d, N %d, %s learners, epochs %d + %d, batch %d, "
                        + "lr %s / %s / %s, head norm %s, seeds %d, ridge λ %s, partitioner step scale %s, paired-share weight "
                        + "%s, readout %s%n",
                training.getWidth(), training.getIterations(), training.getLearnerMode(), training.getStage1Epochs(),
                training.getStage2Epochs(), training.getBatchSize(), training.getModelLearningRate(),
                training.getLearnerLearningRate(), training.getDecoderLearningRate(), training.isHeadInputNormalized(),
                seeds, lambda, partitionerStepScale, training.getPairedShareWeight(), readout);
        for (String name : data) {
            Prepared p = switch (name.toLowerCase(Locale.ROOT)) {
                case "synthetic" -> synthetic();
                case "embedded" -> embedded();
                default -> throw new IllegalArgumentException("PartitionRecoveryProbe: unknown --data '" + name
                        + "'; expected synthetic or embedded");
            };
            run(p);
        }
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private Prepared synthetic() {
        SyntheticMultimodalGenerator g = new SyntheticMultimodalGenerator(syntheticConfig(training.getWidth()));
        DatasetDescriptor d = SyntheticDatasetWriter.descriptor(g, "synthetic-partition", List.of("train", "test"));
        SplitData train = SyntheticDatasetWriter.split(g, 0, trainSize);
        SplitData test = SyntheticDatasetWriter.split(g, 1, testSize);
        TargetSpec target = d.getTargets().stream().filter(t -> t.getName().equals(SyntheticMultimodalGenerator.PAIRED))
                .findFirst().orElseThrow();
        List<SyntheticExample> exTrain = new ArrayList<>();
        List<SyntheticExample> exTest = new ArrayList<>();
        for (int i = 0; i < trainSize; i++) {
            exTrain.add(g.example(0, i));
        }
        for (int i = 0; i < testSize; i++) {
            exTest.add(g.example(1, i));
        }
        List<Factor> factors = new ArrayList<>();
        List<SyntheticModality> mods = g.config().getModalities();
        int ku = g.config().getUniClasses();
        for (int m = 0; m < mods.size(); m++) {
            int mm = m;
            factors.add(new Factor("uni_" + mods.get(m).getName(), ku,
                    exTrain.stream().mapToInt(e -> e.uni()[mm]).toArray(),
                    exTest.stream().mapToInt(e -> e.uni()[mm]).toArray(), Role.UNI, List.of(mods.get(m).getName())));
        }
        int kp = g.config().getPairedClasses();
        factors.add(new Factor("paired_" + mods.get(g.config().getPairedFirst()).getName(), kp,
                exTrain.stream().mapToInt(SyntheticExample::pairedA).toArray(),
                exTest.stream().mapToInt(SyntheticExample::pairedA).toArray(), Role.PAIRED,
                List.of(mods.get(g.config().getPairedFirst()).getName())));
        factors.add(new Factor("paired_" + mods.get(g.config().getPairedSecond()).getName(), kp,
                exTrain.stream().mapToInt(SyntheticExample::pairedB).toArray(),
                exTest.stream().mapToInt(SyntheticExample::pairedB).toArray(), Role.PAIRED,
                List.of(mods.get(g.config().getPairedSecond()).getName())));
        factors.add(new Factor("target", kp, exTrain.stream().mapToInt(e -> g.targetValue(e,
                SyntheticMultimodalGenerator.PAIRED)).toArray(), exTest.stream().mapToInt(e -> g.targetValue(e,
                SyntheticMultimodalGenerator.PAIRED)).toArray(), Role.NONE, List.of()));
        return new Prepared("synthetic", d, target, train, test, factors, g);
    }

    private Prepared embedded() {
        LayoutReader reader = EmbeddedDatasets.openDigitsSpeech();
        DatasetDescriptor d = reader.descriptor();
        SplitData train = reader.readSplit("train");
        SplitData test = reader.readSplit("test");
        List<Factor> factors = new ArrayList<>();
        for (String name : List.of("image_digit", "speech_digit", "label")) {
            TargetSpec t = d.getTargets().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
            // the image digit is in the image only; the spoken digit is what speech and text share
            Role role = switch (name) {
                case "image_digit" -> Role.UNI;
                case "speech_digit" -> Role.PAIRED;
                default -> Role.NONE;
            };
            List<String> carriers = switch (name) {
                case "image_digit" -> List.of("image");
                case "speech_digit" -> List.of("speech", "text");
                default -> List.of();
            };
            factors.add(new Factor(name.equals("label") ? "target" : name, t.getClasses().size(),
                    classes(t, train), classes(t, test), role, carriers));
        }
        return new Prepared("embedded", d, d.getDefaultTarget(), train, test, factors, null);
    }

    private static int[] classes(TargetSpec t, SplitData split) {
        double[] v = LabelEncoder.decode(t, split.labels(t.getName()), null);
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    /** Accuracy values over seeds, keyed by "variant|modality|factor|u" (or "|p"), and gate summaries. */
    private final Map<String, List<Double>> results = new LinkedHashMap<>();

    private void add(String key, double v) {
        results.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }

    private void run(Prepared p) throws Exception {
        results.clear();
        List<String> modalities = p.descriptor().getModalities().stream().map(m -> m.getName()).toList();
        ExperimentRunner runner = new ExperimentRunner(p.descriptor(), p.target(), p.train(), p.test(), training);
        // per seed, per epoch, per modality: uni share, paired share, overlap, entropy (PgM only)
        List<List<double[][]>> dynamics = new ArrayList<>();
        for (Variant v : variants) {
            for (int s = 0; s < seeds; s++) {
                long seed = 1000 + s;
                long t0 = System.nanoTime();
                FusionChoice choice = FusionChoice.parse(v == Variant.NO_PARTITIONER ? "NO_PARTITIONER" : "PGM");
                ExperimentRunner.Built built = readout == Readout.HEAD ? runner.build(choice, seed)
                        : additiveUniGraph(p, choice, seed);
                ComputationGraph g = built.graph();
                String vertex = built.fused().pgmVertex();
                PartitionerStep step = v == Variant.NO_PARTITIONER ? null
                        : new PartitionerStep(g, vertex, v == Variant.FROZEN_PARTITIONER ? 0 : partitionerStepScale);
                if (step != null) {
                    g.addListeners(step);
                }
                LayoutMultiDataSetIterator trainIt = iterator(p, p.train(), seed);
                List<double[][]> perEpoch = new ArrayList<>();
                if (v == Variant.PGM) {
                    perEpoch.add(gateSummary(PartitionStatistics.perExample(g, vertex, iterator(p, p.test(), -1))));
                }
                TrainerOptions options = TrainerOptions.builder().stage1Epochs(training.getStage1Epochs())
                        .stage2Epochs(training.getStage2Epochs()).alpha(training.getAlpha()).beta(training.getBeta())
                        .build();
                new TwoStageTrainer(options).epochStart(trainIt::setEpoch).onEpoch(r -> {
                    if (v == Variant.PGM) {
                        perEpoch.add(gateSummary(PartitionStatistics.perExample(g, vertex, iterator(p, p.test(), -1))));
                    }
                }).fit(new PgmGraph(g, built.fused()), trainIt, null);
                if (v == Variant.PGM) {
                    dynamics.add(perEpoch);
                }
                double acc = ((org.dl4jpgm.examples.experiment.TaskMetrics.Classification) runner.evaluate(g, p.test()))
                        .accuracy();
                List<ModalityFeatures> fTrain = PartitionStatistics.perExample(g, vertex, iterator(p, p.train(), -1));
                List<ModalityFeatures> fTest = PartitionStatistics.perExample(g, vertex, iterator(p, p.test(), -1));
                add(v + "|task", acc);
                probe(p, v, modalities, fTrain, fTest);
                if (v != Variant.NO_PARTITIONER) {
                    double[][] gs = gateSummary(fTest);
                    for (int m = 0; m < modalities.size(); m++) {
                        String k = v + "|gates|" + modalities.get(m);
                        add(k + "|uni", gs[m][0]);
                        add(k + "|paired", gs[m][1]);
                        add(k + "|overlap", gs[m][2]);
                        add(k + "|entropy", gs[m][3]);
                        if (p.generator() != null) {
                            double[] byRole = pairedGateByRole(p.generator(), m, fTest.get(m).lastPairedGate());
                            add(k + "|gpOnUni", byRole[0]);
                            add(k + "|gpOnPaired", byRole[1]);
                            add(k + "|gpOnNuisance", byRole[2]);
                        }
                    }
                }
                if (step != null) {
                    add(v + "|partitionerChange", step.relativeChange());
                }
                System.out.printf(Locale.ROOT, "%s %s seed %d: test ACC %.4f%s (%.1f s)%n", p.name(), v, seed, acc,
                        step == null ? "" : String.format(Locale.ROOT, ", partitioner max |change| %.2e, relative %.4f",
                                step.drift(), step.relativeChange()), (System.nanoTime() - t0) / 1e9);
            }
        }
        printTables(p, modalities);
        if (!dynamics.isEmpty()) {
            Path dir = figures;
            List<double[]> truth = null;
            if (p.generator() != null) {
                truth = new ArrayList<>();
                for (int m = 0; m < modalities.size(); m++) {
                    SyntheticMultimodalGenerator.ChannelRoles r = p.generator().channelRoles(m);
                    double w = r.width();
                    truth.add(new double[]{(r.uni() + r.both() + r.nuisance()) / w, (r.paired() + r.both()) / w,
                            r.both() / w});
                }
            }
            List<double[]> learned = new ArrayList<>();
            for (int m = 0; m < modalities.size(); m++) {
                String k = Variant.PGM + "|gates|" + modalities.get(m);
                learned.add(new double[]{mean(results.get(k + "|uni")), mean(results.get(k + "|paired")),
                        mean(results.get(k + "|overlap"))});
            }
            System.out.println("figure: " + PartitionFigures.partition(dir, p.name(), modalities, learned, truth));
            System.out.println("figure: " + PartitionFigures.dynamics(dir, p.name(), modalities, dynamics,
                    training.getStage1Epochs()));
            printDynamics(modalities, dynamics);
        }
    }

    /**
     * The graph of {@link Readout#ADDITIVE_UNI}: the inputs (sequences reduced by a masked mean over their valid
     * steps), PgM's layer as {@link PgmFusion} builds it, its features {@code [B, 2MD]} normalised as the preset says,
     * then {@code logits = Σ_m W_m u_m + b + MLP([p_1 ; ... ; p_M])}, softmax and cross-entropy. A sum of per-modality
     * linear terms cannot express an interaction of modalities (the XOR target of the synthetic set), so the task can
     * be solved only through the paired stream. Same updaters, seed and initialisation scheme as the main job's graph.
     */
    private ExperimentRunner.Built additiveUniGraph(Prepared p, FusionChoice choice, long seed) {
        List<String> modalities = p.descriptor().getModalities().stream().map(m -> m.getName()).toList();
        return additiveUniGraph(HostInputs.of(p.train(), modalities), p.target().labelWidth(), training, choice, seed);
    }

    /**
     * @param inputs  the modalities, in input order, and their input types
     * @param classes K
     */
    static ExperimentRunner.Built additiveUniGraph(HostInputs inputs, long classes, TrainingSettings training,
                                                   FusionChoice choice, long seed) {
        List<String> modalities = inputs.names();
        int mCount = inputs.size();
        long d = training.getWidth();
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Adam(choice.learningRate(training))).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs(modalities.toArray(new String[0])).setInputTypes(inputs.types());
        String[] pgmInputs = modalities.toArray(new String[0]);
        long[] widths = new long[mCount];
        long[] seqs = new long[mCount];
        for (int m = 0; m < mCount; m++) {
            if (inputs.isSequence(m)) {
                pgmInputs[m] = modalities.get(m) + "Pool";
                b.addLayer(pgmInputs[m], new StepMeanPoolingLayer.Builder().build(), modalities.get(m));
            }
            widths[m] = Layouts.width(inputs.types()[m]);
            seqs[m] = 1; // sequences are pooled
        }
        FusionSpec spec = choice.spec(training, modalities);
        PgmOptions opts = spec.getPgm().resolveWidth(widths);
        if (opts.getWidth() != d) {
            throw new IllegalStateException("PartitionRecoveryProbe: PgM's width " + opts.getWidth() + " is not the "
                    + "preset's " + d);
        }
        b.addVertex("pack", new ModalityPackVertex(), pgmInputs);
        b.addLayer("pgm", new PgmLayer(opts, widths, seqs, spec.getModelUpdater(), spec.getLearnerUpdater(),
                spec.getDecoderUpdater()), "pack");
        int[] range = PgmLayer.featureRange(mCount, d);
        b.addVertex("features", new SubsetVertex(range[0], range[1]), "pgm");
        String features = "features";
        if (spec.isHeadInputNormalized()) {
            b.addLayer("featuresNorm", new BatchNormalization.Builder().build(), features);
            features = "featuresNorm";
        }
        String[] logits = new String[mCount + 1];
        for (int m = 0; m < mCount; m++) {
            b.addVertex("uni" + m, new SubsetVertex((int) (m * d), (int) ((m + 1) * d - 1)), features);
            b.addLayer("uniLogits" + m, new DenseLayer.Builder().nOut(classes).activation(Activation.IDENTITY)
                    .build(), "uni" + m);
            logits[m] = "uniLogits" + m;
        }
        b.addVertex("paired", new SubsetVertex((int) (mCount * d), (int) (2 * mCount * d - 1)), features);
        b.addLayer("pairedHidden", new DenseLayer.Builder().nOut(d).activation(Activation.RELU).build(), "paired");
        b.addLayer("pairedLogits", new DenseLayer.Builder().nOut(classes).activation(Activation.IDENTITY).build(),
                "pairedHidden");
        logits[mCount] = "pairedLogits";
        b.addVertex("logits", new ElementWiseVertex(ElementWiseVertex.Op.Add), logits);
        b.addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .build(), "logits");
        b.setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return new ExperimentRunner.Built(g, new Fused("logits", classes, "pgm"));
    }

    private LayoutMultiDataSetIterator iterator(Prepared p, SplitData split, long shuffleSeed) {
        LayoutIteratorOptions.Builder b = LayoutIteratorOptions.builder().batchSize(training.getBatchSize())
                .targets(p.target().getName());
        if (shuffleSeed >= 0) {
            b.shuffle(shuffleSeed);
        }
        return new LayoutMultiDataSetIterator(p.descriptor(), split, b.build());
    }

    /** Probe accuracies from u_m and from p_m of every modality, and from all u (all p) concatenated. */
    private void probe(Prepared p, Variant v, List<String> modalities, List<ModalityFeatures> fTrain,
                       List<ModalityFeatures> fTest) {
        for (Factor f : p.factors()) {
            for (int m = 0; m <= modalities.size(); m++) {
                boolean all = m == modalities.size();
                INDArray uTr = all ? concat(fTrain, true) : fTrain.get(m).uni();
                INDArray pTr = all ? concat(fTrain, false) : fTrain.get(m).paired();
                INDArray uTe = all ? concat(fTest, true) : fTest.get(m).uni();
                INDArray pTe = all ? concat(fTest, false) : fTest.get(m).paired();
                String k = v + "|" + (all ? "all" : modalities.get(m)) + "|" + f.name();
                add(k + "|u", RidgeProbe.accuracy(uTr, f.train(), uTe, f.test(), f.classes(), lambda));
                add(k + "|p", RidgeProbe.accuracy(pTr, f.train(), pTe, f.test(), f.classes(), lambda));
            }
        }
    }

    private static INDArray concat(List<ModalityFeatures> fs, boolean uni) {
        return Nd4j.hstack(fs.stream().map(f -> uni ? f.uni() : f.paired()).toArray(INDArray[]::new));
    }

    /**
     * Per modality: share of g_u &gt; 0.5, of g_p &gt; 0.5, of both, and the mean binary entropy (bits) of g_u and g_p,
     * over every test example and channel, of the last iteration's pooled soft gates.
     */
    static double[][] gateSummary(List<ModalityFeatures> fs) {
        double[][] out = new double[fs.size()][4];
        for (int m = 0; m < fs.size(); m++) {
            INDArray gu = fs.get(m).lastUniGate().castTo(DataType.DOUBLE);
            INDArray gp = fs.get(m).lastPairedGate().castTo(DataType.DOUBLE);
            INDArray hu = gu.gt(0.5).castTo(DataType.DOUBLE);
            INDArray hp = gp.gt(0.5).castTo(DataType.DOUBLE);
            out[m][0] = hu.meanNumber().doubleValue();
            out[m][1] = hp.meanNumber().doubleValue();
            out[m][2] = hu.mul(hp).meanNumber().doubleValue();
            out[m][3] = (binaryEntropy(gu) + binaryEntropy(gp)) / 2;
        }
        return out;
    }

    /** Mean of {@code -g log2 g - (1 - g) log2 (1 - g)} over all entries. */
    static double binaryEntropy(INDArray g) {
        double[] v = g.reshape(-1).toDoubleVector();
        double s = 0;
        for (double x : v) {
            double c = Math.min(Math.max(x, 1e-12), 1 - 1e-12);
            s += -(c * Math.log(c) + (1 - c) * Math.log(1 - c)) / Math.log(2);
        }
        return s / v.length;
    }

    /** Mean soft paired gate {@code [B, D]} over examples on the uni(+both), paired and nuisance channels. */
    private static double[] pairedGateByRole(SyntheticMultimodalGenerator g, int m, INDArray gp) {
        SyntheticMultimodalGenerator.ChannelRoles r = g.channelRoles(m);
        if (gp.size(1) != r.width()) {
            return new double[]{Double.NaN, Double.NaN, Double.NaN};
        }
        INDArray perChannel = gp.castTo(DataType.DOUBLE).mean(0);
        int uniEnd = r.uni() + r.both();
        int pairedEnd = uniEnd + r.paired();
        return new double[]{rangeMean(perChannel, 0, uniEnd), rangeMean(perChannel, uniEnd, pairedEnd),
                rangeMean(perChannel, pairedEnd, r.width())};
    }

    private static double rangeMean(INDArray v, int from, int to) {
        if (to <= from) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v.getDouble(i);
        }
        return s / (to - from);
    }

    private void printTables(Prepared p, List<String> modalities) {
        System.out.println();
        System.out.println("### " + p.name() + ": test ACC of the task");
        for (Variant v : variants) {
            System.out.printf(Locale.ROOT, "%-20s %s   partitioner ||θ - θ0|| / ||θ0||: %s%n", v,
                    pm(results.get(v + "|task")), pm(results.get(v + "|partitionerChange")));
        }
        System.out.println();
        System.out.println("### " + p.name() + ": ridge probe test accuracy from u_m and from p_m (mean ± std over "
                + seeds + " seeds)");
        System.out.println("| factor | chance | features | " + String.join(" | ", variants.stream()
                .flatMap(v -> java.util.stream.Stream.of(v + " u", v + " p")).toList()) + " |");
        System.out.println("|---|---|---|" + "---|".repeat(2 * variants.size()));
        List<String> rows = new ArrayList<>(modalities);
        rows.add("all");
        for (Factor f : p.factors()) {
            for (String m : rows) {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "| %s | %.3f | %s |", f.name(),
                        f.chance(), m));
                for (Variant v : variants) {
                    String k = v + "|" + m + "|" + f.name();
                    sb.append(' ').append(pm(results.get(k + "|u"))).append(" | ").append(pm(results.get(k + "|p")))
                            .append(" |");
                }
                System.out.println(sb);
            }
        }
        System.out.println();
        System.out.println("### " + p.name() + ": is the right stream ahead? p - u of the probe accuracy from the "
                + "features of each modality that carries the factor (right: p ahead for a paired factor, u for a uni "
                + "one)");
        System.out.println("| factor | role | modality | variant | p - u (mean ± std) | right on the mean | seeds right |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Factor f : p.factors()) {
            for (String m : f.carriers()) {
                for (Variant v : variants) {
                    String k = v + "|" + m + "|" + f.name();
                    Separation sep = Separation.of(f.role(), results.get(k + "|u"), results.get(k + "|p"));
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %+.3f ± %.3f | %s | %d / %d |%n", f.name(),
                            f.role(), m, v, sep.mean(), sep.std(), sep.rightOnMean(f.role()) ? "yes" : "no",
                            sep.right(), sep.seeds());
                }
            }
        }
        System.out.println();
        System.out.println("### " + p.name() + ": gates after training (test split, last iteration)");
        boolean roles = p.generator() != null;
        System.out.println("| variant | modality | uni share | paired share | overlap | entropy (bits)"
                + (roles ? " | g_p on uni ch. | g_p on paired ch. | g_p on nuisance ch." : "") + " |");
        System.out.println("|---|---|---|---|---|---|" + (roles ? "---|---|---|" : ""));
        for (Variant v : variants) {
            if (v == Variant.NO_PARTITIONER) {
                continue;
            }
            for (int m = 0; m < modalities.size(); m++) {
                String k = v + "|gates|" + modalities.get(m);
                StringBuilder sb = new StringBuilder("| " + v + " | " + modalities.get(m) + " |");
                for (String s : roles ? List.of("uni", "paired", "overlap", "entropy", "gpOnUni", "gpOnPaired",
                        "gpOnNuisance") : List.of("uni", "paired", "overlap", "entropy")) {
                    sb.append(' ').append(pm(results.get(k + "|" + s))).append(" |");
                }
                System.out.println(sb);
            }
        }
        if (roles) {
            System.out.println();
            System.out.println("ground truth (channels of each role / D):");
            for (int m = 0; m < modalities.size(); m++) {
                SyntheticMultimodalGenerator.ChannelRoles r = p.generator().channelRoles(m);
                System.out.printf(Locale.ROOT, "  %s: uni %d, paired %d, both %d, nuisance %d of %d%n",
                        modalities.get(m), r.uni(), r.paired(), r.both(), r.nuisance(), r.width());
            }
        }
        System.out.println();
    }

    private void printDynamics(List<String> modalities, List<List<double[][]>> dynamics) {
        System.out.println("gate dynamics of PgM (mean over seeds; epoch 0 = initialisation): per modality "
                + "uni share / paired share / entropy");
        for (int e = 0; e < dynamics.get(0).size(); e++) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %2d", e));
            for (int m = 0; m < modalities.size(); m++) {
                double[] s = new double[4];
                for (List<double[][]> seed : dynamics) {
                    for (int k = 0; k < 4; k++) {
                        s[k] += seed.get(e)[m][k] / dynamics.size();
                    }
                }
                sb.append(String.format(Locale.ROOT, "  %s %.3f / %.3f / %.3f", modalities.get(m), s[0], s[1], s[3]));
            }
            System.out.println(sb);
        }
    }

    private static double mean(List<Double> v) {
        return v == null ? Double.NaN : v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** "mean ± std" (sample standard deviation) of the values. */
    static String pm(List<Double> v) {
        if (v == null || v.isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.3f ± %.3f", mean(v), std(v));
    }

    /** The sample standard deviation of the values (0 for one value). */
    private static double std(List<Double> v) {
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0;
    }

    /**
     * Scales every update of a PgM layer's partitioner parameters (W_u, b_u, W_p, b_p of Eq. 1) by k after the
     * updater has applied it: {@code θ ← θ_before + k (θ_after - θ_before)}. With Adam this is the partitioner's
     * learning rate times k; k = 0 keeps the parameters at their initial values.
     */
    static final class PartitionerStep extends BaseTrainingListener {
        private final double scale;
        private final ComputationGraph graph;
        private final String vertex;
        private final Map<String, INDArray> initial = new LinkedHashMap<>();
        private final Map<String, INDArray> before = new LinkedHashMap<>();

        PartitionerStep(ComputationGraph g, String vertex, double scale) {
            this.graph = g;
            this.vertex = vertex;
            this.scale = scale;
            partitioner().forEach((k, v) -> {
                initial.put(k, v.dup());
                before.put(k, v.dup());
            });
            if (initial.isEmpty()) {
                throw new IllegalArgumentException("PartitionRecoveryProbe: vertex '" + vertex + "' has no partitioner");
            }
        }

        private Map<String, INDArray> partitioner() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            graph.getVertex(vertex).paramTable(false).forEach((k, v) -> {
                if (k.startsWith(PgmBlock.PARTITIONER_PREFIX)) {
                    out.put(k, v);
                }
            });
            return out;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            partitioner().forEach((k, now) -> {
                INDArray prev = before.get(k);
                if (scale != 1) {
                    now.assign(prev.add(now.sub(prev).muli(scale)));
                }
                prev.assign(now);
            });
        }

        /** The largest absolute difference of the partitioner parameters from their initial values. */
        double drift() {
            double d = 0;
            for (Map.Entry<String, INDArray> e : partitioner().entrySet()) {
                d = Math.max(d, e.getValue().sub(initial.get(e.getKey())).amaxNumber().doubleValue());
            }
            return d;
        }

        /** ||θ - θ_0|| / ||θ_0|| over all partitioner parameters (Frobenius norms). */
        double relativeChange() {
            double diff = 0;
            double base = 0;
            for (Map.Entry<String, INDArray> e : partitioner().entrySet()) {
                INDArray init = initial.get(e.getKey());
                diff += Math.pow(e.getValue().sub(init).norm2Number().doubleValue(), 2);
                base += Math.pow(init.norm2Number().doubleValue(), 2);
            }
            return Math.sqrt(diff / Math.max(base, 1e-30));
        }
    }
}

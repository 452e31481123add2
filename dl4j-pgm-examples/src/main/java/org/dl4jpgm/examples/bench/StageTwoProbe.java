package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.eval.RidgeProbe;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What happens to PgM's task head in stage 2? Trains one fusion of the main job (PgM by default) at one seed on a
 * dataset in the project's layout (the embedded digits-speech set by default), with the main job's training options,
 * and prints after every epoch of both stages: the monitored UFC, PFC, UPR and task loss, and on the test split the
 * share of positive activations of the dense ReLU layer after the fusion ({@code dense>0}; 0 = every unit dead) and the
 * standard deviation over examples of the fused output, averaged over channels ({@code fused std}; near 0 = one output
 * for every example). At the end: test ACC, and for PgM, how well a ridge-regression probe
 * ({@link RidgeProbe#accuracy}: one-hot targets, λ = 1, standardised features) reads every target of the dataset from
 * PgM's features on the test split, fitted on the training split: whether the features still carry the information
 * when the head does not learn.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.bench.StageTwoProbe -Dexec.args="--head-norm no"}.
 */
@Command(name = "StageTwoProbe", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"One fusion at one seed with per-epoch diagnostics of the task head, and ridge probes of PgM's "
                + "features.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class StageTwoProbe implements Callable<Integer> {

    private static final String DENSE = "dense";

    @Mixin
    private TrainingOptions training = new TrainingOptions(Presets.CPU);
    /** Dataset folder in the project's layout (null = the embedded digits-speech set). */
    @Option(names = "--dataset", paramLabel = "DIR", description = "dataset in the project's layout (default: the "
            + "embedded digits-speech set)")
    private Path dataset;
    /** The fusion to train (a name of the main job's {@code --fusions}). */
    @Option(names = "--fusion", paramLabel = "NAME", description = "fusion to train (default ${DEFAULT-VALUE})")
    private String fusion = "PGM";
    /** The seed (the main job's runs use 1000, 1001, ...). */
    @Option(names = "--seed", paramLabel = "S", converter = Converters.NonNegativeLong.class,
            description = "seed (default ${DEFAULT-VALUE})")
    private long seed = 1000;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private StageTwoProbe() {
    }

    public static void main(String[] args) {
        StageTwoProbe p = new StageTwoProbe();
        Cli.main(p, p.training, args);
    }

    @Override
    public Integer call() throws Exception {
        LayoutReader reader = dataset == null ? EmbeddedDatasets.openDigitsSpeech() : new LayoutReader(dataset);
        DatasetDescriptor d = reader.descriptor();
        TargetSpec target = d.getDefaultTarget();
        SplitData train = reader.readSplit("train");
        SplitData test = reader.readSplit("test");
        ExperimentRunner runner = new ExperimentRunner(d, target, train, test, training);
        FusionChoice choice = FusionChoice.parse(fusion).expand(runner.modalities()).get(0);
        ExperimentRunner.Built built = runner.build(choice, seed);
        ComputationGraph g = built.graph();
        String fused = built.fused().output();
        System.out.printf(Locale.ROOT, "%s seed %d on %s, target %s; epochs %d + %d, lr %s, head input normalised: %s%n",
                choice.label(), seed, d.getName(), target.getName(), choice.isPgm() ? training.getStage1Epochs() : 0,
                training.getStage2Epochs(), training.getModelLearningRate(), training.isHeadInputNormalized());

        LayoutMultiDataSetIterator trainIt = new LayoutMultiDataSetIterator(d, train, LayoutIteratorOptions.builder()
                .batchSize(training.getBatchSize()).targets(target.getName()).shuffle(seed).build());
        LayoutMultiDataSetIterator monitor = new LayoutMultiDataSetIterator(d, train, LayoutIteratorOptions.builder()
                .batchSize(training.getBatchSize()).targets(target.getName()).build());
        TrainerOptions options = TrainerOptions.builder().stage1Epochs(training.getStage1Epochs())
                .stage2Epochs(training.getStage2Epochs()).alpha(training.getAlpha()).beta(training.getBeta())
                .monitorBatches(4).build();
        new TwoStageTrainer(options).epochStart(trainIt::setEpoch).onEpoch(r -> {
            Map<String, INDArray> acts = runner.activations(g, test, fused, DENSE);
            System.out.printf(Locale.ROOT, "%s  dense>0 %.3f  fused std %.3f%n", r.format(),
                    acts.get(DENSE).gt(0).castTo(DataType.DOUBLE).meanNumber().doubleValue(),
                    acts.get(fused).std(0).meanNumber().doubleValue());
        }).fit(new PgmGraph(g, built.fused()), trainIt, monitor);

        System.out.println("test: " + runner.evaluate(g, test).format());
        if (choice.isPgm()) {
            String features = built.fused().pgmVertex();
            INDArray xTrain = runner.activations(g, train, features).get(features);
            INDArray xTest = runner.activations(g, test, features).get(features);
            for (TargetSpec t : d.getTargets()) {
                if (t.getClasses() == null || t.getClasses().isEmpty()) {
                    continue;
                }
                double acc = RidgeProbe.accuracy(xTrain, classes(t, train), xTest, classes(t, test),
                        t.getClasses().size(), RidgeProbe.DEFAULT_LAMBDA);
                System.out.printf(Locale.ROOT, "ridge probe on PgM's output, target %-14s test ACC %.4f%n", t.getName(),
                        acc);
            }
        }
        return 0;
    }

    /** The class indices of a split's examples for a class target. */
    private static int[] classes(TargetSpec t, SplitData split) {
        return java.util.Arrays.stream(LabelEncoder.decode(t, split.labels(t.getName()), null)).mapToInt(v -> (int) v)
                .toArray();
    }
}

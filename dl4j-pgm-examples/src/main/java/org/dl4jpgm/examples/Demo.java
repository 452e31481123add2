package org.dl4jpgm.examples;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.impl.GraphUpdaters;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.conf.MaskedLearnerLayer;
import org.dl4jpgm.conf.ModalPartitionerLayer;
import org.dl4jpgm.conf.UniPairedDecoderVertex;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import org.dl4jpgm.util.ParameterCounts;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Random;
import java.util.concurrent.Callable;

/**
 * A small demonstration of PgM's layers in a DL4J {@link ComputationGraph}: two recurrent modalities ("text" with 6
 * features, "audio" with 5, both {@code [B, F, S]}, S = 4), each projected to the common width D = 8, then per
 * modality a {@link ModalPartitionerLayer} (N = 2, chunk size 2), a uni and a paired {@link MaskedLearnerLayer}
 * (FEATURE mode) and a {@link UniPairedDecoderVertex}; the decoders' outputs are merged, averaged over time and
 * classified into 3 classes. It trains a few Adam steps on generated data (class-dependent means plus noise) and
 * prints the score after each step.
 *
 * <p>Run: {@code mvn -B -q -pl dl4j-pgm-examples exec:java -Dexec.mainClass=org.dl4jpgm.examples.Demo}; options
 * {@code --steps N}, {@code --batch B}, {@code --seed S} ({@code --help}).
 */
@Command(name = "Demo", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"A two-modality graph with PgM's partitioner, learners and decoder trained a few steps on "
                + "generated data.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class Demo implements Callable<Integer> {

    /** Common width D of the modal representations. */
    static final int WIDTH = 8;
    /** Sequence length S of both modalities. */
    static final int SEQ = 4;
    static final int CLASSES = 3;
    static final int TEXT_FEATURES = 6;
    static final int AUDIO_FEATURES = 5;

    private Demo() {
    }

    /** The graph's configuration: inputs "text" and "audio", output "out". */
    public static ComputationGraphConfiguration configuration(long seed) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("text", "audio")
                .setInputTypes(InputType.recurrent(TEXT_FEATURES, SEQ), InputType.recurrent(AUDIO_FEATURES, SEQ));
        for (String m : new String[]{"text", "audio"}) {
            addModalityPath(b, m);
        }
        return b.addVertex("fused", new MergeVertex(), "textDec", "audioDec")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "fused")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(CLASSES).build(), "pool")
                .setOutputs("out")
                .build();
    }

    /** {@code m -> mProj -> mPart -> (mUni, mPaired) -> mDec}. */
    private static void addModalityPath(ComputationGraphConfiguration.GraphBuilder b, String m) {
        int[] uni = ModalPartitionerLayer.partRange(WIDTH, ModalPartitionerLayer.UNI, ModalPartitionerLayer.UNI_GATE);
        int[] paired = ModalPartitionerLayer.partRange(WIDTH, ModalPartitionerLayer.PAIRED,
                ModalPartitionerLayer.PAIRED_GATE);
        b.addLayer(m + "Proj", new TimeDistributed(new DenseLayer.Builder().nOut(WIDTH).activation(Activation.TANH)
                        .build()), m)
                .addLayer(m + "Part", new ModalPartitionerLayer.Builder().name(m + "Part").iterations(2).chunkSize(2)
                        .build(), m + "Proj")
                .addVertex(m + "UniIn", new SubsetVertex(uni[0], uni[1]), m + "Part")
                .addVertex(m + "PairedIn", new SubsetVertex(paired[0], paired[1]), m + "Part")
                .addLayer(m + "Uni", learner(m + "Uni"), m + "UniIn")
                .addLayer(m + "Paired", learner(m + "Paired"), m + "PairedIn")
                .addVertex(m + "Dec", new UniPairedDecoderVertex.Builder().name(m + "Dec").heads(2).ffnSize(16).build(),
                        m + "Uni", m + "Paired");
    }

    private static MaskedLearnerLayer learner(String name) {
        return new MaskedLearnerLayer.Builder().name(name).mode(LearnerMode.FEATURE).chunkSize(2).tokenWidth(8)
                .heads(2).ffnSize(16).build();
    }

    /** Generated data: per class a fixed mean per feature (shared over time) plus unit noise, for each modality. */
    static MultiDataSet generate(int batch, Random rnd, double[][] textMeans, double[][] audioMeans) {
        INDArray text = Nd4j.create(DataType.FLOAT, batch, TEXT_FEATURES, SEQ);
        INDArray audio = Nd4j.create(DataType.FLOAT, batch, AUDIO_FEATURES, SEQ);
        INDArray labels = Nd4j.create(DataType.FLOAT, batch, CLASSES);
        for (int i = 0; i < batch; i++) {
            int y = rnd.nextInt(CLASSES);
            labels.putScalar(i, y, 1.0);
            for (int s = 0; s < SEQ; s++) {
                for (int f = 0; f < TEXT_FEATURES; f++) {
                    text.putScalar(new long[]{i, f, s}, textMeans[y][f] + rnd.nextGaussian());
                }
                for (int f = 0; f < AUDIO_FEATURES; f++) {
                    audio.putScalar(new long[]{i, f, s}, audioMeans[y][f] + rnd.nextGaussian());
                }
            }
        }
        return new MultiDataSet(new INDArray[]{text, audio}, new INDArray[]{labels});
    }

    private static double[][] means(Random rnd, int features) {
        double[][] m = new double[CLASSES][features];
        for (double[] row : m) {
            for (int f = 0; f < features; f++) {
                row[f] = rnd.nextGaussian();
            }
        }
        return m;
    }

    /** Training steps. */
    @Option(names = "--steps", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "training steps (default ${DEFAULT-VALUE})")
    private int steps = 10;
    /** Examples per step. */
    @Option(names = "--batch", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "examples per step (default ${DEFAULT-VALUE})")
    private int batch = 32;
    /** Seed of the weights and the generated data. */
    @Option(names = "--seed", paramLabel = "S", converter = Converters.NonNegativeLong.class,
            description = "seed of the weights and the generated data (default ${DEFAULT-VALUE})")
    private long seed = 42;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new Demo(), null, args);
    }

    @Override
    public Integer call() {

        ComputationGraph graph = new ComputationGraph(configuration(seed));
        graph.init();
        GraphUpdaters.install(graph); // DL4J's arithmetic on its fast paths (docs/design.md)
        System.out.println("PgM demo: two modalities (text " + TEXT_FEATURES + " x " + SEQ + ", audio " + AUDIO_FEATURES
                + " x " + SEQ + "), D = " + WIDTH + ", " + CLASSES + " classes");
        System.out.print(ParameterCounts.of(graph));

        Random rnd = new Random(seed);
        double[][] textMeans = means(rnd, TEXT_FEATURES);
        double[][] audioMeans = means(rnd, AUDIO_FEATURES);
        MultiDataSet heldOut = generate(batch, rnd, textMeans, audioMeans);
        for (int step = 1; step <= steps; step++) {
            graph.fit(generate(batch, rnd, textMeans, audioMeans));
            System.out.printf("step %3d  training score %.4f  held-out score %.4f%n", step, graph.score(),
                    graph.score(heldOut));
        }
        return 0;
    }
}

package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.datavec.common.BatchedMultiDataSetIterator;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PgmFusion;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Does stage 1 lower PgM's objective under the library's defaults? A small host graph (two sequence modalities
 * {@code [B, 5, 8]} and {@code [B, 3, 8]} through LSTM encoders with masked average pooling, a MergeVertex, a dense
 * layer and a softmax; a paired target: the class is the sign of the product of the two modalities' first features)
 * has its fusion replaced by PgM with {@code FusionSpec.builder().build()} (PgM's defaults: FEATURE learners,
 * straight-through gates, C = -10000, N = 3), then trains stage 1 (L_P alone) for E epochs; printed: L_P = UFC + PFC +
 * UPR on the training data after each epoch, for each learner mode and each {@link GateGradient}, over data seeds.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.bench.StageOneProbe -Dexec.args="--epochs 10 --seeds 3"}.
 */
@Command(name = "StageOneProbe", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Stage 1 (L_P alone) of PgM in place of a host graph's fusion, per learner mode and gate "
                + "gradient; prints a Markdown table.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class StageOneProbe implements Callable<Integer> {

    private static final int EXAMPLES = 64;
    private static final int BATCH = 16;
    private static final long SEQ = 8;

    private StageOneProbe() {
    }

    /** Stage-1 epochs per run. */
    @Option(names = "--epochs", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "stage-1 epochs per run (default ${DEFAULT-VALUE})")
    private int epochs = 10;
    /** Data seeds per learner mode and gate gradient. */
    @Option(names = "--seeds", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "data seeds per learner mode and gate gradient (default ${DEFAULT-VALUE})")
    private int seeds = 3;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new StageOneProbe(), null, args);
    }

    @Override
    public Integer call() {
        System.out.printf(Locale.ROOT, "stage 1 (L_P alone), %d epochs, %d examples, batch %d; L_P after epoch 1 and %d%n",
                epochs, EXAMPLES, BATCH, epochs);
        System.out.println("| learner mode | gate gradient | seed | L_P epoch 1 | L_P epoch " + epochs
                + " | falls |\n|---|---|---|---|---|---|");
        for (LearnerMode mode : LearnerMode.values()) {
            for (GateGradient gate : GateGradient.values()) {
                for (int s = 0; s < seeds; s++) {
                    List<EpochRecord> h = run(mode, gate, 100 + s, epochs);
                    double first = objective(h.get(0));
                    double last = objective(h.get(h.size() - 1));
                    System.out.printf(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %s |%n", mode, gate, 100 + s,
                            first, last, last < first ? "yes" : "no");
                }
            }
        }
        return 0;
    }

    private static double objective(EpochRecord r) {
        return r.ufc() + r.pfc() + r.upr();
    }

    private static List<EpochRecord> run(LearnerMode mode, GateGradient gate, long seed, int epochs) {
        ComputationGraph host = new ComputationGraph(host(seed));
        host.init();
        PgmOptions defaults = FusionSpec.builder().build().getPgm();
        FusionSpec spec = FusionSpec.builder().pgm(defaults.toBuilder().learnerMode(mode).gateGradient(gate).build())
                .build();
        PgmGraph pgm = PgmFusion.replace(host, "fusion", spec);
        MultiDataSetIterator data = data(seed);
        // measured on the training batches themselves (they are not shuffled, so measuring changes no order)
        return new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(epochs).stage2Epochs(0).build())
                .fit(pgm, data, data);
    }

    private static ComputationGraphConfiguration host(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.recurrent(5, SEQ), InputType.recurrent(3, SEQ))
                .addLayer("encA", new LSTM.Builder().nOut(8).activation(Activation.TANH).build(), "a")
                .addLayer("encB", new LSTM.Builder().nOut(8).activation(Activation.TANH).build(), "b")
                .addLayer("poolA", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encA")
                .addLayer("poolB", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encB")
                .addVertex("fusion", new MergeVertex(), "poolA", "poolB")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "fusion")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build();
    }

    /** The paired target: class 1 when the first features of both modalities have the same sign. */
    private static MultiDataSetIterator data(long seed) {
        Random r = new Random(seed);
        List<MultiDataSet> list = new ArrayList<>();
        for (int start = 0; start < EXAMPLES; start += BATCH) {
            INDArray a = Nd4j.create(DataType.FLOAT, BATCH, 5, SEQ);
            INDArray b = Nd4j.create(DataType.FLOAT, BATCH, 3, SEQ);
            INDArray y = Nd4j.create(DataType.FLOAT, BATCH, 2);
            for (int i = 0; i < BATCH; i++) {
                double za = r.nextBoolean() ? 1 : -1;
                double zb = r.nextBoolean() ? 1 : -1;
                for (int s = 0; s < SEQ; s++) {
                    for (int d = 0; d < 5; d++) {
                        a.putScalar(new long[]{i, d, s}, (d == 0 ? za : 0) + 0.3 * r.nextGaussian());
                    }
                    for (int d = 0; d < 3; d++) {
                        b.putScalar(new long[]{i, d, s}, (d == 0 ? zb : 0) + 0.3 * r.nextGaussian());
                    }
                }
                y.putScalar(i, za * zb > 0 ? 1 : 0, 1.0);
            }
            list.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{a, b}, new INDArray[]{y}));
        }
        return new BatchedMultiDataSetIterator("StageOneProbe", EXAMPLES, BATCH) {
            @Override
            protected MultiDataSet batch(int from, int count) {
                return list.get(from / BATCH);   // EXAMPLES is a multiple of BATCH: whole batches in order
            }
        };
    }
}

package org.dl4jpgm.spark;

import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.TrainingSettings;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.fusion.PgmFusion;
import org.dl4jpgm.fusion.PgmGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job's PgM graph trained on Spark in local[2] with parameter averaging. */
class SparkPgmTrainerTest {

    private static final Logger LOG = LoggerFactory.getLogger(SparkPgmTrainerTest.class);
    private static JavaSparkContext sc;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        sc = SparkContexts.create("SparkPgmTrainerTest", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.stop();
        }
    }

    private static TrainingSettings settings() {
        TrainingOptions o = new TrainingOptions(Presets.CPU);
        new picocli.CommandLine(o).parseArgs("--width", "8", "--batch", "32", "--stage1-epochs", "1", "--stage2-epochs",
                "4", "--lr", "1e-2", "--learner-lr", "3e-3", "--decoder-lr", "1e-2", "--head-norm", "no");
        return o;
    }

    private static float[] params(ComputationGraph g, String layer) {
        return g.getLayer(layer).params().dup().data().asFloat();
    }

    @Test
    void stageOneTrainsWithBetaZeroOnTheWorkersAndStageTwoWithTheJointWeights() throws Exception {
        PgmSparkJob job = SparkTestData.job(dir.resolve("stages"), settings(), 128, 32);
        PgmGraph pgm = job.build(5);
        ComputationGraph g = pgm.graph();
        String pgmLayer = pgm.fused().pgmVertex();
        float[] dense0 = params(g, "dense");
        float[] out0 = params(g, "out");
        float[] pgm0 = params(g, pgmLayer);
        SparkPgmTrainer stage1 = new SparkPgmTrainer(job.sparkOptions(5).stage1Epochs(1).stage2Epochs(0).build());
        List<SparkPgmTrainer.EpochResult> h = stage1.fit(sc, pgm, job.trainingData(sc, 5), 32);
        assertEquals(1, h.size());
        assertEquals(LossWeights.PRETRAINING, h.get(0).weights());
        // β = 0 reached the workers: the task head (trained by L_T only) is where it started, PgM's layer moved
        assertArrayEquals(dense0, params(g, "dense"), "dense changed in stage 1: the workers trained with β != 0");
        assertArrayEquals(out0, params(g, "out"), "out changed in stage 1: the workers trained with β != 0");
        assertFalse(java.util.Arrays.equals(pgm0, params(g, pgmLayer)), "PgM's layer did not train in stage 1");

        SparkPgmTrainer stage2 = new SparkPgmTrainer(job.sparkOptions(5).stage1Epochs(0).stage2Epochs(1).build());
        h = stage2.fit(sc, pgm, job.trainingData(sc, 5), 32);
        assertEquals(new LossWeights(0.5, 1), h.get(0).weights());
        assertFalse(java.util.Arrays.equals(out0, params(g, "out")), "out did not train in stage 2");
        assertEquals(new LossWeights(0.5, 1), pgm.getLossWeights());
        assertSame(g, pgm.graph());
    }

    @Test
    void testMetricIsWithinTwoPointsOfSingleMachineTrainingAndTheModelSavesAndLoads() throws Exception {
        PgmSparkJob job = SparkTestData.job(dir.resolve("compare"), settings(), 192, 256);
        long seed = 3;
        long t0 = System.nanoTime();
        double[] local = job.evaluate(job.trainLocally(seed));
        long t1 = System.nanoTime();
        List<SparkPgmTrainer.EpochResult> history = new ArrayList<>();
        // the single machine's steps: every averaging round, the two workers fit half a batch each (B = 32)
        PgmGraph spark = job.trainOnSpark(sc, seed, job.sparkOptions(seed).batchSizePerWorker(16).averagingFrequency(1)
                .build(), history);
        long t2 = System.nanoTime();
        double[] distributed = job.evaluate(spark.graph());
        LOG.info("test ACC single machine {} ({} s), Spark local[2] {} ({} s); {}", local[0], (t1 - t0) / 1e9,
                distributed[0], (t2 - t1) / 1e9, history.stream().map(SparkPgmTrainer.EpochResult::format).toList());
        assertEquals(5, history.size());
        assertTrue(local[0] > 0.75, "single machine did not learn the target: ACC " + local[0]);
        assertEquals(local[0], distributed[0], 0.02, "Spark ACC " + distributed[0] + ", single machine " + local[0]);

        File f = dir.resolve("spark-pgm.zip").toFile();
        ModelSerializer.writeModel(spark.graph(), f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        PgmGraph back = PgmGraph.of(restored);
        // compared as JSON: a layer configuration can come back unequal to itself under equals()
        assertEquals(spark.graph().getConfiguration().toJson(), restored.getConfiguration().toJson());
        assertEquals(spark.getLossWeights(), back.getLossWeights());
        assertEquals(spark.graph().params(), restored.params());
        assertArrayEquals(distributed, job.evaluate(restored), 0.0);
    }

    @Test
    void trainsAHostGraphWhoseFusionPgmReplacedOnArrays() {
        // a host graph: two dense encoders, a MergeVertex fusion, a softmax head; its fusion replaced by PgM
        ComputationGraph host = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("x", "y").setInputTypes(InputType.feedForward(5), InputType.feedForward(3))
                .addLayer("encX", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "x")
                .addLayer("encY", new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build(), "y")
                .addVertex("fusion", new MergeVertex(), "encX", "encY")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "fusion")
                .setOutputs("out").build());
        host.init();
        PgmGraph pgm = PgmFusion.replace(host, "fusion", FusionSpec.builder().build());
        // whole-data-set arrays, as feature-cache entries are read: class = sign of x's first feature
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 5).subi(0.5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 64, 3);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 64, 2);
        for (int i = 0; i < 64; i++) {
            labels.putScalar(i, x.getDouble(i, 0) > 0 ? 1 : 0, 1.0);
        }
        var rdd = SparkData.fromArrays(sc, new INDArray[]{x, y}, null, labels, 16, 2);
        assertEquals(4, rdd.count());
        float[] out0 = params(pgm.graph(), "out");
        List<SparkPgmTrainer.EpochResult> h = new SparkPgmTrainer(SparkTrainingOptions.builder().stage1Epochs(1)
                .stage2Epochs(2).batchSizePerWorker(16).seed(4).build()).fit(sc, pgm, rdd, 16);
        assertEquals(List.of(1, 2, 2), h.stream().map(SparkPgmTrainer.EpochResult::stage).toList());
        assertTrue(Double.isFinite(h.get(2).score()), h.toString());
        assertFalse(java.util.Arrays.equals(out0, params(pgm.graph(), "out")), "the host's head did not train");
    }

    @Test
    void trainsFromExportedBatchesOnAFileSystem() throws Exception {
        PgmSparkJob job = SparkTestData.job(dir.resolve("paths"), settings(), 128, 32);
        List<MultiDataSet> batches = job.trainingData(sc, 9).collect();
        Path export = dir.resolve("exported");
        List<String> paths = SparkData.export(batches, export);
        assertEquals(paths, SparkData.exportedPaths(export));
        assertEquals(4, paths.size());
        PgmGraph pgm = job.build(9);
        INDArray before = pgm.graph().params().dup();
        List<SparkPgmTrainer.EpochResult> h = new SparkPgmTrainer(job.sparkOptions(9).stage1Epochs(1).stage2Epochs(1)
                .build()).fitPaths(sc, pgm, sc.parallelize(paths, 2));
        assertEquals(2, h.size());
        assertTrue(Double.isFinite(h.get(1).score()), h.toString());
        assertNotEquals(before, pgm.graph().params());
    }
}

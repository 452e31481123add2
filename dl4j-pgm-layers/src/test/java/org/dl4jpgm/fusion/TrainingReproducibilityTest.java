package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TrainingCheckpoint;
import org.dl4jpgm.train.TrainingDivergedException;
import org.dl4jpgm.train.TwoStageTrainer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.impl.FusedParameterStep;
import org.dl4jpgm.impl.GraphUpdaters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reproducibility of {@link TwoStageTrainer}: monitoring does not change training, a run killed mid-epoch and resumed
 * from its checkpoint ends bit-identical to an uninterrupted one, and the watchdog stops a non-finite batch.
 */
class TrainingReproducibilityTest {

    static final int N1 = 1;
    static final int N2 = 2;
    static final int EXAMPLES = 32;
    static final int BATCH = 8;

    private static FusionSpec spec() {
        PgmOptions o = FusionFixtures.smallPgm(LearnerMode.FEATURE, 1, GateGradient.STRAIGHT_THROUGH);
        return FusionSpec.builder().pgm(o).headHeads(2).headFfnSize(8).modelUpdater(new Adam(1e-2))
                .learnerUpdater(new Adam(1e-2)).decoderUpdater(new Adam(1e-2)).build();
    }

    private static PgmGraph graph() {
        Fused[] f = new Fused[1];
        ComputationGraph g = FusionFixtures.ffGraph(spec(), new Adam(1e-2), x -> f[0] = x);
        return new PgmGraph(g, f[0]);
    }

    private static float[] bits(INDArray a) {
        return a.dup().data().asFloat();
    }

    /**
     * Trains the fixture (N1 + N2 epochs, per-epoch shuffles positioned by the trainer), with checkpoints into
     * {@code dir} (null = none); {@code sleepMillis} per iteration slows it down without changing any number.
     *
     * @return the final parameters
     */
    static INDArray train(Path dir, boolean resume, Consumer<EpochRecord> progress, long sleepMillis) {
        PgmGraph pgm = graph();
        if (sleepMillis > 0) {
            pgm.graph().addListeners(new BaseTrainingListener() {
                @Override
                public void iterationDone(Model model, int iteration, int epoch) {
                    try {
                        Thread.sleep(sleepMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }
        ShuffledBatches it = new ShuffledBatches(EXAMPLES, BATCH, 11, ShuffledBatches.Mode.PER_EPOCH);
        TrainerOptions.Builder o = TrainerOptions.builder().stage1Epochs(N1).stage2Epochs(N2);
        if (dir != null) {
            o.checkpointDir(dir).resume(resume);
        }
        new TwoStageTrainer(o.build()).epochStart(it::setEpoch).onEpoch(progress == null ? r -> { } : progress)
                .fit(pgm, it, null);
        return pgm.graph().params().dup();
    }

    static INDArray train(Path dir, boolean resume, Consumer<EpochRecord> progress) {
        return train(dir, resume, progress, 0);
    }

    /**
     * The measured cause of the main job's seed-dependent difference: monitoring on the training iterator resets it
     * twice more per epoch, which advances a reset-driven shuffle. The trainer now resets the training iterator once
     * per epoch only, so a separate monitoring iterator leaves the parameters bit-identical.
     */
    @Test
    void monitoringOnASeparateIteratorLeavesTheParametersBitIdentical() {
        PgmGraph plain = graph();
        ShuffledBatches a = new ShuffledBatches(EXAMPLES, BATCH, 3, ShuffledBatches.Mode.PER_RESET);
        List<EpochRecord> ha = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(N1).stage2Epochs(N2).build())
                .fit(plain, a, null);

        PgmGraph monitored = graph();
        ShuffledBatches b = new ShuffledBatches(EXAMPLES, BATCH, 3, ShuffledBatches.Mode.PER_RESET);
        List<EpochRecord> hb = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(N1).stage2Epochs(N2)
                .monitorBatches(2).build()).fit(monitored, b, FusionFixtures.dataFF(EXAMPLES, BATCH, 5, DataType.FLOAT));

        assertArrayEquals(bits(plain.graph().params()), bits(monitored.graph().params()), "monitored vs not");
        assertEquals(N1 + N2, a.resets(), "one reset per epoch");
        assertEquals(N1 + N2, b.resets(), "one reset per epoch, none for monitoring");
        assertTrue(Double.isNaN(ha.get(0).taskLoss()), "not measured: " + ha.get(0));
        assertTrue(Double.isFinite(hb.get(0).taskLoss()) && Double.isFinite(hb.get(0).ufc()), "measured: " + hb.get(0));

        // what the main job did: monitoring on the training iterator itself; its extra resets reshuffle later epochs
        PgmGraph onTrain = graph();
        ShuffledBatches c = new ShuffledBatches(EXAMPLES, BATCH, 3, ShuffledBatches.Mode.PER_RESET);
        new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(N1).stage2Epochs(N2).monitorBatches(2).build())
                .fit(onTrain, c, c);
        assertEquals(3 * (N1 + N2), c.resets());
        assertFalse(java.util.Arrays.equals(bits(plain.graph().params()), bits(onTrain.graph().params())),
                "monitoring on the shuffling training iterator changes the orders of later epochs");
    }

    /**
     * Both stages with the optimizer's step taken in the updater's pass ({@link FusedParameterStep}, installed whatever
     * the graph's size) end on the parameters of DL4J's step, bit for bit, every step taken in the pass.
     */
    @Test
    void theParameterStepInAdamsPassTrainsBothStagesAsDl4jsStep() {
        INDArray[] params = new INDArray[2];
        long taken = -1;
        for (int k = 0; k < 2; k++) {
            PgmGraph pgm = graph();
            if (k == 1) {
                GraphUpdaters.install(pgm.graph());
                assertTrue(FusedParameterStep.install(pgm.graph(), 0));
            }
            ShuffledBatches it = new ShuffledBatches(EXAMPLES, BATCH, 11, ShuffledBatches.Mode.PER_EPOCH);
            new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(N1).stage2Epochs(N2).build())
                    .epochStart(it::setEpoch).fit(pgm, it, null);
            params[k] = pgm.graph().params().dup();
            if (k == 1) {
                taken = ((FusedParameterStep) pgm.graph().getOptimizer().getGradientsAccumulator()).stepsTaken();
            }
        }
        assertArrayEquals(bits(params[0]), bits(params[1]), "DL4J's step vs the step in the pass");
        assertEquals((long) (N1 + N2) * EXAMPLES / BATCH, taken, "every step taken in the pass");
    }

    @Test
    void runKilledMidEpochAndResumedEndsBitIdentical(@TempDir Path dir) throws Exception {
        Path cp = dir.resolve("checkpoints");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                TrainingCheckpointChild.class.getName(), cp.toString(), "150")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process child = pb.start();
        Path first = cp.resolve(TrainingCheckpoint.fileName(1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(first) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertTrue(Files.exists(first), "the child wrote its first checkpoint: " + Files.readString(dir.resolve("child.log")));
        List<Path> left = TrainingCheckpoint.list(cp);
        int done = TrainingCheckpoint.read(left.get(left.size() - 1)).done();
        assertTrue(done >= 1 && done < N1 + N2, "killed before the end: " + left);

        List<EpochRecord> resumed = new java.util.ArrayList<>();
        INDArray afterResume = train(cp, true, resumed::add);
        INDArray uninterrupted = train(null, false, null);
        assertArrayEquals(bits(uninterrupted), bits(afterResume), "resumed after " + done + " epochs vs uninterrupted");
        assertEquals(N1 + N2 - done, resumed.size(), "epochs trained after resuming");
        assertEquals(List.of(cp.resolve(TrainingCheckpoint.fileName(N1 + N2))), TrainingCheckpoint.list(cp));

        // a finished run resumed trains nothing and returns the saved records
        PgmGraph again = graph();
        List<EpochRecord> h = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(N1).stage2Epochs(N2)
                .checkpointDir(cp).resume(true).build()).fit(again, FusionFixtures.dataFF(8, 8, 1, DataType.FLOAT), null);
        assertEquals(N1 + N2, h.size());
        assertArrayEquals(bits(uninterrupted), bits(again.graph().params()));
        assertEquals(LossWeights.JOINT, again.getLossWeights());
    }

    @Test
    void nonFiniteBatchStopsWithStageEpochBatchAndInputsAndKeepsTheLastGoodCheckpoint(@TempDir Path dir)
            throws Exception {
        PgmGraph pgm = graph();
        Poisoned data = new Poisoned(FusionFixtures.dataFF(16, BATCH, 5, DataType.FLOAT));
        INDArray[] good = new INDArray[1];
        TwoStageTrainer t = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(2).stage2Epochs(0)
                .checkpointDir(dir).build()).onEpoch(r -> {
                    good[0] = pgm.graph().params().dup();
                    data.poison = true;
                });
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(pgm, data, null));
        String m = e.getMessage();
        System.out.println(m);
        assertTrue(m.contains("stage 1, epoch 2, batch 2"), m);
        assertTrue(m.contains("a [8, 5]: 1 NaN, 0 Inf, 0 of 8 rows all zero  <- non-finite or degenerate"), m);
        assertTrue(m.contains("b [8, 3]: 0 NaN, 0 Inf, 1 of 8 rows all zero"), m);
        assertTrue(m.contains("last checkpoint written is kept"), m);
        assertEquals(1, e.stage());
        assertEquals(2, e.epoch());
        assertEquals(2, e.batch());
        Path kept = dir.resolve(TrainingCheckpoint.fileName(1));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(kept), s.toList(), "only the last good epoch's checkpoint");
        }
        File f = kept.toFile();
        assertArrayEquals(bits(good[0]), bits(ModelSerializer.restoreComputationGraph(f, true).params()));
        assertTrue(pgm.graph().getListeners().isEmpty(), "the watchdog is removed");
    }

    /** Batches of a delegate; once {@link #poison} is set, the second batch of an epoch has a NaN and a zero row. */
    private static final class Poisoned implements MultiDataSetIterator {
        private final MultiDataSetIterator d;
        private int batch;
        volatile boolean poison;

        Poisoned(MultiDataSetIterator d) {
            this.d = d;
        }

        @Override
        public MultiDataSet next(int num) {
            MultiDataSet ds = d.next(num);
            if (poison && ++batch == 2) {
                INDArray a = ds.getFeatures(0).dup();
                INDArray b = ds.getFeatures(1).dup();
                a.putScalar(1, 2, Double.NaN);
                b.getRow(4).assign(0);
                return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{a, b}, ds.getLabels());
            }
            return ds;
        }

        @Override public MultiDataSet next() { return next(BATCH); }
        @Override public boolean hasNext() { return d.hasNext(); }
        @Override public void setPreProcessor(MultiDataSetPreProcessor p) { }
        @Override public MultiDataSetPreProcessor getPreProcessor() { return null; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }

        @Override
        public void reset() {
            batch = 0;
            d.reset();
        }
    }
}

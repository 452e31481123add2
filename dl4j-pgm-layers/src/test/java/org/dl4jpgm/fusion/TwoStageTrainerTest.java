package org.dl4jpgm.fusion;

import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two-stage training of a graph built by {@link PgmFusion}, on a small generated problem. */
class TwoStageTrainerTest {

    private static final Fused[] FUSED = new Fused[1];

    private static ComputationGraph graph(FusionSpec spec) {
        return FusionFixtures.ffGraph(spec, new Adam(1e-2), f -> FUSED[0] = f);
    }

    private static FusionSpec pgm(IUpdater learners) {
        PgmOptions o = FusionFixtures.smallPgm(LearnerMode.FEATURE, 1, GateGradient.STRAIGHT_THROUGH);
        return FusionSpec.builder().pgm(o).headHeads(2).headFfnSize(8).modelUpdater(new Adam(1e-2))
                .learnerUpdater(learners).decoderUpdater(new Adam(1e-2)).build();
    }

    @Test
    void trainingLowersEveryObjectiveAndTheTaskLoss() {
        ComputationGraph g = graph(pgm(new Adam(1e-2)));
        MultiDataSetIterator data = FusionFixtures.dataFF(32, 32, 5, DataType.FLOAT);
        List<EpochRecord> h = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(6).stage2Epochs(6).build())
                .onEpoch(r -> System.out.println(r.format())).fit(new PgmGraph(g, FUSED[0]), data,
                        FusionFixtures.dataFF(32, 32, 5, DataType.FLOAT));
        EpochRecord first = h.get(0);
        EpochRecord endOfStage1 = h.get(5);
        EpochRecord last = h.get(h.size() - 1);
        assertTrue(endOfStage1.ufc() < first.ufc(), "UFC " + first.ufc() + " -> " + endOfStage1.ufc());
        assertTrue(endOfStage1.pfc() < first.pfc(), "PFC " + first.pfc() + " -> " + endOfStage1.pfc());
        assertTrue(endOfStage1.upr() < first.upr(), "UPR " + first.upr() + " -> " + endOfStage1.upr());
        assertTrue(last.taskLoss() < endOfStage1.taskLoss(), "task " + endOfStage1.taskLoss() + " -> " + last.taskLoss());
        assertEquals(12, h.size());
    }

    @Test
    void componentWithLearningRateZeroStaysBitIdentical() {
        ComputationGraph g = graph(pgm(new Sgd(0.0)));
        Map<String, INDArray> before = copy(g.getVertex(FUSED[0].pgmVertex()).paramTable(false));
        new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(1).stage2Epochs(1).build())
                .fit(new PgmGraph(g, FUSED[0]), FusionFixtures.dataFF(16, 16, 5, DataType.FLOAT), null);
        Map<String, INDArray> after = g.getVertex(FUSED[0].pgmVertex()).paramTable(false);
        int learnerParams = 0;
        int changed = 0;
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            boolean learner = e.getKey().startsWith(PgmBlock.UNI_PREFIX) || e.getKey().startsWith(PgmBlock.PAIRED_PREFIX);
            if (learner) {
                learnerParams++;
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " has learning rate 0");
            } else if (!e.getValue().equals(after.get(e.getKey()))) {
                changed++;
            }
        }
        assertTrue(learnerParams > 0);
        assertTrue(changed > 0, "the partitioners, classifiers and decoder trained");
    }

    @Test
    void saveRestoreGivesIdenticalOutputsAndResumesWithUpdaterState(@TempDir Path dir) throws Exception {
        ComputationGraph g = graph(pgm(new Adam(1e-2)));
        MultiDataSetIterator data = FusionFixtures.dataFF(16, 8, 9, DataType.FLOAT);
        MultiDataSetIterator it = data;
        g.fit(it);
        File f = dir.resolve("pgm.zip").toFile();
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        it.reset();
        MultiDataSet ds = it.next();
        INDArray[] a = g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
        INDArray[] b = restored.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], "output " + i);
        }
        assertEquals(g.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        g.fit(ds);
        restored.fit(ds);
        assertEquals(g.params(), restored.params(), "one more step from the restored updater state");
    }

    @Test
    void worksWithListenersAndEarlyStopping() {
        ComputationGraph g = graph(pgm(new Adam(1e-2)));
        AtomicInteger iterations = new AtomicInteger();
        g.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                iterations.incrementAndGet();
            }
        });
        MultiDataSetIterator train = FusionFixtures.dataFF(16, 8, 3, DataType.FLOAT);
        MultiDataSetIterator valid = FusionFixtures.dataFF(8, 8, 4, DataType.FLOAT);
        EarlyStoppingConfiguration<ComputationGraph> es = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(2))
                .scoreCalculator(new DataSetLossCalculator(valid, true))
                .evaluateEveryNEpochs(1).build();
        List<EpochRecord> h = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(1).earlyStopping(es).build())
                .fit(new PgmGraph(g, FUSED[0]), train, valid);
        assertEquals(2 + 2 * 2, iterations.get(), "listener saw 1 stage-1 epoch and 2 early-stopping epochs of 2 batches");
        assertEquals(2, h.size());
        assertTrue(Double.isFinite(h.get(1).taskLoss()));
    }

    /** Every Table 2 baseline and Table 3 ablation trains through the same trainer. */
    @Test
    void everyBaselineAndAblationTrains() {
        List<FusionSpec> specs = new ArrayList<>();
        for (FusionType t : FusionType.values()) {
            if (t != FusionType.PGM) {
                specs.add(FusionSpec.builder().type(t).prefix("f").build());
            }
        }
        PgmOptions base = FusionFixtures.smallPgm(LearnerMode.FEATURE, 1, GateGradient.STRAIGHT_THROUGH);
        specs.add(pgm(new Adam(1e-2)).toBuilder().pgm(base.toBuilder().usePartitioner(false).build()).build());
        specs.add(pgm(new Adam(1e-2)).toBuilder().pgm(base.toBuilder().useUfc(false).build()).build());
        specs.add(pgm(new Adam(1e-2)).toBuilder().pgm(base.toBuilder().usePfc(false).build()).build());
        specs.add(pgm(new Adam(1e-2)).toBuilder().pgm(base.toBuilder().useUpr(false).build()).build());
        for (FusionSpec spec : specs) {
            ComputationGraph g = graph(spec);
            INDArray before = g.params().dup();
            List<EpochRecord> h = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(1).stage2Epochs(1).build())
                    .fit(new PgmGraph(g, FUSED[0]), FusionFixtures.dataFF(16, 16, 5, DataType.FLOAT),
                            FusionFixtures.dataFF(16, 16, 5, DataType.FLOAT));
            EpochRecord last = h.get(h.size() - 1);
            assertTrue(Double.isFinite(last.taskLoss()), spec + ": " + last.format());
            assertTrue(before.neq(g.params()).any(), spec + " trained");
            if (spec.getType() == FusionType.PGM) {
                PgmOptions o = spec.getPgm();
                assertEquals(o.isUseUfc(), last.ufc() != 0, spec + " UFC " + last.ufc());
                assertEquals(o.isUsePfc(), last.pfc() != 0, spec + " PFC " + last.pfc());
                assertEquals(o.isUseUpr(), last.upr() != 0, spec + " UPR " + last.upr());
            } else {
                assertEquals(1, h.size(), spec + ": baselines have no stage 1");
            }
        }
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> c = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }
}

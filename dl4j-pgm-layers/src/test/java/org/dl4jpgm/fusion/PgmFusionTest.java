package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drop-in API on a user's graph: LSTM encoders per modality, late fusion through a MergeVertex. */
class PgmFusionTest {

    @Test
    void replaceFusionOfTrainedGraphKeepsEncoderWeightsAndTrains() {
        ComputationGraph user = new ComputationGraph(FusionFixtures.lateFusion(DataType.FLOAT, FusionFixtures.adam()));
        user.init();
        MultiDataSetIterator data = FusionFixtures.data(48, 16, 1, DataType.FLOAT, true);
        user.fit(data);
        Map<String, INDArray> before = Map.of("encA", user.getLayer("encA").params().dup(),
                "encB", user.getLayer("encB").params().dup(), "dense", user.getLayer("dense").params().dup(),
                "out", user.getLayer("out").params().dup());

        FusionSpec spec = FusionFixtures.pgmSpec(FusionFixtures.smallPgm(LearnerMode.FEATURE, 2,
                GateGradient.STRAIGHT_THROUGH));
        ComputationGraph pgm = PgmFusion.replace(user, "fusion", spec, FusionFixtures.inputTypes());
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            assertEquals(e.getValue(), pgm.getLayer(e.getKey()).params(), "weights of " + e.getKey() + " kept");
        }
        ComputationGraphConfiguration conf = pgm.getConfiguration();
        assertTrue(conf.getVertices().get("fusionPgm") instanceof PgmVertex);
        assertEquals(List.of("out", "fusionLoss"), conf.getNetworkOutputs());
        assertEquals(List.of("fusionHead"), conf.getVertexInputs().get("dense"));

        Fused fused = new Fused("fusionHead", 12, "fusionLoss", "fusionPgm");
        TwoStageTrainer trainer = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(2).stage2Epochs(2).build());
        List<EpochRecord> h = trainer.onEpoch(r -> System.out.println(r.format())).fit(pgm, fused, data, null);
        assertEquals(4, h.size());
        for (EpochRecord r : h) {
            assertTrue(Double.isFinite(r.ufc()) && Double.isFinite(r.pfc()) && Double.isFinite(r.upr())
                    && Double.isFinite(r.taskLoss()), r.format());
        }
        List<PartitionStatistics.ModalityPartition> stats = PartitionStatistics.compute(pgm, "fusionPgm", data);
        assertEquals(2, stats.size());
        for (PartitionStatistics.ModalityPartition s : stats) {
            System.out.printf("modality %d: uni %.3f paired %.3f overlap %.3f%n", s.modality(), s.lastUni(),
                    s.lastPaired(), s.lastOverlap());
            assertTrue(s.lastUni() >= 0 && s.lastUni() <= 1 && s.lastOverlap() <= Math.min(s.lastUni(), s.lastPaired()));
        }
    }
}

package org.dl4jpgm.fusion;

import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.train.EpochSelection;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Best-epoch selection of {@link TwoStageTrainer} ({@link TrainerOptions#getEpochSelection()}). */
class EpochSelectionTest {

    private static final Fused[] FUSED = new Fused[1];

    private static PgmGraph pgmGraph() {
        PgmOptions o = FusionFixtures.smallPgm(LearnerMode.FEATURE, 1, GateGradient.STRAIGHT_THROUGH);
        FusionSpec spec = FusionSpec.builder().pgm(o).headHeads(2).headFfnSize(8).modelUpdater(new Adam(1e-2))
                .learnerUpdater(new Adam(1e-2)).decoderUpdater(new Adam(1e-2)).build();
        ComputationGraph g = FusionFixtures.ffGraph(spec, new Adam(1e-2), f -> FUSED[0] = f);
        return new PgmGraph(g, FUSED[0]);
    }

    /** Scores given in advance, one per call; lower is better. */
    private static final class Scripted implements ScoreCalculator<ComputationGraph> {
        private final double[] scores;
        private int calls;

        Scripted(double... scores) {
            this.scores = scores;
        }

        @Override
        public double calculateScore(ComputationGraph network) {
            return scores[calls++];
        }

        @Override
        public boolean minimizeScore() {
            return true;
        }
    }

    @Test
    void theGraphEndsWithTheBestStageTwoEpochsParameters() {
        PgmGraph pgm = pgmGraph();
        List<INDArray> afterEpoch = new ArrayList<>();
        Scripted calc = new Scripted(3.0, 1.0, 2.0, 1.0);
        TwoStageTrainer t = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(2).stage2Epochs(4)
                .epochSelection(calc).build())
                .onEpoch(r -> {
                    if (r.stage() == 2) {
                        afterEpoch.add(pgm.graph().params().dup());
                    }
                });
        List<EpochRecord> h = t.fit(pgm, FusionFixtures.dataFF(16, 16, 5, DataType.FLOAT), null);
        assertEquals(6, h.size(), "every epoch is trained and recorded");
        assertEquals(4, calc.calls, "one score per stage-2 epoch, none in stage 1");
        EpochSelection s = t.selection();
        assertEquals(2, s.bestEpoch(), "the first of the two best scores");
        assertEquals(1.0, s.bestScore());
        assertEquals(List.of(3.0, 1.0, 2.0, 1.0), s.scores());
        assertEquals(afterEpoch.get(1), pgm.graph().params(), "parameters of stage-2 epoch 2");
        assertTrue(!afterEpoch.get(3).equals(afterEpoch.get(1)), "the later epochs moved the parameters");
    }

    @Test
    void scoringDoesNotChangeWhatIsTrained() {
        List<INDArray> plain = new ArrayList<>();
        List<INDArray> selected = new ArrayList<>();
        for (List<INDArray> out : List.of(plain, selected)) {
            PgmGraph pgm = pgmGraph();
            TrainerOptions.Builder b = TrainerOptions.builder().stage1Epochs(1).stage2Epochs(3);
            if (out == selected) {
                b.epochSelection(new DataSetLossCalculator(FusionFixtures.dataFF(16, 16, 7, DataType.FLOAT), true));
            }
            new TwoStageTrainer(b.build()).onEpoch(r -> out.add(pgm.graph().params().dup()))
                    .fit(pgm, FusionFixtures.dataFF(16, 16, 5, DataType.FLOAT), null);
        }
        assertEquals(plain, selected, "the parameters after every epoch, bit for bit");
    }

    @Test
    void notCombinedWithCheckpointsOrEarlyStopping(@TempDir Path dir) {
        Scripted calc = new Scripted(1.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainerOptions.builder().epochSelection(calc).checkpointDir(dir).build());
        assertTrue(e.getMessage().contains("checkpoints") && e.getMessage().contains(dir.toString()), e.getMessage());
        EarlyStoppingConfiguration<ComputationGraph> es = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(2)).build();
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainerOptions.builder().epochSelection(calc).earlyStopping(es).build());
        assertTrue(e.getMessage().contains("early stopping"), e.getMessage());
    }
}

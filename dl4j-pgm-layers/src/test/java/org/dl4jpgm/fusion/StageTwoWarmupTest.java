package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.train.StageTwoWarmup;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StageTwoWarmup}: the ramp's rates, and that DL4J's updater applies it from stage 2's first batch of
 * {@link TwoStageTrainer} (stage 1's iterations do not consume it), in a graph that checkpoints and saved models can
 * read back.
 */
class StageTwoWarmupTest {

    private static final double RATE = 1e-2;
    private static final Fused[] FUSED = new Fused[1];

    @Test
    void theRateRampsLinearlyFromStageTwosFirstIteration() {
        ISchedule s = StageTwoWarmup.linear(3e-3, 10, 4);
        for (int i = 0; i < 10; i++) {
            assertEquals(0.75e-3, s.valueAt(i, 0), 1e-15, "stage 1, iteration " + i + ": the first step's rate");
        }
        assertEquals(0.75e-3, s.valueAt(10, 1), 1e-15);
        assertEquals(1.5e-3, s.valueAt(11, 1), 1e-15);
        assertEquals(2.25e-3, s.valueAt(12, 1), 1e-15);
        assertEquals(3e-3, s.valueAt(13, 1), 1e-15);
        assertEquals(3e-3, s.valueAt(1000, 50), 1e-15, "after the ramp, the rate");
        assertEquals(3e-3, s.valueAt(12, 1) / 0.75, 1e-15);

        ISchedule noStage1 = StageTwoWarmup.linear(1.0, 0, 2);
        assertEquals(0.5, noStage1.valueAt(0, 0));
        assertEquals(1.0, noStage1.valueAt(1, 0));
        assertEquals(1.0, StageTwoWarmup.linear(1.0, 5, 1).valueAt(5, 0), "K = 1: the full rate at once");
    }

    @Test
    void badArgumentsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageTwoWarmup.linear(1e-3, 10, 0));
        assertTrue(e.getMessage().contains("warmupIterations = 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StageTwoWarmup.linear(0, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> StageTwoWarmup.linear(Double.NaN, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> StageTwoWarmup.linear(1e-3, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> StageTwoWarmup.iterations(1, 10, 0));
    }

    @Test
    void dl4jsRampScheduleCannotBeReadBackTheWarmupsMapScheduleCan() throws Exception {
        org.nd4j.shade.jackson.databind.ObjectMapper json = org.deeplearning4j.nn.conf.NeuralNetConfiguration.mapper();
        String ramp = json.writeValueAsString(new Adam(new org.nd4j.linalg.schedule.RampSchedule(
                new org.nd4j.linalg.schedule.FixedSchedule(RATE), 4)));
        assertThrows(Exception.class, () -> json.readValue(ramp, IUpdater.class), "no JSON creator (DL4J 1.0.0-M2.1)");
        Adam back = (Adam) json.readValue(json.writeValueAsString(StageTwoWarmup.adam(RATE, 3, 4)), IUpdater.class);
        assertEquals(RATE / 2, back.getLearningRate(4, 1), 1e-12);
    }

    @Test
    void stageOneIterationsCountAPartialLastBatch() {
        assertEquals(10, StageTwoWarmup.iterations(1, 1258, 128), "the main job's embedded set, batch 128");
        assertEquals(4, StageTwoWarmup.iterations(2, 16, 8));
        assertEquals(6, StageTwoWarmup.iterations(2, 17, 8));
        assertEquals(0, StageTwoWarmup.iterations(0, 1258, 128));
    }

    /** PgM with its head (and normalisation) on {@code head}; one batch of 8 examples per epoch. */
    private static ComputationGraph graph(IUpdater head) {
        PgmOptions o = FusionFixtures.smallPgm(LearnerMode.FEATURE, 1, GateGradient.STRAIGHT_THROUGH);
        FusionSpec spec = FusionSpec.builder().pgm(o).headHeads(2).headFfnSize(8).headInputNormalized(true)
                .modelUpdater(new Adam(RATE)).learnerUpdater(new Adam(RATE)).decoderUpdater(new Adam(RATE))
                .headUpdater(head).build();
        return FusionFixtures.ffGraph(spec, new Adam(RATE), f -> FUSED[0] = f);
    }

    private static ComputationGraph train(ComputationGraph g, int stage1Epochs, int stage2Epochs) {
        new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(stage1Epochs).stage2Epochs(stage2Epochs).build())
                .fit(new PgmGraph(g, FUSED[0]), FusionFixtures.dataFF(8, 8, 5, DataType.FLOAT), null);
        return g;
    }

    @Test
    void theTrainersFirstStageTwoStepUsesTheRampsFirstRateWhateverStageOneTook() {
        int stage1 = 3;
        int k = 4;
        // one batch per epoch: S = 3 stage-1 iterations, then one stage-2 iteration
        ComputationGraph warm = train(graph(StageTwoWarmup.adam(RATE, stage1, k)), stage1, 1);
        ComputationGraph quarter = train(graph(new Adam(RATE / k)), stage1, 1);
        ComputationGraph plain = train(graph(null), stage1, 1);
        assertEquals(stage1 + 1, warm.getIterationCount(), "stage 1's iterations are counted by the graph");
        assertEquals(quarter.params(), warm.params(), "the first stage-2 step of the head at rate/K, bit for bit");
        assertNotEquals(plain.params(), warm.params(), "without the warm-up the head steps at the full rate");

        // a ramp counted from iteration 0 (DL4J's RampSchedule) would have been at (S + 1) / K = 100 % already
        ComputationGraph fromZero = train(graph(StageTwoWarmup.adam(RATE, 0, k)), stage1, 1);
        assertEquals(plain.params(), fromZero.params(), "a ramp keyed from iteration 0 is used up by stage 1");
    }

    @Test
    void theStageOneRateOfTheHeadChangesNothing() {
        ComputationGraph warm = train(graph(StageTwoWarmup.adam(RATE, 3, 4)), 3, 0);
        ComputationGraph plain = train(graph(null), 3, 0);
        assertEquals(plain.params(), warm.params(), "stage 1 (β = 0) gives the head no gradient");
    }

    @Test
    void aGraphWithTheWarmupIsReadBackWithItsSchedule(@TempDir Path dir) throws Exception {
        ComputationGraph g = train(graph(StageTwoWarmup.adam(RATE, 3, 4)), 3, 1);
        File f = dir.resolve("warm.zip").toFile();
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph r = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(g.getConfiguration().toJson(), r.getConfiguration().toJson());
        List<String> scheduled = new ArrayList<>();
        for (String name : new String[]{FUSED[0].output(), "dense"}) {
            String param = r.getLayer(name).paramTable().keySet().iterator().next();
            IUpdater u = r.getLayer(name).conf().getLayer().getUpdaterByParam(param);
            if (u instanceof Adam a && a.getLearningRateSchedule() != null) {
                scheduled.add(name);
                assertEquals(RATE / 2, a.getLearningRate(4, 1), 1e-12, name + " at stage 2's second iteration");
            }
        }
        assertEquals(List.of(FUSED[0].output()), scheduled, "the head follows the ramp; dense is the test graph's");
        assertEquals(g.getUpdater().getStateViewArray(), r.getUpdater().getStateViewArray());
        assertEquals(g.getIterationCount(), r.getIterationCount(), "the ramp continues from the saved count");
    }
}

package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.train.StageTwoDecay;
import org.dl4jpgm.train.StageTwoWarmup;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StageTwoDecay}: the cosine factors against the formula written out, stage 1 untouched, a warm-up multiplied,
 * and that DL4J's updater applies the decayed rate at the trainer's stage-2 iterations in a graph that saved models
 * read back.
 */
class StageTwoDecayTest {

    private static final double RATE = 1e-2;
    private static final Fused[] FUSED = new Fused[1];

    @Test
    void theFactorIsPyTorchsCosineAnnealingStepPerIteration() {
        // CosineAnnealingLR: eta_min + (eta_max - eta_min) (1 + cos(pi t / T_max)) / 2, t = 0 .. T_max - 1
        int t = 8;
        double f = 0.1;
        for (int j = 0; j < t; j++) {
            double expected = f + (1 - f) * (1 + Math.cos(Math.PI * j / t)) / 2;
            assertEquals(expected, StageTwoDecay.factor(j, t, f), 0, "j = " + j);
        }
        assertEquals(1.0, StageTwoDecay.factor(0, t, f), 0, "the first stage-2 batch at the full rate");
        assertEquals(0.55, StageTwoDecay.factor(4, t, f), 1e-15, "half way: the mean of 1 and F");
        assertEquals(StageTwoDecay.factor(t - 1, t, f), StageTwoDecay.factor(t + 5, t, f), 0, "after stage 2: kept");
        assertEquals(1.0, StageTwoDecay.factor(0, 1, 0), 0, "T = 1");
        for (int j = 0; j < t; j++) {
            assertEquals(1.0, StageTwoDecay.factor(j, t, 1), 0, "F = 1: no decay");
        }
    }

    @Test
    void stageOneKeepsItsRateAndStageTwoDecays() {
        ISchedule s = StageTwoDecay.cosine(new FixedSchedule(RATE), 10, 4, 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(RATE, s.valueAt(i, 0), 0, "stage 1, iteration " + i);
        }
        double[] expected = {1, (1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos(3 * Math.PI / 4)) / 2};
        for (int j = 0; j < 4; j++) {
            assertEquals(RATE * expected[j], s.valueAt(10 + j, 1), 1e-17, "stage 2, iteration " + j);
        }
        assertEquals(RATE * expected[3], s.valueAt(1000, 9), 1e-17, "after stage 2");
    }

    @Test
    void aWarmupIsMultipliedByTheDecay() {
        ISchedule warm = StageTwoWarmup.linear(RATE, 3, 2);
        ISchedule s = StageTwoDecay.cosine(warm, 3, 4, 0.2);
        for (int i = 0; i < 3 + 6; i++) {
            double f = i < 3 ? 1 : StageTwoDecay.factor(i - 3, 4, 0.2);
            assertEquals(warm.valueAt(i, 0) * f, s.valueAt(i, 0), 1e-17, "iteration " + i);
        }
        assertEquals(RATE / 2, s.valueAt(3, 0), 1e-17, "the ramp's first step, not decayed yet");
    }

    @Test
    void decayedKeepsTheUpdatersOtherSettingsAndItsOwnSchedule() {
        Adam adam = new Adam(RATE, 0.8, 0.99, 1e-6);
        Adam d = (Adam) StageTwoDecay.decayed(adam, 2, 4, 0);
        assertEquals(0.8, d.getBeta1());
        assertEquals(0.99, d.getBeta2());
        assertEquals(1e-6, d.getEpsilon());
        assertNull(adam.getLearningRateSchedule(), "the original is not changed");
        assertEquals(RATE, d.getLearningRate(1, 0), 0);
        assertEquals(RATE * 0.5, d.getLearningRate(4, 0), 1e-17);

        Adam warm = StageTwoWarmup.adam(RATE, 2, 2);
        Adam dw = (Adam) StageTwoDecay.decayed(warm, 2, 4, 0);
        assertEquals(RATE / 2, dw.getLearningRate(2, 0), 1e-17, "the warm-up's first step");
        assertEquals(RATE * StageTwoDecay.factor(1, 4, 0), dw.getLearningRate(3, 0), 1e-17);

        Sgd sgd = (Sgd) StageTwoDecay.decayed(new Sgd(0.1), 0, 2, 0);
        assertEquals(0.05, sgd.getLearningRate(1, 0), 1e-17, "any updater with a rate");
    }

    @Test
    void badArgumentsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageTwoDecay.cosine(new FixedSchedule(RATE), 3, 0, 0.5));
        assertTrue(e.getMessage().contains("found 3, 0, 0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StageTwoDecay.cosine(new FixedSchedule(RATE), -1, 4, 0.5));
        assertThrows(IllegalArgumentException.class, () -> StageTwoDecay.cosine(new FixedSchedule(RATE), 0, 4, 1.5));
        assertThrows(IllegalArgumentException.class,
                () -> StageTwoDecay.cosine(new FixedSchedule(RATE), 0, 4, Double.NaN));
        e = assertThrows(IllegalArgumentException.class, () -> StageTwoDecay.decayed(new NoOp(), 0, 4, 0.5));
        assertTrue(e.getMessage().contains("NoOp has no learning rate"), e.getMessage());
    }

    /** PgM with every part on {@code updater}; one batch of 8 examples per epoch. */
    private static ComputationGraph graph(IUpdater updater) {
        PgmOptions o = FusionFixtures.smallPgm(LearnerMode.FEATURE, 1, GateGradient.STRAIGHT_THROUGH);
        FusionSpec spec = FusionSpec.builder().pgm(o).headHeads(2).headFfnSize(8).headInputNormalized(true)
                .modelUpdater(updater).learnerUpdater(updater).decoderUpdater(updater).build();
        return FusionFixtures.ffGraph(spec, updater, f -> FUSED[0] = f);
    }

    private static ComputationGraph train(ComputationGraph g, int stage1Epochs, int stage2Epochs) {
        new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(stage1Epochs).stage2Epochs(stage2Epochs).build())
                .fit(new PgmGraph(g, FUSED[0]), FusionFixtures.dataFF(8, 8, 5, DataType.FLOAT), null);
        return g;
    }

    @Test
    void theTrainerStepsStageOneAtTheRateAndStageTwoAtTheDecayedRate() {
        int s1 = 2;
        int t = 4;
        Adam decayed = (Adam) StageTwoDecay.decayed(new Adam(RATE), s1, t, 0);
        // stage 1 and stage 2's first batch at the full rate: the same steps as without the decay, bit for bit
        assertEquals(train(graph(new Adam(RATE)), s1, 1).params(), train(graph(decayed), s1, 1).params());
        // Adam's step at iteration i uses the rate at i; with the decay, stage 2's second batch is at cos(pi/4)-ish
        ComputationGraph d2 = train(graph(decayed), s1, 2);
        assertNotEquals(train(graph(new Adam(RATE)), s1, 2).params(), d2.params(), "the second batch is decayed");
        ComputationGraph fromZero = train(graph(StageTwoDecay.decayed(new Adam(RATE), 0, t, 0)), s1, 1);
        assertNotEquals(train(graph(new Adam(RATE)), s1, 1).params(), fromZero.params(),
                "a decay keyed from iteration 0 would already be under way in stage 1");
    }

    @Test
    void aGraphWithTheDecayIsReadBackWithItsSchedule(@TempDir Path dir) throws Exception {
        ComputationGraph g = train(graph(StageTwoDecay.decayed(new Adam(RATE), 2, 4, 0.1)), 2, 2);
        File f = dir.resolve("decayed.zip").toFile();
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph r = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(g.getConfiguration().toJson(), r.getConfiguration().toJson());
        for (String name : new String[]{FUSED[0].pgmVertex(), FUSED[0].output(), "dense"}) {
            for (String param : r.getLayer(name).paramTable().keySet()) {
                Adam a = (Adam) r.getLayer(name).conf().getLayer().getUpdaterByParam(param);
                assertEquals(RATE * StageTwoDecay.factor(3, 4, 0.1), a.getLearningRate(5, 1), 1e-12,
                        name + " " + param);
            }
        }
        assertEquals(g.getUpdater().getStateViewArray(), r.getUpdater().getStateViewArray());
        assertEquals(g.getIterationCount(), r.getIterationCount(), "the decay continues from the saved count");
    }
}

package org.dl4jpgm.examples.experiment;

import org.dl4jpgm.examples.mainjob.MainJobOptions;
import org.dl4jpgm.examples.tasks.MsaOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every setting of {@link TrainingSettings} is forwarded by {@link DelegatingTrainingSettings} (a setting it left out
 * would reach the mains as {@link TrainingSettings}'s default, whatever the command line said), and the mains' options
 * give, for every setting, what their training options hold, with every setting away from its default.
 */
class DelegatingTrainingSettingsTest {

    private static final String[] ARGS = {"--width", "12", "--iterations", "2", "--learner-mode", "FEATURE",
            "--upr-steps", "SUM", "--paired-share-weight", "0.25", "--gate-exclusivity-weight", "0.5",
            "--stream-decorrelation-weight", "1.5", "--stage1-epochs", "3", "--stage2-epochs", "4",
            "--batch", "16", "--lr", "2e-3", "--baseline-lr", "5e-3", "--learner-lr", "4e-4", "--decoder-lr", "6e-4",
            "--alpha", "0.3", "--beta", "0.7", "--head-norm", "no", "--head-warmup", "5", "--final-lr-fraction", "0.4", "--head-dropout", "0.15",
            "--baseline-dropout", "0.35", "--stats", "/tmp/stats.dl4j"};

    @Test
    void everySettingIsForwarded() throws NoSuchMethodException {
        for (Method m : TrainingSettings.class.getDeclaredMethods()) {
            if (m.isSynthetic() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Method forwarded = DelegatingTrainingSettings.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            assertTrue(forwarded.isDefault(), "DelegatingTrainingSettings forwards " + m.getName());
        }
    }

    @Test
    void theMainsGiveTheirTrainingOptionsValues(@TempDir Path dir) throws Exception {
        MainJobOptions main = MainJobOptions.parse(ARGS);
        assertSame(main.getTraining(), main);
        List<String> taskArgs = new java.util.ArrayList<>(List.of(dir.toString()));
        taskArgs.addAll(List.of(ARGS));
        MsaOptions task = MsaOptions.parse(taskArgs.toArray(new String[0]));
        assertSame(task.getTraining(), task);
        ModelRate rate = new ModelRate(main, 7e-3);
        assertEquals(7e-3, rate.getModelLearningRate());
        assertEquals(7e-3, rate.getBaselineLearningRate(), "a sweep point trains every fusion at its rate");
        assertEquals(0.25, rate.getPairedShareWeight());
        org.dl4jpgm.blocks.PgmOptions pgm = FusionChoice.parse("PGM").spec(main, List.of("a", "b")).getPgm();
        assertEquals(0.25, pgm.getPairedShareWeight(), "the option reaches PgM through the main's options");
        assertEquals(0.5, pgm.getGateExclusivityWeight());
        assertEquals(1.5, pgm.getStreamDecorrelationWeight());
    }

    /** Every setting of {@code actual} equals that of {@code expected}, which differs from the interface's default. */
    private static void assertSame(TrainingSettings expected, TrainingSettings actual) throws Exception {
        TrainingSettings defaults = new TrainingSettings() {
            @Override public int getWidth() { return 0; }
            @Override public int getIterations() { return 0; }
            @Override public org.dl4jpgm.blocks.LearnerMode getLearnerMode() { return null; }
            @Override public int getBatchSize() { return 0; }
            @Override public int getStage1Epochs() { return 0; }
            @Override public int getStage2Epochs() { return 0; }
            @Override public double getModelLearningRate() { return 0; }
            @Override public double getLearnerLearningRate() { return 0; }
            @Override public double getDecoderLearningRate() { return 0; }
            @Override public boolean isHeadInputNormalized() { return true; }
        };
        for (Method m : TrainingSettings.class.getDeclaredMethods()) {
            if (m.isSynthetic() || m.getParameterCount() > 0 || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object e = m.invoke(expected);
            assertEquals(e, m.invoke(actual), m.getName() + " of " + actual.getClass().getSimpleName());
            if (!m.getName().equals("getCheckpointDir") && !m.getName().equals("isResume")) {
                assertTrue(!e.equals(m.invoke(defaults)), m.getName() + " is set away from its default by the test");
            }
        }
    }
}

package org.dl4jpgm.examples.cli;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.mainjob.MainJobOptions;
import org.dl4jpgm.examples.tasks.MsaOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The presets: the built-in ones hold the documented values, options given explicitly win, bad files are named. */
class PresetsTest {

    @Test
    void paperPresetHasThePapersSettings() {
        MainJobOptions o = MainJobOptions.parse("--preset", "paper");
        assertEquals(768, o.getWidth());
        assertEquals(3, o.getIterations());
        assertEquals(20, o.getStage1Epochs());
        assertEquals(50, o.getStage2Epochs());
        assertEquals(3e-4, o.getModelLearningRate());
        assertEquals(1e-4, o.getLearnerLearningRate());
        assertEquals(1e-3, o.getDecoderLearningRate());
        assertEquals(0.5, o.getAlpha());
        assertEquals(1.0, o.getBeta());
        assertEquals(128, o.getBatchSize(), "the paper preset leaves the batch size to the base (cpu)");
    }

    @Test
    void mainJobOverCpuIsTheMainJobsDefaultTasksAndQuickChangeOnlyTheirKeys(@TempDir Path dir) {
        MainJobOptions d = MainJobOptions.parse();
        assertEquals(64, d.getWidth(), "the mainjob preset's width");
        assertEquals(1, d.getIterations());
        assertEquals(LearnerMode.SEQUENCE, d.getLearnerMode());
        assertEquals(1, d.getStage1Epochs());
        assertEquals(40, d.getStage2Epochs(), "the mainjob preset's budget");
        assertEquals(0.5, d.getHeadDropout(), "the mainjob preset's dropout before PgM's head");
        assertEquals(2e-3, d.getLearnerLearningRate(), "the mainjob preset's rate of PgM's learners");
        assertEquals(0.2, d.getBaselineDropout(), "the baselines' dropout, chosen at their rate");
        assertEquals(0.01, d.getBaselineLearningRate(), "the baselines' rate, chosen apart from PgM's");
        assertEquals(3e-4, MainJobOptions.parse("--preset", "paper").getBaselineLearningRate(),
                "the paper preset gives every fusion its rate");
        assertEquals(128, d.getBatchSize());
        assertEquals(3e-3, d.getModelLearningRate());
        MainJobOptions cpu = MainJobOptions.parse("--preset", "cpu");
        assertEquals(18, cpu.getStage2Epochs(), "--preset cpu: the cpu preset's values over the main job's base");
        assertEquals(32, cpu.getWidth());
        assertEquals(0.0, cpu.getHeadDropout());
        assertEquals(1e-3, cpu.getLearnerLearningRate());
        assertEquals(3e-3, cpu.getBaselineLearningRate());
        MainJobOptions quick = MainJobOptions.parse("--quick");
        assertEquals(2, quick.getStage2Epochs());
        assertEquals(0.5, quick.getHeadDropout(), "quick changes only the epochs");
        MsaOptions t = MsaOptions.parse(dir.toString());
        assertEquals(3, t.getStage2Epochs());
        assertEquals(64, t.getBatchSize());
        assertEquals(32, t.getWidth());
    }

    @Test
    void optionsGivenExplicitlyOverrideThePresetWhereverTheyStand(@TempDir Path dir) {
        MsaOptions before = MsaOptions.parse(dir.toString(), "--width", "16", "--preset", "paper");
        MsaOptions after = MsaOptions.parse(dir.toString(), "--preset", "paper", "--width", "16");
        for (MsaOptions o : new MsaOptions[]{before, after}) {
            assertEquals(16, o.getWidth());
            assertEquals(3, o.getIterations());
            assertEquals(50, o.getStage2Epochs());
            assertEquals(64, o.getBatchSize(), "the task mains' base keeps its batch size");
        }
        assertEquals(8, MainJobOptions.parse("--quick", "--stage2-epochs", "8").getStage2Epochs());
        assertEquals("paper", before.getTraining().getPreset());
        assertEquals("paper", before.values().get("--preset"));
        assertEquals(16, before.values().get("--width"));
    }

    @Test
    void aPresetFileIsReadAndABadOneIsNamedWithItsKey(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("small.json");
        Files.writeString(good, "{\"width\": 12, \"learnerMode\": \"FEATURE\", \"alpha\": 0.25}");
        MainJobOptions o = MainJobOptions.parse("--preset", good.toString());
        assertEquals(12, o.getWidth());
        assertEquals(LearnerMode.FEATURE, o.getLearnerMode());
        assertEquals(0.25, o.getAlpha());
        assertEquals(40, o.getStage2Epochs(), "keys the file does not hold keep the base's values");

        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\n  \"width\": 12,\n  \"widht\": 16\n}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--preset", typo.toString()));
        assertTrue(e.getMessage().startsWith("MainJob: preset file " + typo.toAbsolutePath()), e.getMessage());
        assertTrue(e.getMessage().contains("key 'widht': unknown key, expected one of [width, iterations"),
                e.getMessage());
        assertTrue(e.getMessage().contains("(line 3)"), e.getMessage());

        Path type = dir.resolve("type.json");
        Files.writeString(type, "{\"stage2Epochs\": \"many\"}");
        e = assertThrows(IllegalArgumentException.class, () -> MsaOptions.parse(dir.toString(), "--preset",
                type.toString()));
        assertTrue(e.getMessage().contains("preset file " + type.toAbsolutePath() + ": key 'stage2Epochs'"),
                e.getMessage());

        Path range = dir.resolve("range.json");
        Files.writeString(range, "{\"batchSize\": 0}");
        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--preset", range.toString()));
        assertTrue(e.getMessage().contains("preset file " + range.toAbsolutePath() + ": key 'batchSize' expects a "
                + "whole number >= 1, found 0"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--alpha", "0", "--beta", "0"));
        assertTrue(e.getMessage().startsWith("MainJob: --alpha and --beta are both 0"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--preset", "papre"));
        assertTrue(e.getMessage().contains("--preset papre: expected one of [cpu, tasks, mainjob, quick, paper] or a JSON "
                + "file"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"--paired-share-weight, pairedShareWeight", "--gate-exclusivity-weight, gateExclusivityWeight",
            "--stream-decorrelation-weight, streamDecorrelationWeight"})
    void aPenaltyWeightReachesPgmAndABadOneIsRefused(String option, String key, @TempDir Path dir) throws Exception {
        ToDoubleFunction<PgmOptions> weight = switch (key) {
            case "pairedShareWeight" -> PgmOptions::getPairedShareWeight;
            case "gateExclusivityWeight" -> PgmOptions::getGateExclusivityWeight;
            default -> PgmOptions::getStreamDecorrelationWeight;
        };
        FusionChoice pgm = FusionChoice.parse("PGM");
        assertEquals(0.0, weight.applyAsDouble(pgm.spec(MainJobOptions.parse(), List.of("a", "b")).getPgm()),
                "off by default: the paper's L_P");
        MainJobOptions o = MainJobOptions.parse(option, "0.5");
        assertEquals(0.5, weight.applyAsDouble(pgm.spec(o, List.of("a", "b")).getPgm()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse(option, "-1"));
        assertTrue(e.getMessage().contains(option) && e.getMessage().contains("-1"), e.getMessage());
        Path preset = dir.resolve("penalty.json");
        Files.writeString(preset, "{\"" + key + "\": -0.5}");
        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--preset", preset.toString()));
        assertTrue(e.getMessage().contains("key '" + key + "' expects a finite number >= 0, found -0.5"),
                e.getMessage());
    }

    @Test
    void thePresetsAreTheOptionClassSerialised() {
        TrainingOptions paper = new TrainingOptions(Presets.CPU, Presets.PAPER);
        TrainingOptions copy = new TrainingOptions();
        assertEquals(Presets.values(paper).keySet(), Presets.values(copy).keySet());
        assertTrue(Presets.json(paper).contains("\"width\" : 768"), Presets.json(paper));
    }
}

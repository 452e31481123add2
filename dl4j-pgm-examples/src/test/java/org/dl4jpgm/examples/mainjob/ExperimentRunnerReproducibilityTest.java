package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job's training is the same with and without loss monitoring, and resumes from its checkpoints. */
class ExperimentRunnerReproducibilityTest {

    /**
     * A tiny synthetic set in {@code dir/data} (written once): vector a, sequence b, target {@code paired}; 48 training
     * and 16 test examples.
     */
    static Path tinyData(Path dir) throws Exception {
        Path data = dir.resolve("data");
        if (Files.exists(data)) {
            return data;
        }
        SyntheticConfig cfg = SyntheticConfig.builder().seed(7)
                .modality(SyntheticModality.builder("a").width(6).build())
                .modality(SyntheticModality.builder("b").width(4).sequence(4, 2).build())
                .uniClasses(2).pairedClasses(2).pairedModalities(0, 1).build();
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", 48);
        sizes.put("test", 16);
        SyntheticDatasetWriter.write(new SyntheticMultimodalGenerator(cfg), data, "tiny", sizes);
        return data;
    }

    private static ExperimentRunner runner(Path dir, String... extra) throws Exception {
        Path data = tinyData(dir);
        LayoutReader reader = new LayoutReader(data);
        DatasetDescriptor d = reader.descriptor();
        String[] args = new String[8 + extra.length];
        String[] base = {data.toString(), "--width", "8", "--batch", "16", "--stage1-epochs", "1", "--stage2-epochs"};
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        MainJobOptions o = MainJobOptions.parse(args);
        return new ExperimentRunner(d, d.getTarget("paired"), reader.readSplit("train"), reader.readSplit("test"), o);
    }

    @Test
    void monitoredAndUnmonitoredRunsOfASeedEndWithBitIdenticalParameters(@TempDir Path dir) throws Exception {
        ExperimentRunner r = runner(dir, "2");
        FusionChoice pgm = FusionChoice.parse("PGM");
        ExperimentRunner.Trained monitored = r.train(pgm, 1000, true, e -> { });
        ExperimentRunner.Trained plain = r.train(pgm, 1000, false, e -> { });
        assertArrayEquals(plain.graph().params().data().asFloat(), monitored.graph().params().data().asFloat());
        assertTrue(Double.isFinite(monitored.history().get(0).taskLoss()), monitored.history().toString());
        assertTrue(Double.isNaN(plain.history().get(0).taskLoss()), plain.history().toString());
    }

    @Test
    void checkpointDirAndResumeReachTheTrainer(@TempDir Path dir) throws Exception {
        Path cp = dir.resolve("cp");
        ExperimentRunner r = runner(dir, "1", "--checkpoint-dir", cp.toString(), "--resume");
        FusionChoice concat = FusionChoice.parse("CONCAT");
        ExperimentRunner.Trained first = r.train(concat, 1001, false, e -> { });
        Path folder = r.checkpointFolder(concat, 1001);
        assertEquals(cp.resolve("CONCAT-seed1001"), folder);
        assertTrue(Files.exists(folder.resolve("checkpoint-0001.zip")), folder.toString());
        int[] epochs = new int[1];
        ExperimentRunner.Trained resumed = r.train(concat, 1001, false, e -> epochs[0]++);
        assertEquals(0, epochs[0], "a finished run resumed trains nothing");
        assertArrayEquals(first.graph().params().data().asFloat(), resumed.graph().params().data().asFloat());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--resume"));
        assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains("--checkpoint-dir"), e.getMessage());
        assertTrue(MainJobOptions.usage().contains("--checkpoint-dir DIR"));
    }
}

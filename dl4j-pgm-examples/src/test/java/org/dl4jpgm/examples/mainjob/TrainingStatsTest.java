package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.TrainingStats;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;
import org.dl4jpgm.train.EpochRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --stats FILE}: DL4J's StatsListener and PgM's objectives in a FileStatsStorage that DL4J's UI opens. */
class TrainingStatsTest {

    @Test
    void statsFileHoldsTheListenersReportsAndPgmsObjectives(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        SyntheticConfig cfg = SyntheticConfig.builder().seed(7)
                .modality(SyntheticModality.builder("a").width(6).build())
                .modality(SyntheticModality.builder("b").width(4).build())
                .uniClasses(2).pairedClasses(2).pairedModalities(0, 1).build();
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", 32);
        sizes.put("test", 16);
        SyntheticDatasetWriter.write(new SyntheticMultimodalGenerator(cfg), data, "tiny", sizes);
        LayoutReader reader = new LayoutReader(data);
        DatasetDescriptor d = reader.descriptor();
        Path stats = dir.resolve("stats.dl4j");
        MainJobOptions o = MainJobOptions.parse(data.toString(), "--width", "8", "--batch", "16", "--stage1-epochs",
                "1", "--stage2-epochs", "2", "--stats", stats.toString());
        ExperimentRunner r = new ExperimentRunner(d, d.getTarget("paired"), reader.readSplit("train"),
                reader.readSplit("test"), o);
        List<EpochRecord> history = r.train(FusionChoice.parse("PGM"), 1000, true, e -> { }).history();
        r.train(FusionChoice.parse("CONCAT"), 1000, true, e -> { });

        FileStatsStorage s = new FileStatsStorage(stats.toFile());
        try {
            assertEquals(java.util.Set.of("PgM-seed1000", "CONCAT-seed1000"), java.util.Set.copyOf(s.listSessionIDs()));
            List<String> baseline = s.listWorkerIDsForSession("CONCAT-seed1000");
            assertTrue(baseline.contains("pgm-task") && !baseline.contains("pgm-UFC"),
                    "a baseline has a task loss and no PgM objectives: " + baseline);
            List<String> workers = s.listWorkerIDsForSession("PgM-seed1000");
            assertTrue(workers.containsAll(TrainingStats.OBJECTIVE_WORKERS), workers.toString());
            assertTrue(workers.size() > TrainingStats.OBJECTIVE_WORKERS.size(), "and the listener's own: " + workers);
            String listener = workers.stream().filter(w -> !TrainingStats.OBJECTIVE_WORKERS.contains(w)).findFirst()
                    .orElseThrow();
            assertEquals(3 * 2, s.getNumUpdateRecordsFor("PgM-seed1000", StatsListener.TYPE_ID, listener),
                    "one report per iteration: 32 examples in batches of 16, 3 epochs");
            List<Persistable> ufc = s.getAllUpdatesAfter("PgM-seed1000", StatsListener.TYPE_ID, "pgm-UFC", 0);
            assertEquals(3, ufc.size(), "one per epoch of both stages");
            for (int i = 0; i < 3; i++) {
                assertEquals(history.get(i).ufc(), ((StatsReport) ufc.get(i)).getScore(), 1e-9);
            }
        } finally {
            s.close();
        }
    }
}

package org.dl4jpgm.examples;

import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;
import org.dl4jpgm.examples.mainjob.Figures;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.mainjob.MainJobOptions;
import org.dl4jpgm.fusion.FusionSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job end to end on a tiny generated dataset written in the project's layout. */
class MainJobTest {

    @Test
    void quickRunOnALayoutDirectoryPrintsTablesAndWritesFigures(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        SyntheticConfig cfg = SyntheticConfig.builder().seed(7)
                .modality(SyntheticModality.builder("a").width(6).build())
                .modality(SyntheticModality.builder("b").width(4).sequence(4, 2).build())
                .uniClasses(2).pairedClasses(2).pairedModalities(0, 1).build();
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", 64);
        sizes.put("test", 32);
        SyntheticDatasetWriter.write(new SyntheticMultimodalGenerator(cfg), data, "tiny", sizes);
        Path out = dir.resolve("out");

        String table = MainJob.run(MainJobOptions.parse(data.toString(), "--quick", "--fusions", "PGM,UNIMODAL,CONCAT",
                "--width", "8", "--batch", "64", "--stage2-epochs", "1", "--target", "paired", "--out", out.toString()));

        assertTrue(table.contains("Table 2 layout"), table);
        for (String row : new String[]{"| PgM ", "| UNI:a ", "| UNI:b ", "| CONCAT "}) {
            assertTrue(table.contains(row), "row " + row + " in\n" + table);
        }
        assertTrue(table.matches("(?s).*\\| PgM +\\| +\\d+\\.\\d ± +\\d+\\.\\d +\\|.*"), table);
        String md = Files.readString(out.resolve(MainJob.RESULTS_MD));
        assertTrue(md.contains("Table 5 layout") && md.contains("fusionPgm"), md);
        for (String png : new String[]{Figures.PARTITION_PNG, Figures.CURVES_PNG}) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png + " is a readable PNG");
            assertTrue(img.getWidth() >= 400 && img.getHeight() >= 300, png + " " + img.getWidth() + "x" + img.getHeight());
        }
    }

    @Test
    void optionsHaveDefaultsQuickAndErrorsNameTheOption() {
        MainJobOptions d = MainJobOptions.parse();
        assertEquals(3, d.getSeeds());
        assertTrue(d.getFusions().contains("PGM") && d.getFusions().contains("NO_UPR"));
        MainJobOptions q = MainJobOptions.parse("--quick", "--seeds", "2");
        assertEquals(2, q.getSeeds());
        assertEquals(128, q.getMaxTrain());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MainJobOptions.parse("--seeds", "zero"));
        assertTrue(e.getMessage().contains("--seeds") && e.getMessage().contains("zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--fusions", "PGM,FOO"));
        assertTrue(e.getMessage().contains("FOO"), e.getMessage());

        assertEquals(3e-3, d.getModelLearningRate());
        assertEquals(2e-3, d.getLearnerLearningRate(), "the mainjob preset's rate of the learners");
        assertEquals(3e-3, d.getDecoderLearningRate());
        MainJobOptions lr = MainJobOptions.parse("--lr", "1e-3", "--learner-lr", "2e-4", "--decoder-lr", "5e-4");
        assertEquals(1e-3, lr.getModelLearningRate());
        assertEquals(2e-4, lr.getLearnerLearningRate());
        assertEquals(5e-4, lr.getDecoderLearningRate());
        FusionSpec spec = FusionChoice.parse("PGM").spec(lr, java.util.List.of("a", "b"));
        assertEquals(1e-3, ((org.nd4j.linalg.learning.config.Adam) spec.getModelUpdater()).getLearningRate());
        assertEquals(2e-4, ((org.nd4j.linalg.learning.config.Adam) spec.getLearnerUpdater()).getLearningRate());
        assertEquals(5e-4, ((org.nd4j.linalg.learning.config.Adam) spec.getDecoderUpdater()).getLearningRate());
        for (String bad : new String[]{"0", "-1e-3", "fast", "Infinity"}) {
            e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--lr", bad));
            assertTrue(e.getMessage().contains("--lr") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}

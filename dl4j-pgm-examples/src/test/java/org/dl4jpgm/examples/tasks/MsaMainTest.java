package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MsaMain end to end on an MMSA {@code unaligned_50.pkl} (protocol 4, numpy 1.x arrays) written by
 * {@link SampleDatasets#writeMosiPickle}: labels in [-3, 3] (every 6th exactly 0), features that carry the label's
 * sign, lengths 1..S.
 */
class MsaMainTest {

    /** Widths of text, audio, vision; padded steps. */
    private static final int[] DIMS = {6, 3, 4};
    private static final int STEPS = 4;

    @Test
    void trainsOnTheUnalignedPickleAndPrintsTable2Columns(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("MOSI");
        SampleDatasets.writeMosiPickle(data.resolve("unaligned_50.pkl"), new int[]{24, 6, 12}, STEPS, DIMS, false, 5);

        TaskTests.Captured c = new TaskTests.Captured();
        TaskReport r = MsaMain.run(MsaOptions.parse(TaskTests.args(data, dir.resolve("out"), 12)), c.out);

        assertEquals(12, r.testExamples(), "every test record is scored");
        assertTrue(r.title().contains("N = 12, 10 non-zero"), r.title());
        for (String m : new String[]{"ACC-2 Has0", "ACC-2 Non0", "F1 Has0", "F1 Non0", "ACC-7", "ACC-5"}) {
            TaskTests.inRange(r, m, 0, 1);
        }
        TaskTests.inRange(r, "MAE", 0, 10);
        TaskTests.inRange(r, "Corr", -1, 1);
        String printed = c.text();
        System.out.print(printed);
        TaskTests.printedRow(printed, r);
        assertEquals(java.util.List.of("ACC-2", "F1", "MAE", "Corr", "ACC-7", "ACC-5"),
                java.util.List.copyOf(r.cells().keySet()),
                "Table 2's columns first, then MMSA's");
        assertTrue(printed.contains("stage 1 epoch   1") && printed.contains("stage 2 epoch   1"), printed);
        assertTrue(printed.contains("text [4, 6], audio [4, 3], vision [4, 4]; train 24, test 12"), printed);
        assertTrue(Files.readString(dir.resolve("out").resolve("results.md")).startsWith(r.table()));
    }

    @Test
    void optionsNameWhatIsWrong(@TempDir Path dir) {
        assertTrue(MsaOptions.parse("--help").isHelp());
        String usage = MsaOptions.parse("--help").usage();
        for (String o : new String[]{"DATA_DIR", "--pickle", "--fusion", "--width", "--stage1-epochs", "--bad-records"}) {
            assertTrue(usage.contains(o), o + " in\n" + usage);
        }
        MsaOptions d = MsaOptions.parse(dir.toString());
        assertEquals(32, d.getWidth());
        assertEquals(3, d.getStage2Epochs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, d::resolvePickle);
        assertTrue(e.getMessage().contains("expected aligned_50.pkl or unaligned_50.pkl in " + dir), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MsaOptions.parse(dir.toString(), "--width", "0"));
        assertTrue(e.getMessage().contains("--width expects a number >= 1, found 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MsaOptions.parse(dir.toString(), "--fusion", "FOO"));
        assertTrue(e.getMessage().contains("--fusion") && e.getMessage().contains("FOO"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MsaOptions.parse("--width", "8"));
        assertTrue(e.getMessage().contains("expected a data directory"), e.getMessage());

        assertEquals(3e-3, d.getModelLearningRate());
        MsaOptions lr = MsaOptions.parse(dir.toString(), "--lr", "2e-3", "--decoder-lr", "4e-4");
        assertEquals(2e-3, lr.getModelLearningRate());
        assertEquals(1e-3, lr.getLearnerLearningRate());
        assertEquals(4e-4, lr.getDecoderLearningRate());
        e = assertThrows(IllegalArgumentException.class, () -> MsaOptions.parse(dir.toString(), "--learner-lr", "-1"));
        assertTrue(e.getMessage().contains("MsaMain") && e.getMessage().contains("--learner-lr")
                && e.getMessage().contains("-1"), e.getMessage());
    }
}

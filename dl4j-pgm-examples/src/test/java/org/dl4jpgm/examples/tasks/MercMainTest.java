package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.testutil.MeldFixtures;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MercMain end to end on MELD written by {@link SampleDatasets#writeMeld}: the three {@code *_sent_emo.csv} files
 * (quoted, multi-line and non-ASCII utterances) and two feature pickles holding {@code (train, dev, test)} tuples of
 * dicts keyed {@code "{D}_{U}"}, whose keys repeat across the splits as in MELD's baseline pickles.
 */
class MercMainTest {

    /** Rows per split: every emotion 3, 1 and 2 times. */
    private static final int[] PER_CLASS = {3, 1, 2};
    private static final int TEXT_D = 8;
    private static final int AUDIO_D = 6;

    @Test
    void trainsOnTheCsvsAndPerSplitPicklesAndPrintsAccAndWeightedF1(@TempDir Path dir) throws Exception {
        Path data = SampleDatasets.writeMeld(dir.resolve("MELD"), PER_CLASS, TEXT_D, AUDIO_D, 3);

        TaskTests.Captured c = new TaskTests.Captured();
        TaskReport r = MercMain.run(MercOptions.parse(TaskTests.args(data, dir.resolve("out"), 21)), c.out);

        String printed = c.text();
        System.out.print(printed);
        assertEquals(14, r.testExamples(), "every test row is scored");
        TaskTests.inRange(r, "ACC", 0, 1);
        TaskTests.inRange(r, "Weighted F1", 0, 1);
        assertEquals(List.of("ACC", "Weighted F1"), List.copyOf(r.cells().keySet()));
        TaskTests.printedRow(printed, r);
        assertTrue(printed.contains("7 classes"), printed);
        assertTrue(printed.contains("text [8], audio [6]; train 21, test 14"), printed);
        assertTrue(printed.contains("3 dict(s)"), printed);
    }

    @Test
    void featuresOptionIsCheckedAndNamesTheFile(@TempDir Path dir) throws Exception {
        MercOptions d = MercOptions.parse(dir.toString());
        assertEquals(List.of("text", "audio"), List.copyOf(d.getFeatures().keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MercOptions.parse(dir.toString(), "--features", "text=a.pkl"));
        assertTrue(e.getMessage().contains("at least two modalities"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MercOptions.parse(dir.toString(), "--features", "text=a.pkl,audio"));
        assertTrue(e.getMessage().contains("name=file"), e.getMessage());
        e = assertThrows(TaskOptionException.class, () -> MercMain.run(d, System.out));
        assertTrue(e.getMessage().contains("expected the file " + dir.resolve("train_sent_emo.csv")), e.getMessage());
        for (String csv : MercOptions.CSVS) {
            Files.writeString(dir.resolve(csv), MeldFixtures.HEADER);
        }
        e = assertThrows(TaskOptionException.class, () -> MercMain.run(d, System.out));
        assertTrue(e.getMessage().contains("--features text: expected the file "
                + dir.resolve("text_glove_average_emotion.pkl")), e.getMessage());
    }
}

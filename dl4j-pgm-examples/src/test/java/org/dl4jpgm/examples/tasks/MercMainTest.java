package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.meld.MeldLabel;
import org.dl4jpgm.datavec.testutil.MeldFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MercMain end to end on MELD written by the test: the three {@code *_sent_emo.csv} files (quoted, multi-line and
 * non-ASCII utterances) and two feature pickles holding {@code (train, dev, test)} tuples of dicts keyed
 * {@code "{D}_{U}"}, whose keys repeat across the splits as in MELD's baseline pickles.
 */
class MercMainTest {

    private static final String[] SPLITS = {"train", "dev", "test"};
    /** Rows per split: every emotion 3, 1 and 2 times. */
    private static final int[] PER_CLASS = {3, 1, 2};
    private static final int TEXT_D = 8;
    private static final int AUDIO_D = 6;

    @Test
    void trainsOnTheCsvsAndPerSplitPicklesAndPrintsAccAndWeightedF1(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("MELD");
        Files.createDirectories(data);
        Random rnd = new Random(3);
        List<String> emotions = MeldLabel.EMOTION.classes();
        Object[] text = new Object[3];
        Object[] audio = new Object[3];
        for (int s = 0; s < 3; s++) {
            StringBuilder csv = new StringBuilder(MeldFixtures.HEADER);
            Map<String, Object> t = new LinkedHashMap<>();
            Map<String, Object> a = new LinkedHashMap<>();
            int row = 0;
            for (int e = 0; e < emotions.size(); e++) {
                for (int k = 0; k < PER_CLASS[s]; k++) {
                    int dia = row / 3;
                    int utt = row % 3;
                    String utterance = k == 0 ? "Oh my God\u00c2\u0085 that\u2019s \"" + emotions.get(e) + "\"!\nReally?"
                            : "line " + row;
                    csv.append(MeldFixtures.row(row + 1, utterance, "Joey", emotions.get(e), "neutral", dia, utt));
                    t.put(dia + "_" + utt, vector(TEXT_D, e, rnd));
                    a.put(dia + "_" + utt, vector(AUDIO_D, e, rnd));
                    row++;
                }
            }
            Files.write(data.resolve(SPLITS[s] + "_sent_emo.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
            text[s] = t;
            audio[s] = a;
        }
        Pickle4Writer.write(data.resolve("text_glove_average_emotion.pkl"), text);
        Pickle4Writer.write(data.resolve("audio_embeddings_feature_selection_emotion.pkl"), audio);

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

    /** A class-dependent vector: 1 at index e mod D, plus noise. */
    private static Pickle4Writer.Nd vector(int d, int e, Random rnd) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.2f + (i == e % d ? 1f : 0f);
        }
        return new Pickle4Writer.Nd("f4", new long[]{d}, v);
    }

    @Test
    void featuresOptionIsCheckedAndNamesTheFile(@TempDir Path dir) {
        MercOptions d = MercOptions.parse(dir.toString());
        assertEquals(List.of("text", "audio"), List.copyOf(d.getFeatures().keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MercOptions.parse(dir.toString(), "--features", "text=a.pkl"));
        assertTrue(e.getMessage().contains("at least two modalities"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MercOptions.parse(dir.toString(), "--features", "text=a.pkl,audio"));
        assertTrue(e.getMessage().contains("name=file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MercMain.run(d, System.out));
        assertTrue(e.getMessage().contains("expected the pickle " + dir.resolve("text_glove_average_emotion.pkl")),
                e.getMessage());
    }
}

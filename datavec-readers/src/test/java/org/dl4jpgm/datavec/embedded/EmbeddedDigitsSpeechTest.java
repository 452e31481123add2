package org.dl4jpgm.datavec.embedded;

import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The committed digits-speech set: opens, is consistent, matches its provenance, and its targets behave as designed. */
class EmbeddedDigitsSpeechTest {

    static LayoutReader reader;
    static SplitData train;
    static SplitData test;

    @BeforeAll
    static void open() {
        reader = EmbeddedDatasets.openDigitsSpeech();
        train = reader.readSplit("train");
        test = reader.readSplit("test");
    }

    @Test
    void shapesSizesAndTargetsAreConsistent() {
        SplitData valid = reader.readSplit("valid");
        assertEquals(1797, train.size() + valid.size() + test.size());
        assertEquals(List.of("label", "image_digit", "speech_digit", "match"),
                reader.descriptor().getTargets().stream().map(t -> t.getName()).toList());
        for (SplitData s : List.of(train, valid, test)) {
            int n = s.size();
            assertArrayEquals(new long[]{n, 64}, s.features("image").shape());
            assertArrayEquals(new long[]{n, 24, 16}, s.features("speech").shape());
            assertArrayEquals(new long[]{n, 64}, s.features("text").shape());
            assertNotNull(s.lengths("speech"));
            for (int i = 0; i < n; i++) {
                int a = Integer.parseInt(s.labels("image_digit").get(i));
                int b = Integer.parseInt(s.labels("speech_digit").get(i));
                assertEquals(Integer.toString((a + b) % 10), s.labels("label").get(i));
                assertEquals(a == b ? "yes" : "no", s.labels("match").get(i));
            }
            assertEquals(0.0, s.features("image").minNumber().doubleValue(), 0.0);
            assertEquals(1.0, s.features("image").maxNumber().doubleValue(), 0.0);
        }
    }

    @Test
    void filesMatchTheSha256ListedInProvenance() throws Exception {
        Path root = reader.root();
        List<String> lines = Files.readAllLines(root.resolve("PROVENANCE"));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("seed=")), "seed recorded");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("packages:") && l.contains("espeak-ng=") && l.contains("python3-sklearn=")),
                "package versions recorded");
        int checked = 0;
        for (String l : lines) {
            if (l.matches("[0-9a-f]{64}  .+")) {
                Path f = root.resolve(l.substring(66));
                assertEquals(l.substring(0, 64), DigitsSpeechBuilder.sha256(f), l.substring(66));
                checked++;
            }
        }
        assertEquals(1 + 3 * 9, checked); // dataset.json + per split: 3 modalities, lengths, 4 targets, meta.csv
    }

    @Test
    void iteratorFeedsAllThreeModalitiesWithASpeechMask() {
        LayoutMultiDataSetIterator it = reader.iterator("valid", LayoutIteratorOptions.builder().batchSize(50)
                .targets("label", "image_digit", "match").build());
        MultiDataSet m = it.next();
        assertArrayEquals(new long[]{50, 64}, m.getFeatures(0).shape());
        assertArrayEquals(new long[]{50, 16, 24}, m.getFeatures(1).shape());
        assertArrayEquals(new long[]{50, 24}, m.getFeaturesMaskArray(1).shape());
        assertNull(m.getFeaturesMaskArray(0));
        assertArrayEquals(new long[]{50, 10}, m.getLabels(0).shape());
        assertArrayEquals(new long[]{50, 2}, m.getLabels(2).shape());
    }

    /**
     * Measured with a plain kNN (k = 5) fitted on train and scored on test: the image answers image_digit,
     * speech and text answer speech_digit, no single modality answers label = (image + speech digit) mod 10,
     * and combining an image-based and a speech-based prediction does.
     */
    @Test
    void uniTargetsAreAnsweredByOneModality_pairedTargetOnlyByTheCombination() {
        double[][] imTr = rows(train, "image", false), imTe = rows(test, "image", false);
        double[][] spTr = rows(train, "speech", true), spTe = rows(test, "speech", true);
        double[][] txTr = rows(train, "text", false), txTe = rows(test, "text", false);
        int[] yImgTr = ints(train, "image_digit"), yImgTe = ints(test, "image_digit");
        int[] ySpTr = ints(train, "speech_digit"), ySpTe = ints(test, "speech_digit");
        int[] ySumTr = ints(train, "label"), ySumTe = ints(test, "label");
        int[] predImg = knn(imTr, yImgTr, imTe, 5);
        int[] predSp = knn(spTr, ySpTr, spTe, 5);
        int[] predTx = knn(txTr, ySpTr, txTe, 5);
        double imgAcc = acc(predImg, yImgTe);
        double spAcc = acc(predSp, ySpTe);
        double txAcc = acc(predTx, ySpTe);
        double sumFromImage = acc(knn(imTr, ySumTr, imTe, 5), ySumTe);
        double sumFromSpeech = acc(knn(spTr, ySumTr, spTe, 5), ySumTe);
        int[] combined = new int[ySumTe.length];
        for (int i = 0; i < combined.length; i++) {
            combined[i] = (predImg[i] + predSp[i]) % 10;
        }
        double sumCombined = acc(combined, ySumTe);
        System.out.printf("digits-speech kNN(5) test accuracy: image_digit|image %.3f, speech_digit|speech %.3f, "
                        + "speech_digit|text %.3f, label|image %.3f, label|speech %.3f, label|image+speech predictions %.3f (chance 0.1)%n",
                imgAcc, spAcc, txAcc, sumFromImage, sumFromSpeech, sumCombined);
        assertTrue(imgAcc > 0.9, "image_digit from image " + imgAcc);
        assertTrue(spAcc > 0.3, "speech_digit from speech " + spAcc);
        assertTrue(txAcc > 0.5, "speech_digit from text " + txAcc);
        assertTrue(sumFromImage < 0.2, "label from image alone " + sumFromImage);
        assertTrue(sumFromSpeech < 0.2, "label from speech alone " + sumFromSpeech);
        assertTrue(sumCombined > 0.25, "label from combined predictions " + sumCombined);
    }

    private static double[][] rows(SplitData s, String modality, boolean meanPoolWithLengths) {
        float[] flat = s.features(modality).dup('c').data().asFloat();
        int n = s.size();
        int row = flat.length / n;
        double[][] out = new double[n][];
        if (!meanPoolWithLengths) {
            for (int i = 0; i < n; i++) {
                out[i] = new double[row];
                for (int j = 0; j < row; j++) {
                    out[i][j] = flat[i * row + j];
                }
            }
            return out;
        }
        // speech [S, D]: keep the first 16 frames (padding is 0 = the train mean after standardisation)
        int d = (int) s.features(modality).size(2);
        int keep = 16 * d;
        for (int i = 0; i < n; i++) {
            out[i] = new double[keep];
            for (int j = 0; j < keep; j++) {
                out[i][j] = flat[i * row + j];
            }
        }
        return out;
    }

    private static int[] ints(SplitData s, String target) {
        return s.labels(target).stream().mapToInt(Integer::parseInt).toArray();
    }

    private static double acc(int[] p, int[] y) {
        int c = 0;
        for (int i = 0; i < p.length; i++) {
            c += p[i] == y[i] ? 1 : 0;
        }
        return c / (double) p.length;
    }

    private static int[] knn(double[][] tr, int[] ytr, double[][] te, int k) {
        int[] out = new int[te.length];
        for (int i = 0; i < te.length; i++) {
            double[] dist = new double[tr.length];
            for (int j = 0; j < tr.length; j++) {
                double s = 0;
                for (int c = 0; c < te[i].length; c++) {
                    double d = te[i][c] - tr[j][c];
                    s += d * d;
                }
                dist[j] = s;
            }
            Integer[] idx = new Integer[tr.length];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = j;
            }
            java.util.Arrays.sort(idx, java.util.Comparator.comparingDouble(j -> dist[j]));
            int[] votes = new int[10];
            for (int j = 0; j < k; j++) {
                votes[ytr[idx[j]]]++;
            }
            int best = 0;
            for (int c = 1; c < 10; c++) {
                if (votes[c] > votes[best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }
}

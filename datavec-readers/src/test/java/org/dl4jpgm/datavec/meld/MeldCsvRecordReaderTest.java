package org.dl4jpgm.datavec.meld;

import org.datavec.api.records.Record;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderMultiDataSetIterator;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.testutil.MeldFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MeldCsvRecordReaderTest {

    static final String HEADER = MeldFixtures.HEADER;
    /** Three rows as MELD ships them: quoted times with commas, a multi-line utterance, doubled quotes, non-ASCII. */
    static final String ROWS =
            "1,\"also I was the point person on my company\u2019s transition from the KL-5 to GR-6 system.\",Chandler,"
                    + "neutral,neutral,0,0,8,21,\"00:16:16,059\",\"00:16:21,731\"\n"
                    + "2,\"You must\u2019ve had your hands full.\nThat I did. \"\"Yeah\"\", that I did.\",The Interviewer,"
                    + "surprise,positive,0,1,8,21,\"00:16:21,940\",\"00:16:23,442\"\n"
                    + "3,Oh my God\u00c2\u0085 caf\u00e9,Monica,anger,negative,1,0,8,21,\"00:16:24,000\",\"00:16:26,000\"\n";

    @TempDir
    Path dir;

    private Path csv(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, text.getBytes(StandardCharsets.UTF_8));
        return f;
    }

    private static MeldCsvRecordReader.Builder builder() {
        return new MeldCsvRecordReader.Builder();
    }

    @Test
    void readsEveryFieldAsShipped() throws Exception {
        Path f = csv("train_sent_emo.csv", HEADER + ROWS);
        MeldCsvRecordReader r = builder().build();
        r.initialize(new FileSplit(f.toFile()));
        assertEquals(List.of("neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"), r.getLabels());
        List<Writable> a = r.next();
        assertEquals("dia0_utt0", a.get(0).toString());
        assertEquals("also I was the point person on my company\u2019s transition from the KL-5 to GR-6 system.",
                a.get(1).toString());
        assertEquals("Chandler", a.get(2).toString());
        assertEquals(0, a.get(3).toInt());
        assertEquals(0, a.get(4).toInt());
        List<Writable> b = r.next();
        assertEquals("dia0_utt1", b.get(0).toString());
        assertEquals("You must\u2019ve had your hands full.\nThat I did. \"Yeah\", that I did.", b.get(1).toString());
        assertEquals("The Interviewer", b.get(2).toString());
        assertEquals(1, b.get(3).toInt());
        assertEquals(1, b.get(4).toInt());
        Record c = r.nextRecord();
        assertEquals("Oh my God\u00c2\u0085 caf\u00e9", c.getRecord().get(1).toString());
        assertEquals(6, c.getRecord().get(3).toInt());
        assertEquals(2, c.getRecord().get(4).toInt());
        assertEquals(5, c.getRecord().size());
        assertFalse(r.hasNext());
        assertEquals(c.getRecord(), r.loadFromMetaData(c.getMetaData()).getRecord());

        MeldCsvRecordReader s = builder().label(MeldLabel.SENTIMENT).build();
        s.initialize(new FileSplit(f.toFile()));
        assertEquals(List.of("neutral", "positive", "negative"), s.getLabels());
        assertEquals(MeldCsvRecordReader.COLUMN_SENTIMENT, s.labelColumn());
    }

    private Path featurePickle(Map<String, Object> extraTest) throws Exception {
        // MELD's feature pickles: a tuple (train, dev, test) of dicts keyed by utterance
        Map<String, Object> train = new LinkedHashMap<>();
        train.put("0_0", new Pickle4Writer.Nd("f4", new long[]{3}, new float[]{1, 2, 3}));
        train.put("0_1", new Pickle4Writer.Nd("f4", new long[]{3}, new float[]{4, 5, 6}));
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("dia1_utt0", new Pickle4Writer.Nd("f4", new long[]{1, 3}, new float[]{7, 8, 9}));
        test.putAll(extraTest);
        Path f = dir.resolve("text_features.pkl");
        Pickle4Writer.write(f, new Object[]{train, new LinkedHashMap<>(), test});
        return f;
    }

    @Test
    void joinsFeaturesByKeyAndFeedsTheIterator() throws Exception {
        Path f = csv("dev_sent_emo.csv", HEADER + ROWS);
        UtteranceFeatures feats = UtteranceFeatures.read(featurePickle(Map.of()));
        assertEquals(3, feats.size());
        MeldCsvRecordReader r = builder().features(feats).build();
        r.initialize(new FileSplit(f.toFile()));
        r.next();
        r.next();
        List<Writable> c = r.next();
        assertArrayEquals(new float[]{7, 8, 9}, ((NDArrayWritable) c.get(MeldCsvRecordReader.COLUMN_FEATURES)).get()
                .toFloatVector());
        r.reset();
        RecordReaderMultiDataSetIterator it = new RecordReaderMultiDataSetIterator.Builder(3)
                .addReader("meld", r)
                .addInput("meld", MeldCsvRecordReader.COLUMN_FEATURES, MeldCsvRecordReader.COLUMN_FEATURES)
                .addOutputOneHot("meld", r.labelColumn(), r.getLabels().size()).build();
        MultiDataSet m = it.next();
        assertArrayEquals(new long[]{3, 3}, m.getFeatures(0).shape());
        assertEquals(5f, m.getFeatures(0).getFloat(1, 1), 0f);
        assertArrayEquals(new long[]{3, 7}, m.getLabels(0).shape());
        assertEquals(1f, m.getLabels(0).getFloat(1, 1), 0f);
        assertEquals(1f, m.getLabels(0).getFloat(2, 6), 0f);
    }

    @Test
    void rowsWithoutFeaturesAreErrorsOrCountedSkips() throws Exception {
        String extra = "4,Bye.,Ross,joy,positive,2,0,8,21,\"00:16:27,000\",\"00:16:28,000\"\n";
        Path f = csv("test_sent_emo.csv", HEADER + ROWS + extra);
        UtteranceFeatures feats = UtteranceFeatures.read(featurePickle(Map.of()));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> builder().features(feats).build().initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("test_sent_emo.csv, line 6"), e.getMessage());
        assertTrue(e.getMessage().contains("expected features for dia2_utt0 in"), e.getMessage());
        MeldCsvRecordReader r = builder().features(feats).badRecordPolicy(BadRecordPolicy.SKIP).build();
        r.initialize(new FileSplit(f.toFile()));
        assertEquals(3, r.size());
        assertEquals(1, r.getSkipReport().count());
        assertTrue(r.getSkipReport().reasons().get(0).contains("dia2_utt0"));
    }

    @Test
    void nonFiniteFeatures() throws Exception {
        Path f = csv("train_sent_emo.csv", HEADER + ROWS);
        UtteranceFeatures feats = UtteranceFeatures.read(featurePickle(Map.of()));
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("dia0_utt0", feats.get("dia0_utt0"));
        m.put("dia0_utt1", new float[]{1, Float.NaN, 0});
        m.put("dia1_utt0", feats.get("dia1_utt0"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> builder()
                .features(UtteranceFeatures.of(m)).build().initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("line 3 (dia0_utt1), features: expected finite feature values, found NaN"),
                e.getMessage());
    }

    @Test
    void badFilesNameFileLineAndExpectation() throws Exception {
        Path missing = csv("a.csv", HEADER.replace("Emotion,", "") + "1,x,Joey,neutral,0,0,1,1,a,b\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> builder().build().initialize(new FileSplit(missing.toFile())));
        assertTrue(e.getMessage().contains("a.csv, line 1 (header): expected a column 'Emotion'"), e.getMessage());

        Path label = csv("b.csv", HEADER + ROWS + "4,Hi,Joey,happy,positive,2,0,8,21,a,b\n");
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(label.toFile())));
        assertTrue(e.getMessage().contains("b.csv, line 6, column Emotion: expected one of [neutral, surprise, fear, "
                + "sadness, joy, disgust, anger], found 'happy'"), e.getMessage());

        Path empty = csv("c.csv", HEADER);
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(empty.toFile())));
        assertTrue(e.getMessage().contains("c.csv, data rows: expected at least one record, found an empty split"),
                e.getMessage());

        Path open = csv("d.csv", HEADER + ROWS + "4,\"never closed,Joey,joy,positive,2,0,8,21,a,b\n");
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(open.toFile())));
        assertTrue(e.getMessage().contains("d.csv, line 6: expected a closing quote"), e.getMessage());

        Path fields = csv("e.csv", HEADER + "1,Hi,Joey,joy,positive,2,0,8\n");
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(fields.toFile())));
        assertTrue(e.getMessage().contains("e.csv, line 2: expected 11 fields as in the header, found 8 fields"),
                e.getMessage());

        Path dup = csv("f.csv", HEADER + ROWS + ROWS.substring(ROWS.lastIndexOf("3,Oh")));
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(dup.toFile())));
        assertTrue(e.getMessage().contains("f.csv, line 6: expected each dia{D}_utt{U} once, found dia1_utt0 again "
                + "(first on line 5)"), e.getMessage());

        Path latin1 = dir.resolve("g.csv");
        Files.write(latin1, (HEADER + "1,caf\u00e9,Joey,joy,positive,2,0,8,21,a,b\n").getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(latin1.toFile())));
        int offset = HEADER.length() + "1,caf".length();
        assertTrue(e.getMessage().endsWith("g.csv, line 2, byte offset " + offset + ": expected UTF-8 text, found the "
                + "byte 0xE9, which is not valid UTF-8 there"), e.getMessage());
        assertEquals("line 2, byte offset " + offset, e.getWhere());

        // a quoted utterance over two lines first (as in MELD), then a Windows-1252 apostrophe: the physical line
        Path cp1252 = dir.resolve("h.csv");
        byte[] head = (HEADER + MeldFixtures.row(1, "two\nlines", "Joey", "joy", "positive", 0, 0) + "2,\"I")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "m here\",Joey,joy,positive,0,1,1,1,\"00:00:01,000\",\"00:00:01,900\"\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0x92; // Windows-1252's right single quote
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(cp1252, all);
        e = assertThrows(DataFormatException.class, () -> builder().build().initialize(new FileSplit(cp1252.toFile())));
        assertTrue(e.getMessage().endsWith("h.csv, line 4, byte offset " + head.length + ": expected UTF-8 text, "
                + "found the byte 0x92, which is not valid UTF-8 there"), e.getMessage());
    }

    @Test
    void aTupleItemThatIsNotADictIsAnErrorNotSkipped() throws Exception {
        Map<String, Object> train = new LinkedHashMap<>();
        train.put("0_0", new Pickle4Writer.Nd("f4", new long[]{3}, new float[]{1, 2, 3}));
        Path p = dir.resolve("bundle.pkl");
        Pickle4Writer.write(p, new Object[]{train, java.util.List.of(1, 2)});
        DataFormatException e = assertThrows(DataFormatException.class, () -> UtteranceFeatures.read(p));
        assertTrue(e.getMessage().contains("bundle.pkl") && e.getMessage().contains("item 1")
                && e.getMessage().contains("a dict of features"), e.getMessage());
    }

    @Test
    void truncatedFeaturePickle() throws Exception {
        Path p = featurePickle(Map.of());
        byte[] b = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(b, b.length - 7));
        DataFormatException e = assertThrows(DataFormatException.class, () -> UtteranceFeatures.read(p));
        assertTrue(e.getMessage().contains("text_features.pkl, byte "), e.getMessage());
    }

    /**
     * A feature pickle as MELD's baselines ship them: protocol 2, a tuple (train, dev, test) of dicts keyed
     * "{D}_{U}", written by CPython 3.11 with numpy 1.24 ({@code pickle.dumps((tr, {}, te), protocol=2)}; the array
     * bytes go through {@code _codecs.encode(..., 'latin1')}). tr = {"0_0": [1, 2], "0_1": [3, -4.5]}, te = {"1_0":
     * [0.25, 8]}, float32.
     */
    private static final String NUMPY1_PROTOCOL2_HEX = ""
            + "80027d7100285803000000305f307101636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563"
            + "740a7102636e756d70790a6e6461727261790a71034b00857104635f636f646563730a656e636f64650a7105580100000062"
            + "710658060000006c6174696e31710786710852710987710a52710b284b014b0285710c636e756d70790a64747970650a710d"
            + "58020000006634710e898887710f527110284b0358010000003c71114e4e4e4affffffff4affffffff4b0074711262896805"
            + "58090000000000c2803f0000004071136807867114527115747116625803000000305f317117680268034b00857118680987"
            + "711952711a284b014b0285711b6810896805580a000000000040400000c290c380711c680786711d52711e74711f62757d71"
            + "207d71215803000000315f307122680268034b008571236809877124527125284b014b028571266810896805580900000000"
            + "00c2803e000000417127680786712852712974712a627387712b2e";

    @Test
    void readsAProtocol2FeaturePickleWrittenByNumpy1() throws Exception {
        byte[] b = new byte[NUMPY1_PROTOCOL2_HEX.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(NUMPY1_PROTOCOL2_HEX.substring(2 * i, 2 * i + 2), 16);
        }
        Path p = dir.resolve("audio_features.pkl");
        Files.write(p, b);
        UtteranceFeatures f = UtteranceFeatures.read(p);
        assertEquals(3, f.size());
        assertArrayEquals(new float[]{3, -4.5f}, f.get("dia0_utt1"), 0f);
        assertArrayEquals(new float[]{0.25f, 8}, f.get("dia1_utt0"), 0f);
    }
}

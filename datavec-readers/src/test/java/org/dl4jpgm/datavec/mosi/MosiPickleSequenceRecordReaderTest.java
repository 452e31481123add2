package org.dl4jpgm.datavec.mosi;

import org.datavec.api.records.Record;
import org.datavec.api.records.SequenceRecord;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderMultiDataSetIterator;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.testutil.MosiFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MosiPickleSequenceRecordReaderTest {

    @TempDir
    Path dir;

    private static MosiPickleSequenceRecordReader reader(MmsaSplit split, MosiModality m, BadRecordPolicy p) {
        return new MosiPickleSequenceRecordReader.Builder().split(split).modality(m).badRecordPolicy(p).build();
    }

    private Path write(String name, Object root) throws Exception {
        Path f = dir.resolve(name);
        Pickle4Writer.write(f, root);
        return f;
    }

    @Test
    void alignedPicklesAreMaskedByTheBertAttentionMaskForEveryModality() throws Exception {
        Map<String, Object> root = MosiFixtures.file(MosiFixtures.alignedSplit("", new double[]{1.5, -0.4, 0.0},
                new long[]{3, 1, 2}));
        Path f = write("aligned_50.pkl", root);
        for (MosiModality m : MosiModality.values()) {
            MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, m, BadRecordPolicy.FAIL);
            r.initialize(new FileSplit(f.toFile()));
            assertTrue(r.hasLengths(), m.toString());
            int[] expected = {3, 1, 2};
            for (int i = 0; i < 3; i++) {
                SequenceRecord s = r.nextSequence();
                assertEquals(expected[i], s.getSequenceLength(), m + " record " + i);
                INDArray last = ((NDArrayWritable) s.getTimeStep(expected[i] - 1).get(0)).get();
                assertEquals(MosiFixtures.value(m.ordinal(), i, expected[i] - 1, 0), last.getFloat(0, 0), 0f);
            }
            MosiPickleSequenceRecordReader untrimmed = new MosiPickleSequenceRecordReader.Builder().modality(m)
                    .trimToLengths(false).build();
            untrimmed.initialize(new FileSplit(f.toFile()));
            assertEquals(MosiFixtures.STEPS, untrimmed.nextSequence().getSequenceLength());
            assertEquals(MosiFixtures.STEPS, untrimmed.nextSequence().getSequenceLength());
        }

        // the extras on request, in the order asked
        MosiPickleSequenceRecordReader x = new MosiPickleSequenceRecordReader.Builder()
                .extras(MosiExtra.TEXT_BERT, MosiExtra.RAW_TEXT, MosiExtra.CLASSIFICATION_LABEL).build();
        x.initialize(new FileSplit(f.toFile()));
        assertEquals(2, x.columnOf(MosiExtra.TEXT_BERT));
        assertEquals(3, x.columnOf(MosiExtra.RAW_TEXT));
        assertEquals(4, x.columnOf(MosiExtra.CLASSIFICATION_LABEL));
        x.next();
        List<Writable> second = x.next();
        assertEquals(5, second.size());
        INDArray bert = ((NDArrayWritable) second.get(2)).get();
        assertArrayEquals(new long[]{3, MosiFixtures.STEPS}, bert.shape());
        assertEquals(101f, bert.getFloat(0, 0), 0f);
        assertArrayEquals(new float[]{1, 0, 0}, bert.getRow(1).toFloatVector());
        assertEquals("utterance 1 \u00e9", second.get(3).toString());
        assertEquals(0.0, second.get(4).toDouble(), 0);
        MosiPickleSequenceRecordReader plain = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
        plain.initialize(new FileSplit(f.toFile()));
        assertEquals(2, plain.next().size());
        assertThrows(IllegalArgumentException.class, () -> plain.columnOf(MosiExtra.RAW_TEXT));

        // an extra that is not in the pickle
        Map<String, Object> noCls = MosiFixtures.split("", new double[]{1.5}, null);
        Path g = write("no_cls.pkl", MosiFixtures.file(noCls));
        DataFormatException e = assertThrows(DataFormatException.class, () -> new MosiPickleSequenceRecordReader.Builder()
                .extras(MosiExtra.CLASSIFICATION_LABEL).build().initialize(new FileSplit(g.toFile())));
        assertTrue(e.getMessage().contains("split 'train': expected a numpy array under key 'classification_labels', "
                + "found keys "), e.getMessage());

        // a mask that is not ones then zeros, and an all-zero mask
        Map<String, Object> bad = MosiFixtures.alignedSplit("", new double[]{1.5, -0.4, 0.0}, new long[]{3, 1, 2});
        Pickle4Writer.Nd tb = (Pickle4Writer.Nd) bad.get("text_bert");
        float[] v = new float[3 * 3 * MosiFixtures.STEPS];
        for (int i = 0; i < 3; i++) {
            v[(i * 3 + 1) * MosiFixtures.STEPS] = 1;
        }
        v[(1 * 3 + 1) * MosiFixtures.STEPS + 2] = 1; // record 1: 1 0 1
        v[(2 * 3 + 1) * MosiFixtures.STEPS] = 0;     // record 2: 0 0 0
        bad.put("text_bert", new Pickle4Writer.Nd("f4", new long[]{3, 3, MosiFixtures.STEPS}, v));
        Path h = write("bad_mask.pkl", MosiFixtures.file(bad));
        e = assertThrows(DataFormatException.class,
                () -> reader(MmsaSplit.TRAIN, MosiModality.AUDIO, BadRecordPolicy.FAIL).initialize(new FileSplit(h.toFile())));
        assertTrue(e.getMessage().endsWith("split 'train', record 1 (id vid1$_$2), 'text_bert' row 1 (attention mask), "
                + "step 2: expected ones then zeros (a BERT attention mask), found 1.0"), e.getMessage());
        MosiPickleSequenceRecordReader skip = reader(MmsaSplit.TRAIN, MosiModality.VISION, BadRecordPolicy.SKIP);
        skip.initialize(new FileSplit(h.toFile()));
        assertEquals(List.of("vid0$_$1"), skip.servedIds());
        assertEquals(2, skip.getSkipReport().count());
        assertTrue(skip.getSkipReport().reasons().get(1).endsWith("record 2 (id vid2$_$3), 'text_bert' row 1 "
                + "(attention mask): expected a length in [1, 3], found 0"), skip.getSkipReport().reasons().get(1));
        assertNotNull(tb);
    }

    @Test
    void readsProtocol5PicklesOfNumpy1AndNumpy2() throws Exception {
        for (boolean numpy2 : new boolean[]{true, false}) {
            Path f = dir.resolve("unaligned_50-p5-" + numpy2 + ".pkl");
            Pickle4Writer.write5(f, MosiFixtures.file(MosiFixtures.split("", new double[]{1.5, -0.4, 0.0},
                    new long[]{3, 1, 2})), numpy2);
            assertArrayEquals(new byte[]{(byte) 0x80, 5}, Arrays.copyOf(Files.readAllBytes(f), 2));
            MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, MosiModality.AUDIO, BadRecordPolicy.FAIL);
            r.initialize(new FileSplit(f.toFile()));
            assertTrue(r.hasLengths());
            SequenceRecord s = r.nextSequence();
            assertEquals(3, s.getSequenceLength());
            assertEquals(MosiFixtures.value(1, 0, 2, 1),
                    ((NDArrayWritable) s.getTimeStep(2).get(0)).get().getFloat(0, 1), 0f);
            assertEquals(1, r.nextSequence().getSequenceLength());
            MosiPickleSequenceRecordReader labels = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
            labels.initialize(new FileSplit(f.toFile()));
            assertEquals(Arrays.asList("vid0$_$1", "vid1$_$2", "vid2$_$3"), labels.servedIds());
            assertEquals(1.5, labels.next().get(MosiPickleSequenceRecordReader.COLUMN_LABEL).toDouble(), 1e-6);
        }
    }

    @Test
    void readsEveryFieldOfAnAlignedPickle() throws Exception {
        Path f = write("aligned_50.pkl", MosiFixtures.file(MosiFixtures.split("", new double[]{1.5, -0.4, 0.0}, null)));
        byte[] head = Arrays.copyOf(Files.readAllBytes(f), 2);
        assertArrayEquals(new byte[]{(byte) 0x80, 4}, head, "fixture must be pickle protocol 4");
        for (MosiModality m : MosiModality.values()) {
            MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, m, BadRecordPolicy.FAIL);
            r.initialize(new FileSplit(f.toFile()));
            assertEquals(MosiFixtures.DIMS[m.ordinal()], r.getFeatureSize());
            for (int i = 0; i < 3; i++) {
                SequenceRecord s = r.nextSequence();
                assertEquals(MosiFixtures.STEPS, s.getSequenceLength());
                for (int t = 0; t < MosiFixtures.STEPS; t++) {
                    INDArray row = ((NDArrayWritable) s.getTimeStep(t).get(0)).get();
                    assertArrayEquals(new long[]{1, MosiFixtures.DIMS[m.ordinal()]}, row.shape());
                    for (int k = 0; k < MosiFixtures.DIMS[m.ordinal()]; k++) {
                        assertEquals(MosiFixtures.value(m.ordinal(), i, t, k), row.getFloat(0, k), 0f);
                    }
                }
            }
            assertFalse(r.hasNext());
        }
        MosiPickleSequenceRecordReader labels = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
        labels.initialize(new FileSplit(f.toFile()));
        assertEquals(Arrays.asList("vid0$_$1", "vid1$_$2", "vid2$_$3"), labels.servedIds());
        List<Writable> rec = labels.next();
        assertEquals(1.5, rec.get(MosiPickleSequenceRecordReader.COLUMN_LABEL).toDouble(), 1e-6);
        assertEquals(-0.4, labels.next().get(1).toDouble(), 1e-6);
        assertNull(labels.getLabels());

        MosiPickleSequenceRecordReader test = reader(MmsaSplit.TEST, MosiModality.AUDIO, BadRecordPolicy.FAIL);
        test.initialize(new FileSplit(f.toFile()));
        assertEquals(Arrays.asList("tvid0$_$1", "tvid1$_$2"), test.servedIds());
    }

    @Test
    void unalignedSequencesAreCutToTheirLengthsAndMaskedInTheIterator() throws Exception {
        Path f = write("unaligned_50.pkl",
                MosiFixtures.file(MosiFixtures.split("", new double[]{2.0, -1.0}, new long[]{3, 1})));
        MosiPickleSequenceRecordReader audio = reader(MmsaSplit.TRAIN, MosiModality.AUDIO, BadRecordPolicy.FAIL);
        audio.initialize(new FileSplit(f.toFile()));
        assertEquals(3, audio.sequenceRecord().size());
        assertEquals(1, audio.sequenceRecord().size());

        // metadata round trip, in reverse order
        audio.reset();
        SequenceRecord first = audio.nextSequence();
        SequenceRecord second = audio.nextSequence();
        assertEquals(second.getSequenceRecord(), audio.loadSequenceFromMetaData(second.getMetaData()).getSequenceRecord());
        assertEquals(first.getSequenceRecord(), audio.loadSequenceFromMetaData(first.getMetaData()).getSequenceRecord());

        MosiPickleSequenceRecordReader text = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
        MosiPickleSequenceRecordReader labels = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
        audio.initialize(new FileSplit(f.toFile()));
        text.initialize(new FileSplit(f.toFile()));
        labels.initialize(new FileSplit(f.toFile()));
        Record r0 = labels.nextRecord();
        assertEquals(r0.getRecord(), labels.loadFromMetaData(r0.getMetaData()).getRecord());
        labels.reset();
        RecordReaderMultiDataSetIterator it = new RecordReaderMultiDataSetIterator.Builder(2)
                .addSequenceReader("text", text).addSequenceReader("audio", audio).addReader("labels", labels)
                .addInput("text").addInput("audio")
                .addOutput("labels", MosiPickleSequenceRecordReader.COLUMN_LABEL, MosiPickleSequenceRecordReader.COLUMN_LABEL)
                .sequenceAlignmentMode(RecordReaderMultiDataSetIterator.AlignmentMode.ALIGN_START).build();
        MultiDataSet mds = it.next();
        assertArrayEquals(new long[]{2, 4, 3}, mds.getFeatures(0).shape()); // [B, D, S]
        assertArrayEquals(new long[]{2, 2, 3}, mds.getFeatures(1).shape());
        INDArray audioMask = mds.getFeaturesMaskArray(1);
        assertArrayEquals(new float[]{1, 1, 1, 1, 0, 0}, audioMask.reshape(6).toFloatVector());
        assertEquals(MosiFixtures.value(1, 1, 0, 1), mds.getFeatures(1).getFloat(1, 1, 0), 0f);
        assertEquals(2.0, mds.getLabels(0).getDouble(0, 0), 1e-6);
        assertEquals(-1.0, mds.getLabels(0).getDouble(1, 0), 1e-6);
        assertFalse(it.hasNext());
        it.reset();
        assertTrue(it.hasNext());
    }

    @Test
    void truncatedPickleNamesFileAndByte() throws Exception {
        Path f = write("aligned_50.pkl", MosiFixtures.file(MosiFixtures.split("", new double[]{1.0, 2.0}, null)));
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
        DataFormatException e = assertThrows(DataFormatException.class, () -> r.initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("aligned_50.pkl"), e.getMessage());
        assertTrue(e.getMessage().contains("byte "), e.getMessage());
        assertTrue(e.getMessage().contains("expected a complete pickle"), e.getMessage());
    }

    @Test
    void labelOutOfRangeFailsOrIsSkippedAndCounted() throws Exception {
        Path f = write("aligned_50.pkl", MosiFixtures.file(MosiFixtures.split("", new double[]{1.0, 3.5, -2.0}, null)));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL).initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("record 1 (id vid1$_$2)"), e.getMessage());
        assertTrue(e.getMessage().contains("expected a sentiment score in [-3, 3], found 3.5"), e.getMessage());

        MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, MosiModality.VISION, BadRecordPolicy.SKIP);
        r.initialize(new FileSplit(f.toFile()));
        assertEquals(2, r.size());
        assertEquals(1, r.getSkipReport().count());
        assertEquals(Arrays.asList("vid0$_$1", "vid2$_$3"), r.servedIds());
        // the skipped record keeps its source index out of the metadata space
        SequenceRecord s = r.nextSequence();
        r.nextSequence();
        assertEquals(MosiFixtures.value(2, 0, 0, 0), ((NDArrayWritable) s.getTimeStep(0).get(0)).get().getFloat(0), 0f);
    }

    @Test
    void nonFiniteFeaturesAreNamed() throws Exception {
        Map<String, Object> train = MosiFixtures.split("", new double[]{1.0, 2.0}, null);
        Pickle4Writer.Nd audio = MosiFixtures.features(1, 2, null);
        ((float[]) audioData(audio))[2 * 3 * 2 - 1] = Float.NEGATIVE_INFINITY; // last value of record 1
        train.put("audio", audio);
        Path f = write("aligned_50.pkl", MosiFixtures.file(train));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL).initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("record 1 (id vid1$_$2), 'audio'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected finite feature values, found -Infinity"), e.getMessage());
        // every reader of the file skips the same record, whatever its modality
        MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.SKIP);
        r.initialize(new FileSplit(f.toFile()));
        assertEquals(List.of("vid0$_$1"), r.servedIds());
        assertEquals(1, r.getSkipReport().count());
    }

    private static Object audioData(Pickle4Writer.Nd nd) throws Exception {
        java.lang.reflect.Field fd = Pickle4Writer.Nd.class.getDeclaredField("data");
        fd.setAccessible(true);
        return fd.get(nd);
    }

    @Test
    void mismatchedRowCountsAcrossModalities() throws Exception {
        Map<String, Object> train = MosiFixtures.split("", new double[]{1.0, 2.0}, null);
        train.put("vision", MosiFixtures.features(2, 3, null));
        Path f = write("aligned_50.pkl", MosiFixtures.file(train));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.SKIP).initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("'vision'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 2 rows, one per entry of 'id'"), e.getMessage());
    }

    @Test
    void emptySplitAndMissingKey() throws Exception {
        Path f = write("aligned_50.pkl", MosiFixtures.file(MosiFixtures.split("", new double[0], null)));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL).initialize(new FileSplit(f.toFile())));
        assertTrue(e.getMessage().contains("split 'train': expected at least one record, found an empty split"),
                e.getMessage());

        Map<String, Object> train = MosiFixtures.split("", new double[]{1.0}, null);
        train.remove("regression_labels");
        Path g = write("unaligned_50.pkl", MosiFixtures.file(train));
        e = assertThrows(DataFormatException.class,
                () -> reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL).initialize(new FileSplit(g.toFile())));
        assertTrue(e.getMessage().contains("expected a numpy array under key 'regression_labels'"), e.getMessage());
    }

    /**
     * A pickle written by CPython 3.11 with numpy 2.4 ({@code pickle.dumps(d, protocol=4)}, numpy._core module
     * path), kept as bytes so that the reader is checked against a real numpy writer, not only our own.
     */
    private static final String NUMPY2_PICKLE_HEX = ""
            + "800495ca010000000000007d948c05747261696e947d94288c026964948c166e756d70792e5f636f72652e6d756c74696172"
            + "726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487"
            + "945294284b014b02859468078c0564747970659493948c02553594898887945294284b038c013c944e4e4e4b144b044b0874"
            + "946289432861000000240000005f000000240000003100000062000000240000005f0000002400000032000000947494628c"
            + "1172656772657373696f6e5f6c6162656c7394680668094b008594680b87945294284b014b02859468108c02663494898887"
            + "945294284b0368144e4e4e4affffffff4affffffff4b007494628943080000003f0000a0bf947494628c0474657874946806"
            + "68094b008594680b87945294284b014b024b024b038794681f894330000000000000803f0000004000004040000080400000"
            + "a0400000c0400000e04000000041000010410000204100003041947494628c087261775f7465787494680668094b00859468"
            + "0b87945294284b014b02859468108c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462"
            + "895d94288c0178948c0179946574946275732e";

    @Test
    void readsAPickleWrittenByNumpyItself() throws Exception {
        byte[] b = new byte[NUMPY2_PICKLE_HEX.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(NUMPY2_PICKLE_HEX.substring(2 * i, 2 * i + 2), 16);
        }
        Path f = dir.resolve("numpy2.pkl");
        Files.write(f, b);
        MosiPickleSequenceRecordReader r = reader(MmsaSplit.TRAIN, MosiModality.TEXT, BadRecordPolicy.FAIL);
        r.initialize(new FileSplit(f.toFile()));
        assertEquals(Arrays.asList("a$_$1", "b$_$2"), r.servedIds());
        assertEquals(0.5, r.next().get(1).toDouble(), 0);
        assertEquals(-1.25, r.next().get(1).toDouble(), 0);
        r.reset();
        List<List<Writable>> s = r.sequenceRecord();
        s = r.sequenceRecord(); // record 1: np.arange(12).reshape(2, 2, 3)[1]
        assertArrayEquals(new float[]{6, 7, 8}, ((NDArrayWritable) s.get(0).get(0)).get().toFloatVector());
        assertArrayEquals(new float[]{9, 10, 11}, ((NDArrayWritable) s.get(1).get(0)).get().toFloatVector());
    }
}

package org.dl4jpgm.datavec.mosi;

import org.datavec.api.records.SequenceRecord;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderMultiDataSetIterator;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.testutil.CsdWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

class MosiCsdSequenceRecordReaderTest {

    static final String LABELS = "CMU_MOSI_Opinion_Labels.csd";
    static final String COVAREP = "CMU_MOSI_COVAREP.csd";
    static final String WORDS = "CMU_MOSI_TimestampedWords.csd";

    /**
     * CMU_MOSI_Opinion_Labels-like file written by h5py 3.7 exactly as the SDK's write_CSD does (vlen str metadata),
     * gzipped and base64-encoded: vidA features [[1.5], [-2.0]], intervals [[0, 1], [1, 2.5]]; metadata
     * "root name" = "\"CMU_MOSI_Opinion_Labels\"", "dimension names" = "[\"sentiment\"]".
     */
    static final String H5PY_LABELS_GZ_B64 = "H4sICKW6C2sCA2cuY3NkAO1ZMU/bQBT2OVg4RBbJBqi0bqaOVGJgCwjSphI0qLQSEqqCq7iqJeJEsYv4CenmsWPG/oSOjIz9CR0ZGbulOe4d8R2YJnQIpd+3PL/z0110973P712+1LZeOHNLcwaHbRszRtFIY0BInqu+fH9IlpHtkf1mynF2+W6Bxks0vx739k21yqMHGuQ6Py1hbQP4H1Grbuxyu0++S/bMVOM2d941dup7rxr1ThAG7bCx7X3wj6Irfq5NuG4Wf2s54X+yxuPveV7YIo4S/E3xt2epcU0v9rht+bEnn9P6Oil/917XtziDpW66OXU+ncfAZDqwOyv8Tn48Hbhw8B2DDox0QH4Pkrwadxw0N5Q8/ct1hQ6YV7x7NqvqgM5j+bv6S2rcGfnnj6ADaR3YLwj/xBlPB2q0wQtICegAz0eyXx017qPvxZ+7fiT9IIz97rF3FGl1wcod64GVgjqPzmMgSwcssWdM+uIEmSkGTO18dD83zHz+XHIrdBbrxmrBWB1QPWYNR/l70xQT2qQUOZaUbu4kTqa6H/r3ZW3+9nipe8kiuHQdvyr0cKqOX1RUO7POty95OuKWk/JNbCQAAAAAPKi6Msveva7sU13p3qu6Mqvf1u8h/tRvdx4Li3s39NvpftteVuO67Xbshl7LJ78ZtPwwCtrh5WA0cb99PZ8FkxljSj+o94WLw/dF6vJYirmj/DW0/D3N6At79+ocZJ8o8/n7k9vjZb4eLoPD0+HVj3+CVw8FLzfr2yy13fL85DVJOeMP7rJWB8jru4Ny5IcxF7G4/D61Tn8eew0AAAAAAAAAAAAA08JvbhCfkZAxAAA=";

    @TempDir
    Path dir;

    private void fixture(double labelB, double covarepValue, boolean dropVideoB) {
        Map<String, CsdWriter.Video> lab = new LinkedHashMap<>();
        lab.put("vidA", new CsdWriter.Video(new double[][]{{1.5}, {-2.0}}, new double[][]{{0, 1}, {1, 2.5}}));
        lab.put("vidB", new CsdWriter.Video(new double[][]{{labelB}}, new double[][]{{0.5, 0.9}}));
        CsdWriter.write(dir.resolve(LABELS), "CMU_MOSI_Opinion_Labels", lab,
                Map.of("root name", "\"CMU_MOSI_Opinion_Labels\"", "dimension names", "[\"sentiment\"]"), false);
        Map<String, CsdWriter.Video> cov = new LinkedHashMap<>();
        // vidA: rows every 0.5 s; the row [0.8, 1.2] overlaps both segments
        cov.put("vidA", new CsdWriter.Video(new double[][]{{0, 0.1}, {1, 1.1}, {2, 2.1}, {3, 3.1}, {4, 4.1}},
                new double[][]{{0, 0.4}, {0.4, 0.8}, {0.8, 1.2}, {1.2, 2.4}, {2.6, 3.0}}));
        if (!dropVideoB) {
            cov.put("vidB", new CsdWriter.Video(new double[][]{{10, covarepValue}, {11, 11.1}},
                    new double[][]{{0.0, 0.6}, {0.6, 0.7}}));
        }
        CsdWriter.write(dir.resolve(COVAREP), "CMU_MOSI_COVAREP", cov, Map.of("root name", "\"CMU_MOSI_COVAREP\""),
                false);
        Map<String, CsdWriter.Video> words = new LinkedHashMap<>();
        words.put("vidA", new CsdWriter.Video(new String[][]{{"i"}, {"sp"}, {"like"}, {"it"}},
                new double[][]{{0, 0.3}, {0.3, 0.9}, {1.1, 1.5}, {2.0, 2.0}}));
        words.put("vidB", new CsdWriter.Video(new String[][]{{"no"}}, new double[][]{{0.5, 0.9}}));
        CsdWriter.write(dir.resolve(WORDS), "CMU_MOSI_TimestampedWords", words, Map.of(), false);
    }

    private static MosiCsdSequenceRecordReader reader(String features, BadRecordPolicy p) {
        return new MosiCsdSequenceRecordReader.Builder().featureFile(features).badRecordPolicy(p).build();
    }

    private static float[] step(SequenceRecord s, int t) {
        return ((NDArrayWritable) s.getTimeStep(t).get(0)).get().toFloatVector();
    }

    @Test
    void nonAsciiWordsOfAnH5pyByteStringDatasetAreDecodedAsUtf8() throws Exception {
        Map<String, CsdWriter.Video> words = new LinkedHashMap<>();
        words.put("vidA", new CsdWriter.Video(new String[][]{{"caf\u00e9"}, {"na\u00efve"}, {"\u2013"}, {"sp"}},
                new double[][]{{0, 0.3}, {0.3, 0.9}, {1.1, 1.5}, {2.0, 2.0}}));
        Path f = dir.resolve(WORDS);
        CsdWriter.writeAsH5py(f, "CMU_MOSI_TimestampedWords", words, Map.of("root name", "\"words\""));
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(f)) {
            io.jhdf.object.datatype.StringData t = (io.jhdf.object.datatype.StringData)
                    ((io.jhdf.api.Dataset) h.getByPath("/CMU_MOSI_TimestampedWords/data/vidA/features")).getDataType();
            assertEquals(java.nio.charset.StandardCharsets.US_ASCII, t.getCharset(), "h5py's S<n>: ASCII");
            assertEquals(io.jhdf.object.datatype.StringData.PaddingType.NULL_PADDED, t.getPaddingType());
        }
        ComputationalSequence cs = ComputationalSequence.read(f);
        assertArrayEquals(new String[]{"caf\u00e9", "na\u00efve", "\u2013", "sp"}, cs.data().get("vidA").words());

        // a Latin-1 byte where UTF-8 is expected: "caf\u00e9" stored as 63 61 66 e9
        byte[] b = Files.readAllBytes(f);
        byte[] utf8 = "caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = -1;
        for (int i = 0; i + utf8.length <= b.length && at < 0; i++) {
            if (Arrays.equals(Arrays.copyOfRange(b, i, i + utf8.length), utf8)) {
                at = i;
            }
        }
        b[at + 3] = (byte) 0xE9;
        b[at + 4] = 0;
        Files.write(f, b);
        DataFormatException e = assertThrows(DataFormatException.class, () -> ComputationalSequence.read(f));
        assertEquals(f + ", /CMU_MOSI_TimestampedWords/data/vidA/features, element 0, byte 3: expected UTF-8 encoded "
                + "text, found the byte 0xE9, which is not valid UTF-8 there (element bytes 63 61 66 e9)", e.getMessage());
    }

    @Test
    void readsSegmentsLabelsFeaturesAndWords() throws Exception {
        fixture(0.0, 10.1, false);
        ComputationalSequence cs = ComputationalSequence.read(dir.resolve(LABELS));
        assertEquals("CMU_MOSI_Opinion_Labels", cs.rootName());
        assertEquals("[\"sentiment\"]", cs.metadata().get("dimension names"));
        assertEquals(List.of("vidA", "vidB"), List.copyOf(cs.data().keySet()));

        MosiCsdSequenceRecordReader r = reader(COVAREP, BadRecordPolicy.FAIL);
        r.initialize(new FileSplit(dir.toFile()));
        assertEquals(2, r.getFeatureSize());
        assertNull(r.getLabels());
        List<Writable> rec = r.next();
        assertEquals("vidA[0]", rec.get(0).toString());
        assertEquals(1.5, rec.get(1).toDouble(), 0);
        assertEquals("vidA[1]", r.next().get(0).toString());
        List<Writable> b = r.next();
        assertEquals("vidB[0]", b.get(0).toString());
        assertEquals(0.0, b.get(1).toDouble(), 0);
        assertFalse(r.hasNext());

        r.reset();
        SequenceRecord a0 = r.nextSequence(); // [0, 1]: rows 0, 1, 2
        assertEquals(3, a0.getSequenceLength());
        assertArrayEquals(new float[]{0, 0.1f}, step(a0, 0), 0f);
        assertArrayEquals(new float[]{2, 2.1f}, step(a0, 2), 0f);
        SequenceRecord a1 = r.nextSequence(); // [1, 2.5]: rows 2, 3 (row 4 starts at 2.6)
        assertEquals(2, a1.getSequenceLength());
        assertArrayEquals(new float[]{3, 3.1f}, step(a1, 1), 0f);
        SequenceRecord b0 = r.nextSequence(); // [0.5, 0.9]: rows 0, 1
        assertEquals(2, b0.getSequenceLength());
        assertArrayEquals(new float[]{11, 11.1f}, step(b0, 1), 0f);
        assertEquals(a1.getSequenceRecord(), r.loadSequenceFromMetaData(a1.getMetaData()).getSequenceRecord());

        MosiCsdSequenceRecordReader w = reader(WORDS, BadRecordPolicy.FAIL);
        w.initialize(new FileSplit(dir.toFile()));
        assertEquals(Arrays.asList("i", "sp"), words(w.sequenceRecord()));
        assertEquals(Arrays.asList("like", "it"), words(w.sequenceRecord())); // [2.0, 2.0] lies in [1, 2.5]
        assertEquals(List.of("no"), words(w.sequenceRecord()));

        MosiCsdSequenceRecordReader fold = new MosiCsdSequenceRecordReader.Builder().featureFile(COVAREP)
                .videos(Set.of("vidB")).build();
        fold.initialize(new FileSplit(dir.toFile()));
        assertEquals(1, fold.size());
    }

    private static List<String> words(List<List<Writable>> seq) {
        return seq.stream().map(s -> s.get(0).toString()).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void feedsTheIteratorWithMasks() throws Exception {
        fixture(0.5, 10.1, false);
        MosiCsdSequenceRecordReader audio = reader(COVAREP, BadRecordPolicy.FAIL);
        MosiCsdSequenceRecordReader labels = reader(COVAREP, BadRecordPolicy.FAIL);
        audio.initialize(new FileSplit(dir.toFile()));
        labels.initialize(new FileSplit(dir.toFile()));
        RecordReaderMultiDataSetIterator it = new RecordReaderMultiDataSetIterator.Builder(3)
                .addSequenceReader("audio", audio).addReader("y", labels).addInput("audio")
                .addOutput("y", MosiCsdSequenceRecordReader.COLUMN_LABEL, MosiCsdSequenceRecordReader.COLUMN_LABEL)
                .sequenceAlignmentMode(RecordReaderMultiDataSetIterator.AlignmentMode.ALIGN_START).build();
        MultiDataSet m = it.next();
        assertArrayEquals(new long[]{3, 2, 3}, m.getFeatures(0).shape());
        assertArrayEquals(new float[]{1, 1, 1, 1, 1, 0, 1, 1, 0}, m.getFeaturesMaskArray(0).reshape(9).toFloatVector());
        assertEquals(-2.0, m.getLabels(0).getDouble(1, 0), 1e-6);
        assertEquals(0.5, m.getLabels(0).getDouble(2, 0), 1e-6);
    }

    @Test
    void readsAFileWrittenByH5py() throws Exception {
        byte[] gz = Base64.getDecoder().decode(H5PY_LABELS_GZ_B64);
        Path f = dir.resolve(LABELS);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            Files.write(f, in.readAllBytes());
        }
        ComputationalSequence cs = ComputationalSequence.read(f);
        assertEquals("CMU_MOSI_Opinion_Labels", cs.rootName());
        assertEquals("\"CMU_MOSI_Opinion_Labels\"", cs.metadata().get("root name"));
        assertEquals("[\"sentiment\"]", cs.metadata().get("dimension names"));
        ComputationalSequence.Entry e = cs.data().get("vidA");
        assertEquals(-2.0, e.features()[1][0], 0);
        assertArrayEquals(new double[]{1.0, 2.5}, e.intervals()[1], 0);
    }

    @Test
    void errorsNameFilePathAndSegment() throws Exception {
        fixture(0.0, 10.1, false);
        Path cov = dir.resolve(COVAREP);
        byte[] b = Files.readAllBytes(cov);
        Files.write(cov, Arrays.copyOf(b, b.length / 2));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(COVAREP, BadRecordPolicy.FAIL).initialize(new FileSplit(dir.toFile())));
        assertTrue(e.getMessage().contains(COVAREP + ", file of " + b.length / 2 + " bytes: expected a complete HDF5 computational sequence"),
                e.getMessage());

        fixture(0.0, 10.1, true);
        e = assertThrows(DataFormatException.class,
                () -> reader(COVAREP, BadRecordPolicy.FAIL).initialize(new FileSplit(dir.toFile())));
        assertTrue(e.getMessage().contains(COVAREP + ", segment vidB[0]: expected video vidB (it is in " + LABELS
                + "), found no such video: ids don't match across modalities"), e.getMessage());
        MosiCsdSequenceRecordReader skip = reader(COVAREP, BadRecordPolicy.SKIP);
        skip.initialize(new FileSplit(dir.toFile()));
        assertEquals(2, skip.size());
        assertEquals(1, skip.getSkipReport().count());

        fixture(0.0, Double.NaN, false);
        e = assertThrows(DataFormatException.class,
                () -> reader(COVAREP, BadRecordPolicy.FAIL).initialize(new FileSplit(dir.toFile())));
        assertTrue(e.getMessage().contains("segment vidB[0], video vidB row 0: expected finite feature values, found NaN"),
                e.getMessage());

        fixture(-3.5, 10.1, false);
        e = assertThrows(DataFormatException.class,
                () -> reader(COVAREP, BadRecordPolicy.FAIL).initialize(new FileSplit(dir.toFile())));
        assertTrue(e.getMessage().contains(LABELS + ", segment vidB[0]: expected a sentiment score in [-3, 3], found -3.5"),
                e.getMessage());

        fixture(0.0, 10.1, false);
        MosiCsdSequenceRecordReader none = new MosiCsdSequenceRecordReader.Builder().featureFile(COVAREP)
                .videos(Set.of("vidZ")).build();
        e = assertThrows(DataFormatException.class, () -> none.initialize(new FileSplit(dir.toFile())));
        assertTrue(e.getMessage().contains("the 1 videos asked for: expected at least one record, found an empty split"),
                e.getMessage());

        CsdWriter.write(dir.resolve(COVAREP), "CMU_MOSI_COVAREP", Map.of("vidA", new CsdWriter.Video(
                new double[][]{{1, 2}}, new double[][]{{0, 1}})), Map.of(), true);
        e = assertThrows(DataFormatException.class,
                () -> reader(COVAREP, BadRecordPolicy.FAIL).initialize(new FileSplit(dir.toFile())));
        assertTrue(e.getMessage().contains("/CMU_MOSI_COVAREP/data/vidA: expected a dataset 'intervals', found children "
                + "[features]"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new MosiCsdSequenceRecordReader.Builder().build());
    }
}

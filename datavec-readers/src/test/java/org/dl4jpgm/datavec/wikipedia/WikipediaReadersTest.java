package org.dl4jpgm.datavec.wikipedia;

import org.datavec.api.records.Record;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderMultiDataSetIterator;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.testutil.Images;
import org.dl4jpgm.datavec.testutil.MatFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WikipediaReadersTest {

    @TempDir
    Path root;

    private static final String[][] PAIRS = {
            {"d3e4b6a5c8f1e7e2f6a9c1d8e5b3a7f2-2.11", "e1f5c2d8a7b4c3e9f6a2d1b8c7e4f5a3", "1"},
            {"a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4-2.3", "f0e1d2c3b4a5968778695a4b3c2d1e0f", "9"},
            {"0123456789abcdef0123456789abcdef-1.7", "fedcba9876543210fedcba9876543210", "10"}};

    private void fixture(String extraLine) throws Exception {
        StringBuilder list = new StringBuilder();
        for (String[] p : PAIRS) {
            list.append(p[0]).append('\t').append(p[1]).append('\t').append(p[2]).append('\n');
            String cat = WikipediaCategories.DEFAULT.get(Integer.parseInt(p[2]) - 1);
            Images.jpeg(root.resolve("images").resolve(cat).resolve(p[1] + ".jpg"), 0x884422);
            Files.createDirectories(root.resolve("texts"));
            Files.write(root.resolve("texts").resolve(p[0] + ".xml"), ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<document>\n<title>Title of " + p[1] + "</title>\n<text>\nArticle " + p[2]
                    + " &amp; more: Fran\u00e7ois &lt;b&gt; &#233; R&D\n</text>\n</document>\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        list.append(extraLine);
        Files.write(root.resolve("trainset_txt_img_cat.list"), list.toString().getBytes(StandardCharsets.UTF_8));
        Files.write(root.resolve("testset_txt_img_cat.list"), (PAIRS[0][0] + "\t" + PAIRS[0][1] + "\t1\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsListTextsAndImages() throws Exception {
        fixture("");
        WikipediaRecordReader r = new WikipediaRecordReader.Builder().build();
        r.initialize(new FileSplit(root.toFile()));
        assertEquals(WikipediaCategories.DEFAULT, r.getLabels());
        List<Writable> a = r.next();
        assertEquals(PAIRS[0][0], a.get(0).toString());
        assertEquals(PAIRS[0][1], a.get(1).toString());
        assertEquals("Article 1 & more: Fran\u00e7ois <b> \u00e9 R&D", a.get(2).toString());
        assertEquals(root.resolve("images/art/" + PAIRS[0][1] + ".jpg").toAbsolutePath().toString(), a.get(3).toString());
        assertEquals(0, a.get(4).toInt());
        assertEquals(8, r.next().get(4).toInt());
        Record c = r.nextRecord();
        assertEquals(9, c.getRecord().get(4).toInt());
        assertTrue(c.getRecord().get(3).toString().endsWith("images/warfare/" + PAIRS[2][1] + ".jpg"));
        assertFalse(r.hasNext());
        assertEquals(c.getRecord(), r.loadFromMetaData(c.getMetaData()).getRecord());
        r.reset();
        MultiDataSet m = new RecordReaderMultiDataSetIterator.Builder(3).addReader("w", r)
                .addOutputOneHot("w", WikipediaRecordReader.COLUMN_LABEL, 10).build().next();
        assertEquals(1f, m.getLabels(0).getFloat(1, 8), 0f);
        assertEquals(1f, m.getLabels(0).getFloat(2, 9), 0f);
        WikipediaRecordReader t = new WikipediaRecordReader.Builder().split(WikipediaSplit.TEST).build();
        t.initialize(new FileSplit(root.toFile()));
        assertEquals(1, t.size());
    }

    @Test
    void listErrors() throws Exception {
        fixture("abc\tdef\t11\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> new WikipediaRecordReader.Builder().build().initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("trainset_txt_img_cat.list, line 4: expected a category in [1, 10], found 11"),
                e.getMessage());
        fixture("abc\tdef\n");
        e = assertThrows(DataFormatException.class,
                () -> new WikipediaRecordReader.Builder().build().initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("line 4: expected 3 tab-separated fields (txt_id, img_id, category), found "
                + "2 fields"), e.getMessage());
        fixture("");
        Files.delete(root.resolve("images/sport/" + PAIRS[1][1] + ".jpg"));
        e = assertThrows(DataFormatException.class,
                () -> new WikipediaRecordReader.Builder().build().initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("line 2: expected the image "), e.getMessage());
        WikipediaRecordReader skip = new WikipediaRecordReader.Builder().badRecordPolicy(BadRecordPolicy.SKIP).build();
        skip.initialize(new FileSplit(root.toFile()));
        assertEquals(2, skip.size());
        assertEquals(1, skip.getSkipReport().count());
        fixture("");
        Files.delete(root.resolve("texts/" + PAIRS[2][0] + ".xml"));
        e = assertThrows(DataFormatException.class,
                () -> new WikipediaRecordReader.Builder().build().initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("line 3: expected the article "), e.getMessage());
        Files.write(root.resolve("testset_txt_img_cat.list"), "\n".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(DataFormatException.class, () -> new WikipediaRecordReader.Builder()
                .split(WikipediaSplit.TEST).build().initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("testset_txt_img_cat.list, split TEST: expected at least one record"),
                e.getMessage());
    }

    /** Writes a v5 .mat with I_tr [3, 4], T_tr [3, 2] and optionally L_tr [3, 1], as MATLAB's save does. */
    private Path mat(boolean withLabels, int textRows, double badValue) throws Exception {
        Matrix img = Mat5.newMatrix(3, 4);
        Matrix txt = Mat5.newMatrix(textRows, 2);
        Matrix lab = Mat5.newMatrix(3, 1);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                img.setDouble(r, c, r * 10 + c);
            }
            lab.setDouble(r, 0, new int[]{1, 9, 10}[r]);
        }
        for (int r = 0; r < textRows; r++) {
            for (int c = 0; c < 2; c++) {
                txt.setDouble(r, c, -(r * 10 + c) - 0.5);
            }
        }
        img.setDouble(2, 3, badValue == 0 ? 23 : badValue);
        MatFile f = Mat5.newMatFile().addArray("I_tr", img).addArray("T_tr", txt);
        if (withLabels) {
            f.addArray("L_tr", lab);
        }
        Path p = root.resolve("raw_features.mat");
        Mat5.writeToFile(f, p.toFile());
        return p;
    }

    @Test
    void readsTheMatFeatureVersion() throws Exception {
        Path p = mat(true, 3, 0);
        byte[] head = Arrays.copyOf(Files.readAllBytes(p), 128);
        assertTrue(new String(head, StandardCharsets.US_ASCII).startsWith("MATLAB 5.0 MAT-file"));
        // bytes 124-125: version 0x0100 in the file's byte order; 126-127: "IM" (little endian) or "MI"
        String endian = new String(head, 126, 2, StandardCharsets.US_ASCII);
        assertTrue(endian.equals("IM") || endian.equals("MI"), endian);
        int version = endian.equals("IM") ? (head[124] & 0xFF) | ((head[125] & 0xFF) << 8)
                : ((head[124] & 0xFF) << 8) | (head[125] & 0xFF);
        assertEquals(0x0100, version, "MAT v5 version field");
        WikipediaMatRecordReader r = new WikipediaMatRecordReader.Builder().build();
        r.initialize(new FileSplit(p.toFile()));
        for (int i = 0; i < 3; i++) {
            List<Writable> rec = r.next();
            float[] img = ((NDArrayWritable) rec.get(0)).get().toFloatVector();
            float[] txt = ((NDArrayWritable) rec.get(1)).get().toFloatVector();
            for (int c = 0; c < 4; c++) {
                assertEquals(i * 10 + c, img[c], 0f);
            }
            for (int c = 0; c < 2; c++) {
                assertEquals(-(i * 10 + c) - 0.5f, txt[c], 0f);
            }
            assertEquals(new int[]{0, 8, 9}[i], rec.get(2).toInt());
        }
        r.reset();
        RecordReaderMultiDataSetIterator it = new RecordReaderMultiDataSetIterator.Builder(3).addReader("w", r)
                .addInput("w", 0, 0).addInput("w", 1, 1).addOutputOneHot("w", 2, 10).build();
        MultiDataSet m = it.next();
        assertArrayEquals(new long[]{3, 4}, m.getFeatures(0).shape());
        assertArrayEquals(new long[]{3, 2}, m.getFeatures(1).shape());
        assertEquals(1f, m.getLabels(0).getFloat(1, 8), 0f);
    }

    @Test
    void matLabelsFromTheListFileWhenAbsent() throws Exception {
        fixture("");
        Path p = mat(false, 3, 0);
        WikipediaMatRecordReader r = new WikipediaMatRecordReader.Builder().build();
        r.initialize(new FileSplit(p.toFile()));
        assertEquals(0, r.next().get(2).toInt());
        assertEquals(8, r.next().get(2).toInt());
        assertEquals(9, r.next().get(2).toInt());
    }

    @Test
    void aBadCategoryFromTheListFileNamesTheListFileAndLine() throws Exception {
        Path p = mat(false, 3, 0);
        // a blank line first: the line number is the file's, not the row's
        Files.write(root.resolve("trainset_txt_img_cat.list"), ("\n" + PAIRS[0][0] + "\t" + PAIRS[0][1] + "\t1\n"
                + PAIRS[1][0] + "\t" + PAIRS[1][1] + "\t11\n" + PAIRS[2][0] + "\t" + PAIRS[2][1] + "\t10\n")
                .getBytes(StandardCharsets.UTF_8));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> new WikipediaMatRecordReader.Builder().build().initialize(new FileSplit(p.toFile())));
        assertEquals(root.resolve("trainset_txt_img_cat.list").toString() + ", line 3 (row 2 of I_tr): expected a "
                + "category in [1, 10], found 11", e.getMessage());
        assertEquals(root.resolve("trainset_txt_img_cat.list").toString(), e.getFile());
        WikipediaMatRecordReader skip = new WikipediaMatRecordReader.Builder().badRecordPolicy(BadRecordPolicy.SKIP)
                .build();
        skip.initialize(new FileSplit(p.toFile()));
        assertEquals(2, skip.size());
        assertTrue(skip.getSkipReport().reasons().get(0).contains("trainset_txt_img_cat.list, line 3"));

        Matrix lab = MatFixtures.matrix(new double[][]{{1}, {11}, {2}});
        Path withVar = root.resolve("labelled.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("I_tr", MatFixtures.matrix(new double[][]{{1}, {2}, {3}}))
                .addArray("T_tr", MatFixtures.matrix(new double[][]{{1}, {2}, {3}})).addArray("L_tr", lab),
                withVar.toFile());
        e = assertThrows(DataFormatException.class,
                () -> new WikipediaMatRecordReader.Builder().build().initialize(new FileSplit(withVar.toFile())));
        assertEquals(withVar + ", row 2 of L_tr: expected a category in [1, 10], found 11", e.getMessage());
    }

    @Test
    void matFeaturesAreFloat32ByDefaultAndFloat64OnRequest() throws Exception {
        Path p = root.resolve("precise.mat");
        double tenth = 0.1;
        double big = 1e300; // a finite double that is infinite as float32
        Mat5.writeToFile(Mat5.newMatFile()
                .addArray("I_tr", MatFixtures.matrix(new double[][]{{tenth, 1.0 / 3}, {2, 3}}))
                .addArray("T_tr", MatFixtures.matrix(new double[][]{{big}, {1}}))
                .addArray("L_tr", MatFixtures.matrix(new double[][]{{1}, {2}})), p.toFile());
        WikipediaMatRecordReader f64 = new WikipediaMatRecordReader.Builder().float64(true).build();
        f64.initialize(new FileSplit(p.toFile()));
        assertTrue(f64.isFloat64());
        List<Writable> a = f64.next();
        org.nd4j.linalg.api.ndarray.INDArray img = ((NDArrayWritable) a.get(0)).get();
        assertEquals(org.nd4j.linalg.api.buffer.DataType.DOUBLE, img.dataType());
        assertEquals(tenth, img.getDouble(0, 0), 0);
        assertEquals(1.0 / 3, img.getDouble(0, 1), 0);
        assertEquals(big, ((NDArrayWritable) a.get(1)).get().getDouble(0, 0), 0);

        WikipediaMatRecordReader f32 = new WikipediaMatRecordReader.Builder().badRecordPolicy(BadRecordPolicy.SKIP)
                .build();
        f32.initialize(new FileSplit(p.toFile()));
        assertEquals(1, f32.size(), "1e300 is Infinity as float32: that row is skipped");
        assertTrue(f32.getSkipReport().reasons().get(0).contains("row 1 of T_tr: expected finite feature values, "
                + "found Infinity"), f32.getSkipReport().reasons().get(0));
        org.nd4j.linalg.api.ndarray.INDArray img32 = ((NDArrayWritable) f32.next().get(0)).get();
        assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, img32.dataType());
        assertEquals(2f, img32.getFloat(0, 0), 0f);
        WikipediaMatRecordReader narrow = new WikipediaMatRecordReader.Builder().build();
        Mat5.writeToFile(Mat5.newMatFile()
                .addArray("I_tr", MatFixtures.matrix(new double[][]{{tenth}}))
                .addArray("T_tr", MatFixtures.matrix(new double[][]{{1}}))
                .addArray("L_tr", MatFixtures.matrix(new double[][]{{1}})), p.toFile());
        narrow.initialize(new FileSplit(p.toFile()));
        assertEquals((double) (float) tenth, ((NDArrayWritable) narrow.next().get(0)).get().getDouble(0, 0), 0);
    }

    @Test
    void matErrors() throws Exception {
        Path p = mat(true, 3, 0);
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 20));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> new WikipediaMatRecordReader.Builder().build().initialize(new FileSplit(p.toFile())));
        assertTrue(e.getMessage().contains("raw_features.mat, byte ") && e.getMessage().contains(" of "
                + (b.length - 20) + ": expected a MATLAB v5 element of at most the "), e.getMessage());

        Path q = mat(true, 2, 0);
        e = assertThrows(DataFormatException.class,
                () -> new WikipediaMatRecordReader.Builder().build().initialize(new FileSplit(q.toFile())));
        assertTrue(e.getMessage().contains("variable T_tr: expected 3 rows, one per row of I_tr"), e.getMessage());

        Path nan = mat(true, 3, Double.POSITIVE_INFINITY);
        e = assertThrows(DataFormatException.class,
                () -> new WikipediaMatRecordReader.Builder().build().initialize(new FileSplit(nan.toFile())));
        assertTrue(e.getMessage().contains("row 3 of I_tr: expected finite feature values, found Infinity"),
                e.getMessage());

        e = assertThrows(DataFormatException.class, () -> new WikipediaMatRecordReader.Builder()
                .split(WikipediaSplit.TEST).build().initialize(new FileSplit(nan.toFile())));
        assertTrue(e.getMessage().contains("variable I_te: expected a 2-D numeric matrix [N, D], found no such "
                + "variable (variables: [I_tr, T_tr, L_tr])"), e.getMessage());

        Path bad = mat(true, 3, 0);
        WikipediaMatRecordReader r = new WikipediaMatRecordReader.Builder().labelVariable("I_tr").build();
        e = assertThrows(DataFormatException.class, () -> r.initialize(new FileSplit(bad.toFile())));
        assertTrue(e.getMessage().contains("variable I_tr: expected a vector of 3 categories"), e.getMessage());
    }

    /**
     * A .mat written by scipy 1.x {@code savemat(..., do_compression=False)}: I_tr = arange(6).reshape(2, 3) (double),
     * T_tr = [[0.5], [-1.5]] (single), L_tr = [[1], [10]] (uint8). Kept as bytes so that the reader is checked
     * against a real third-party v5 writer, not only mfl-core's.
     */
    private static final String SCIPY_MAT_HEX = ""
            + "4d41544c414220352e30204d41542d66696c6520506c6174666f726d3a20706f7369782c2043726561746564206f6e3a2053"
            + "756e204e6f762032392030353a33383a35352032303236000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000001494d0e000000600000000600000008000000060000000000"
            + "00000500000008000000020000000300000001000400495f7472090000003000000000000000000000000000000000000840"
            + "000000000000f03f0000000000001040000000000000004000000000000014400e0000003800000006000000080000000700"
            + "0000000000000500000008000000020000000100000001000400545f747207000000080000000000003f0000c0bf0e000000"
            + "300000000600000008000000090000000000000005000000080000000200000001000000010004004c5f747202000200010a"
            + "0000";

    @Test
    void readsAMatFileWrittenByScipy() throws Exception {
        byte[] b = new byte[SCIPY_MAT_HEX.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(SCIPY_MAT_HEX.substring(2 * i, 2 * i + 2), 16);
        }
        Path p = root.resolve("scipy.mat");
        Files.write(p, b);
        WikipediaMatRecordReader r = new WikipediaMatRecordReader.Builder().build();
        r.initialize(new FileSplit(p.toFile()));
        List<Writable> a = r.next();
        assertArrayEquals(new float[]{0, 1, 2}, ((NDArrayWritable) a.get(0)).get().toFloatVector());
        assertArrayEquals(new float[]{0.5f}, ((NDArrayWritable) a.get(1)).get().toFloatVector());
        assertEquals(0, a.get(2).toInt());
        List<Writable> c = r.next();
        assertArrayEquals(new float[]{3, 4, 5}, ((NDArrayWritable) c.get(0)).get().toFloatVector());
        assertArrayEquals(new float[]{-1.5f}, ((NDArrayWritable) c.get(1)).get().toFloatVector());
        assertEquals(9, c.get(2).toInt());
    }
}

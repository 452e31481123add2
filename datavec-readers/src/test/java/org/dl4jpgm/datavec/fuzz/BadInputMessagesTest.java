package org.dl4jpgm.datavec.fuzz;

import org.datavec.api.split.FileSplit;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.food101.Food101RecordReader;
import org.dl4jpgm.datavec.food101.Food101Split;
import org.dl4jpgm.datavec.layout.LayoutFixtures;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.meld.MeldCsvRecordReader;
import org.dl4jpgm.datavec.meld.UtteranceFeatures;
import org.dl4jpgm.datavec.mosi.ComputationalSequence;
import org.dl4jpgm.datavec.mosi.MosiPickleSequenceRecordReader;
import org.dl4jpgm.datavec.testutil.CsdWriter;
import org.dl4jpgm.datavec.testutil.MeldFixtures;
import org.dl4jpgm.datavec.testutil.MosiFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.datavec.wikipedia.WikipediaMatRecordReader;
import org.dl4jpgm.datavec.wikipedia.WikipediaRecordReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One bad input of each kind, read by the real reader: each must end in a {@link DataFormatException} naming the
 * file. The messages are written to {@code target/bad-input-messages.md} (the temporary folder shown as
 * {@code <dir>}), the table of docs/reliability.md.
 */
class BadInputMessagesTest {

    @TempDir
    Path tmp;

    private final StringBuilder table = new StringBuilder("| Format | Bad input | Message |\n|---|---|---|\n");
    private int rows;

    interface Read {
        void run() throws Exception;
    }

    private void row(String format, String what, Path file, Read read) {
        try {
            read.run();
            fail(format + " / " + what + ": read without an error");
        } catch (DataFormatException e) {
            assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            table.append("| ").append(format).append(" | ").append(what).append(" | `")
                    .append(e.getMessage().replace(tmp.toString(), "<dir>").replace("|", "\\|").replace("\n", "\\n"))
                    .append("` |\n");
            rows++;
        } catch (Exception e) {
            throw new AssertionError(format + " / " + what + ": " + e, e);
        }
    }

    private static void mosi(Path pkl) throws Exception {
        new MosiPickleSequenceRecordReader.Builder().build().initialize(new FileSplit(pkl.toFile()));
    }

    @Test
    void everyBadInputKindGivesADataFormatExceptionNamingTheFile() throws Exception {
        // ---- pickles
        Path valid = SampleDatasets.writeMosiPickle(tmp.resolve("aligned_50.pkl"), new int[]{3, 2, 2}, 3,
                new int[]{4, 2, 3}, true, 5);
        byte[] pickle = Files.readAllBytes(valid);
        Path cut = tmp.resolve("cut.pkl");
        Files.write(cut, Arrays.copyOf(pickle, pickle.length / 2));
        row("MMSA pickle", "truncated at half its size", cut, () -> mosi(cut));
        Path huge = tmp.resolve("huge.pkl");
        Files.write(huge, Mutator.concat(new byte[]{(byte) 0x80, 4, 'B', -1, -1, -1, 0x7F}, "abc".getBytes()));
        row("MMSA pickle", "BINBYTES length 2^31-1 in a 10-byte file", huge, () -> mosi(huge));
        Path text = tmp.resolve("text.pkl");
        Files.writeString(text, "id,label\n");
        row("MMSA pickle", "a CSV file named .pkl", text, () -> mosi(text));
        Path noTrain = tmp.resolve("no_train.pkl");
        Map<String, Object> root = new LinkedHashMap<>(MosiFixtures.file(MosiFixtures.split("", new double[]{1.0},
                null)));
        root.remove("train");
        Pickle4Writer.write(noTrain, root);
        row("MMSA pickle", "no 'train' split", noTrain, () -> mosi(noTrain));
        Path label = tmp.resolve("label.pkl");
        Pickle4Writer.write(label, MosiFixtures.file(MosiFixtures.split("", new double[]{1.0, 7.5}, null)));
        row("MMSA pickle", "regression label 7.5", label, () -> mosi(label));
        Path rowsPkl = tmp.resolve("rows.pkl");
        Map<String, Object> split = MosiFixtures.split("", new double[]{1.0, 2.0}, null);
        split.put("regression_labels", new Pickle4Writer.Nd("f4", new long[]{3}, new float[]{1, 2, 3}));
        Pickle4Writer.write(rowsPkl, MosiFixtures.file(split));
        row("MMSA pickle", "3 labels for 2 ids", rowsPkl, () -> mosi(rowsPkl));
        Path lens = tmp.resolve("lengths.pkl");
        Pickle4Writer.write(lens, MosiFixtures.file(MosiFixtures.split("", new double[]{1.0, 2.0},
                new long[]{2, 9})));
        row("MMSA pickle", "audio length 9 > S = 3", lens, () -> new MosiPickleSequenceRecordReader.Builder()
                .modality(org.dl4jpgm.datavec.mosi.MosiModality.AUDIO).build()
                .initialize(new FileSplit(lens.toFile())));
        Path key = tmp.resolve("key.pkl");
        Pickle4Writer.write(key, Map.of("dialogue7", new Pickle4Writer.Nd("f4", new long[]{2}, new float[]{1, 2})));
        row("MELD feature pickle", "key 'dialogue7'", key, () -> UtteranceFeatures.read(key));
        Path unbuilt = tmp.resolve("unbuilt.pkl");
        Files.write(unbuilt, ("\u0080\u0002}X\u0003\u0000\u0000\u00000_0cnumpy.core.multiarray\n_reconstruct\n)Rs.")
                .getBytes(StandardCharsets.ISO_8859_1));
        row("MELD feature pickle", "numpy array without BUILD", unbuilt, () -> UtteranceFeatures.read(unbuilt));
        Path widths = tmp.resolve("widths.pkl");
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("0_0", new Pickle4Writer.Nd("f4", new long[]{2}, new float[]{1, 2}));
        w.put("0_1", new Pickle4Writer.Nd("f4", new long[]{3}, new float[]{1, 2, 3}));
        Pickle4Writer.write(widths, w);
        row("MELD feature pickle", "vectors of widths 2 and 3", widths, () -> UtteranceFeatures.read(widths));

        // ---- CSV
        String good = MeldFixtures.HEADER + MeldFixtures.row(1, "Hi", "Joey", "joy", "positive", 0, 0);
        Path header = tmp.resolve("header_sent_emo.csv");
        Files.writeString(header, good.replace("Speaker", "Person"));
        row("MELD CSV", "header column renamed", header, () -> meld(header));
        Path quote = tmp.resolve("quote_sent_emo.csv");
        Files.writeString(quote, MeldFixtures.HEADER + "1,\"Hi,Joey,joy,positive,0,0,1,1,x,y\n");
        row("MELD CSV", "unterminated quote", quote, () -> meld(quote));
        Path fields = tmp.resolve("fields_sent_emo.csv");
        Files.writeString(fields, MeldFixtures.HEADER + "1,Hi,Joey,joy\n");
        row("MELD CSV", "4 fields in a row", fields, () -> meld(fields));
        Path emotion = tmp.resolve("emotion_sent_emo.csv");
        Files.writeString(emotion, good.replace(",joy,", ",angry,"));
        row("MELD CSV", "emotion 'angry'", emotion, () -> meld(emotion));
        Path dia = tmp.resolve("dia_sent_emo.csv");
        Files.writeString(dia, MeldFixtures.HEADER + MeldFixtures.row(1, "Hi", "Joey", "joy", "positive", 0, 0)
                .replaceFirst(",0,0,", ",99999999999,0,"));
        row("MELD CSV", "Dialogue_ID 99999999999", dia, () -> meld(dia));

        Path food = SampleDatasets.writeFood101(tmp.resolve("food"), 1, 1);
        Path titles = food.resolve("texts/test_titles.csv");
        Files.writeString(titles, "apple_pie_0.jpg,a title\n");
        row("Food-101 titles CSV", "2 fields", titles, () -> food(food));
        Files.writeString(titles, "apple_pie_9.jpg,a title,apple_pie\n");
        row("Food-101 titles CSV", "image file missing", titles, () -> food(food));
        Files.writeString(titles, "apple\u0000pie_0.jpg,a title,apple_pie\n");
        row("Food-101 titles CSV", "NUL in the image name", titles, () -> food(food));
        Files.writeString(titles, "apple_pie_0.jpg,a title,sushi\n");
        row("Food-101 titles CSV", "class not in train_titles.csv", titles, () -> food(food));

        Path ds = LayoutFixtures.write(tmp.resolve("ds"));
        Path labels = ds.resolve("train/labels.csv");
        byte[] labelBytes = Files.readAllBytes(labels);
        Files.writeString(labels, new String(labelBytes, StandardCharsets.UTF_8).replaceFirst(",cat\n", ",cow\n"));
        row("labels.csv", "class 'cow'", labels, () -> new LayoutReader(ds).readSplit("train"));
        byte[] latin = labelBytes.clone();
        latin[new String(labelBytes, StandardCharsets.UTF_8).indexOf("ex-1")] = (byte) 0xE9;
        Files.write(labels, latin);
        row("labels.csv", "a Latin-1 byte", labels, () -> new LayoutReader(ds).readSplit("train"));
        Files.writeString(labels, new String(labelBytes, StandardCharsets.UTF_8).replaceFirst("\n[^\n]*\n$", "\n"));
        row("labels.csv", "one row missing", labels, () -> new LayoutReader(ds).readSplit("train"));
        Files.write(labels, labelBytes);

        // ---- .npy
        Path npy = ds.resolve("train/image.npy");
        byte[] npyBytes = Files.readAllBytes(npy);
        Files.write(npy, Arrays.copyOf(npyBytes, npyBytes.length - 5));
        row(".npy", "5 bytes cut off the data", npy, () -> new LayoutReader(ds).readSplit("train"));
        Files.writeString(npy, "PK\u0003\u0004 not numpy");
        row(".npy", "wrong magic", npy, () -> new LayoutReader(ds).readSplit("train"));
        byte[] notDict = npyBytes.clone();
        notDict[10] = '\n';
        Files.write(npy, notDict);
        row(".npy", "header not starting with '{'", npy, () -> new LayoutReader(ds).readSplit("train"));
        Files.write(npy, new String(npyBytes, StandardCharsets.ISO_8859_1).replace("(7, 4)", "(7, 1.5)")
                .getBytes(StandardCharsets.ISO_8859_1));
        row(".npy", "shape (7, 1.5)", npy, () -> new LayoutReader(ds).readSplit("train"));
        Files.write(npy, new String(npyBytes, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<i4'")
                .getBytes(StandardCharsets.ISO_8859_1));
        row(".npy", "dtype <i4 for features", npy, () -> new LayoutReader(ds).readSplit("train"));
        Files.write(npy, npyBytes);
        Path lengthsNpy = ds.resolve("train/audio_lengths.npy");
        byte[] lengthBytes = Files.readAllBytes(lengthsNpy);
        Files.write(lengthsNpy, new String(lengthBytes, StandardCharsets.ISO_8859_1).replace("'<i4'", "'<f4'")
                .getBytes(StandardCharsets.ISO_8859_1));
        row(".npy", "lengths file of dtype <f4", lengthsNpy, () -> new LayoutReader(ds).readSplit("train"));
        Files.write(lengthsNpy, lengthBytes);

        // ---- dataset.json
        Path json = ds.resolve("dataset.json");
        String jsonText = Files.readString(json);
        Files.writeString(json, jsonText.substring(0, jsonText.length() / 2));
        row("dataset.json", "truncated at half", json, () -> new LayoutReader(ds));
        Files.writeString(json, jsonText.replace("\"regression\"", "\"ranking\""));
        row("dataset.json", "task 'ranking'", json, () -> new LayoutReader(ds));
        Files.writeString(json, jsonText.replaceFirst("\"modalities\"", "\"modality\""));
        row("dataset.json", "key 'modalities' renamed", json, () -> new LayoutReader(ds));
        Files.writeString(json, jsonText);

        // ---- .mat
        Path matDir = Files.createDirectories(tmp.resolve("mat"));
        Path mat = SampleDatasets.writeWikipediaMatFile(matDir, 1, 1);
        byte[] matBytes = Files.readAllBytes(mat);
        Files.write(mat, Arrays.copyOf(matBytes, matBytes.length / 2));
        row(".mat", "truncated at half", mat, () -> new WikipediaMatRecordReader.Builder().build()
                .initialize(new FileSplit(mat.toFile())));
        Files.write(mat, Arrays.copyOf(matBytes, 100));
        row(".mat", "100 bytes (inside the header)", mat, () -> new WikipediaMatRecordReader.Builder().build()
                .initialize(new FileSplit(mat.toFile())));
        Files.write(mat, matBytes);
        row(".mat", "variable I_tr named as labels", mat, () -> new WikipediaMatRecordReader.Builder()
                .labelVariable("I_tr").build().initialize(new FileSplit(mat.toFile())));

        // ---- .csd (HDF5)
        Map<String, CsdWriter.Video> lab = new LinkedHashMap<>();
        lab.put("vidA", new CsdWriter.Video(new double[][]{{1.5}}, new double[][]{{0, 1}}));
        Path csd = tmp.resolve("CMU_MOSI_Opinion_Labels.csd");
        CsdWriter.write(csd, "CMU_MOSI_Opinion_Labels", lab, Map.of(), true);
        row(".csd", "no intervals dataset", csd, () -> ComputationalSequence.read(csd));
        CsdWriter.write(csd, "CMU_MOSI_Opinion_Labels", lab, Map.of(), false);
        byte[] csdBytes = Files.readAllBytes(csd);
        Files.write(csd, Arrays.copyOf(csdBytes, csdBytes.length / 2));
        row(".csd", "truncated at half", csd, () -> ComputationalSequence.read(csd));
        Files.writeString(csd, "not hdf5");
        row(".csd", "a text file", csd, () -> ComputationalSequence.read(csd));

        // ---- Wikipedia raw
        Path wiki = SampleDatasets.writeWikipediaRaw(tmp.resolve("wikipedia"), 1, 1, 7);
        Path list = wiki.resolve("trainset_txt_img_cat.list");
        String listText = Files.readString(list);
        String first = listText.substring(0, listText.indexOf('\n'));
        Files.writeString(list, first.replaceFirst("\t\\d+$", "\t11") + "\n");
        row("Wikipedia list", "category 11", list, () -> wikipedia(wiki));
        Files.writeString(list, first.replaceFirst("\t\\d+$", "") + "\n");
        row("Wikipedia list", "2 fields", list, () -> wikipedia(wiki));
        Files.writeString(list, first.replaceFirst("\t\\d+$", "\tten") + "\n");
        row("Wikipedia list", "category 'ten'", list, () -> wikipedia(wiki));
        Files.writeString(list, first + "\n");
        Path xml = wiki.resolve("texts").resolve(first.split("\t")[0] + ".xml");
        Files.writeString(xml, Files.readString(xml).replace("<text>", "<body>"));
        row("Wikipedia XML", "no <text> element", xml, () -> wikipedia(wiki));

        Path out = Path.of("target");
        if (Files.isDirectory(out)) {
            Files.writeString(out.resolve("bad-input-messages.md"), table);
        }
        System.out.println(table);
        assertTrue(rows >= 25, rows + " rows");
    }

    private static void meld(Path csv) throws Exception {
        MeldCsvRecordReader r = new MeldCsvRecordReader.Builder().build();
        r.initialize(new FileSplit(csv.toFile()));
    }

    private static void food(Path root) throws Exception {
        new Food101RecordReader.Builder().split(Food101Split.TEST).build().initialize(new FileSplit(root.toFile()));
    }

    private static void wikipedia(Path root) throws Exception {
        new WikipediaRecordReader.Builder().build().initialize(new FileSplit(root.toFile()));
    }
}

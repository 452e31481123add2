package org.dl4jpgm.datavec.food101;

import org.datavec.api.records.Record;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderMultiDataSetIterator;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.testutil.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class Food101RecordReaderTest {

    static final String[] CLASSES = {"ramen", "apple_pie", "baby_back_ribs"};

    @TempDir
    Path root;

    /** Writes the real layout: headerless titles CSVs (quoted where needed) and JPEGs per split and class. */
    private void fixture(int perClass, String extraTestRows) throws Exception {
        for (String part : new String[]{"train", "test"}) {
            StringBuilder sb = new StringBuilder();
            int n = part.equals("train") ? perClass : 1;
            for (String c : CLASSES) {
                for (int i = 0; i < n; i++) {
                    String file = c + "_" + i + ".jpg";
                    sb.append(file).append(",\"").append(c.replace('_', ' ')).append(" recipe, \"\"best\"\" #")
                            .append(i).append(" \u2013 caf\u00e9\",").append(c).append('\n');
                    Images.jpeg(root.resolve("images").resolve(part).resolve(c).resolve(file), 0x336699);
                }
            }
            if (part.equals("test")) {
                sb.append(extraTestRows);
            }
            Files.createDirectories(root.resolve("texts"));
            Files.write(root.resolve("texts").resolve(part + "_titles.csv"), sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Food101RecordReader reader(Food101Split s, long seed) {
        return new Food101RecordReader.Builder().split(s).validationFraction(0.2).seed(seed).build();
    }

    private List<String> images(Food101RecordReader r) {
        List<String> out = new ArrayList<>();
        r.reset();
        while (r.hasNext()) {
            out.add(r.next().get(Food101RecordReader.COLUMN_IMAGE).toString());
        }
        return out;
    }

    @Test
    void readsEveryFieldAndTheImagePaths() throws Exception {
        fixture(5, "");
        Food101RecordReader test = reader(Food101Split.TEST, 1);
        test.initialize(new FileSplit(root.toFile()));
        assertEquals(List.of("apple_pie", "baby_back_ribs", "ramen"), test.getLabels());
        List<Writable> r = test.next();
        assertEquals(root.resolve("images/test/ramen/ramen_0.jpg").toAbsolutePath().toString(), r.get(0).toString());
        assertEquals("ramen recipe, \"best\" #0 \u2013 caf\u00e9", r.get(1).toString());
        assertEquals(2, r.get(2).toInt());
        Record second = test.nextRecord();
        assertEquals(0, second.getRecord().get(2).toInt());
        assertEquals(second.getRecord(), test.loadFromMetaData(second.getMetaData()).getRecord());
        test.reset();
        RecordReaderMultiDataSetIterator it = new RecordReaderMultiDataSetIterator.Builder(3).addReader("f", test)
                .addOutputOneHot("f", Food101RecordReader.COLUMN_LABEL, 3).build();
        MultiDataSet m = it.next();
        assertEquals(1f, m.getLabels(0).getFloat(0, 2), 0f);
        assertEquals(1f, m.getLabels(0).getFloat(2, 1), 0f);
    }

    @Test
    void validationIsStratifiedSeededAndDisjointFromTrain() throws Exception {
        fixture(5, "");
        Food101RecordReader train = reader(Food101Split.TRAIN, 7);
        Food101RecordReader val = reader(Food101Split.VALIDATION, 7);
        train.initialize(new FileSplit(root.toFile()));
        val.initialize(new FileSplit(root.toFile()));
        List<String> t = images(train);
        List<String> v = images(val);
        assertEquals(12, t.size());
        assertEquals(3, v.size());
        Set<String> all = new HashSet<>(t);
        all.addAll(v);
        assertEquals(15, all.size());
        Set<String> valClasses = new HashSet<>();
        val.reset();
        while (val.hasNext()) {
            valClasses.add(val.next().get(2).toString());
        }
        assertEquals(Set.of("0", "1", "2"), valClasses, "one of each class held out");
        Food101RecordReader again = reader(Food101Split.VALIDATION, 7);
        again.initialize(new FileSplit(root.toFile()));
        assertEquals(v, images(again));
        Set<List<String>> seen = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            Food101RecordReader other = reader(Food101Split.VALIDATION, seed);
            other.initialize(new FileSplit(root.toFile()));
            seen.add(images(other));
        }
        assertTrue(seen.size() > 1, "the seed changes the hold-out");
    }

    @Test
    void missingImageUnknownClassMissingColumnAndEmptySplit() throws Exception {
        fixture(5, "");
        Files.delete(root.resolve("images/test/apple_pie/apple_pie_0.jpg"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(Food101Split.TEST, 1).initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("test_titles.csv, line 2: expected the image "), e.getMessage());
        assertTrue(e.getMessage().endsWith("apple_pie_0.jpg, found no such file"), e.getMessage());
        Food101RecordReader skipping = new Food101RecordReader.Builder().split(Food101Split.TEST)
                .badRecordPolicy(BadRecordPolicy.SKIP).build();
        skipping.initialize(new FileSplit(root.toFile()));
        assertEquals(2, skipping.size());
        assertEquals(1, skipping.getSkipReport().count());

        fixture(5, "sushi_0.jpg,Sushi,sushi\n");
        e = assertThrows(DataFormatException.class,
                () -> reader(Food101Split.TEST, 1).initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("line 4: expected a class among the 3 classes of train_titles.csv, found "
                + "'sushi'"), e.getMessage());

        fixture(5, "ramen_9.jpg,ramen\n");
        e = assertThrows(DataFormatException.class,
                () -> reader(Food101Split.TEST, 1).initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("line 4: expected 3 fields (image file, text, class), found 2 fields"),
                e.getMessage());

        Files.write(root.resolve("texts/test_titles.csv"), new byte[0]);
        e = assertThrows(DataFormatException.class,
                () -> reader(Food101Split.TEST, 1).initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("test_titles.csv, rows: expected at least one record, found an empty split"),
                e.getMessage());

        Food101RecordReader noVal = new Food101RecordReader.Builder().split(Food101Split.VALIDATION)
                .validationFraction(0).build();
        e = assertThrows(DataFormatException.class, () -> noVal.initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("split VALIDATION: expected at least one record"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> new Food101RecordReader.Builder().validationFraction(1.5).build());
    }

    @Test
    void emptyTitleIsServedAsEmptyText() throws Exception {
        // the real titles CSVs hold rows with an empty title, unquoted or quoted, as pandas writes them
        fixture(5, "ramen_1.jpg,,ramen\nramen_2.jpg,\"\",ramen\n");
        Images.jpeg(root.resolve("images/test/ramen/ramen_1.jpg"), 0x112233);
        Images.jpeg(root.resolve("images/test/ramen/ramen_2.jpg"), 0x445566);
        for (BadRecordPolicy p : BadRecordPolicy.values()) {
            Food101RecordReader r = new Food101RecordReader.Builder().split(Food101Split.TEST).badRecordPolicy(p)
                    .build();
            r.initialize(new FileSplit(root.toFile()));
            assertEquals(5, r.size(), p.toString());
            assertEquals(0, r.getSkipReport().count(), p.toString());
            List<String> texts = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            while (r.hasNext()) {
                List<Writable> w = r.next();
                paths.add(w.get(Food101RecordReader.COLUMN_IMAGE).toString());
                texts.add(w.get(Food101RecordReader.COLUMN_TEXT).toString());
            }
            assertEquals("", texts.get(3));
            assertEquals("", texts.get(4));
            assertTrue(paths.get(3).endsWith("ramen_1.jpg"), paths.get(3));
            assertTrue(paths.get(4).endsWith("ramen_2.jpg"), paths.get(4));
        }
        fixture(5, "ramen_1.jpg,title,\n");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> reader(Food101Split.TEST, 1).initialize(new FileSplit(root.toFile())));
        assertTrue(e.getMessage().contains("line 4: expected a non-empty class, found an empty field"), e.getMessage());
    }
}

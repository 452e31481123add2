package org.dl4jpgm.datavec.fuzz;

import org.datavec.api.split.FileSplit;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.food101.Food101RecordReader;
import org.dl4jpgm.datavec.food101.Food101Split;
import org.dl4jpgm.datavec.layout.DatasetFormatException;
import org.dl4jpgm.datavec.layout.LayoutFixtures;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.meld.UtteranceFeatures;
import org.dl4jpgm.datavec.mosi.ComputationalSequence;
import org.dl4jpgm.datavec.pickle.PickleReader;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.datavec.wikipedia.WikipediaRecordReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Minimised inputs of the defects {@link ReaderFuzzTest} found, each now a {@link DataFormatException}. */
class FuzzRegressionTest {

    @TempDir
    Path tmp;

    private static byte[] bytes(int... b) {
        byte[] o = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            o[i] = (byte) b[i];
        }
        return o;
    }

    /** A length field of 2^31 - 1 made the unpickler allocate 2 GiB before reading (heap exhausted or a long stall). */
    @Test
    void pickleLengthBeyondTheFileIsRejectedBeforeAllocating() throws Exception {
        Path p = tmp.resolve("huge.pkl");
        Files.write(p, Mutator.concat(bytes(0x80, 0x04, 'B', 0xFF, 0xFF, 0xFF, 0x7F), "abc".getBytes()));
        DataFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(DataFormatException.class, () -> PickleReader.read(p)));
        assertEquals(p + ", byte 2 of 10: expected a complete pickle: opcode BINBYTES with a length of at most the 3 "
                + "bytes left in the file, found length 2147483647 (a corrupt or truncated file)", e.getMessage());

        Files.write(p, bytes(0x80, 0x04, 0x95, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, '.'));
        e = assertThrows(DataFormatException.class, () -> PickleReader.read(p));
        assertEquals(p + ", byte 2 of 12: expected a complete pickle: opcode FRAME with a length of at most the 1 "
                + "bytes left in the file, found length 18446744073709551615 (a corrupt or truncated file)",
                e.getMessage());
    }

    /** A numpy array reconstructed but never built (BUILD removed) gave a NullPointerException on first use. */
    @Test
    void numpyArrayWithoutBuildIsAFormatError() throws Exception {
        Path p = tmp.resolve("features.pkl");
        Files.write(p, ("\u0080\u0002}X\u0003\u0000\u0000\u00000_0cnumpy.core.multiarray\n_reconstruct\n)Rs.")
                .getBytes(StandardCharsets.ISO_8859_1));
        DataFormatException e = assertThrows(DataFormatException.class, () -> UtteranceFeatures.read(p));
        assertEquals(p + ", dict, key '0_0': expected a numeric vector [D] or [1, D], found ndarray without state "
                + "(never built)", e.getMessage());
    }

    /** A NUL in an image name gave java.nio.file.InvalidPathException. */
    @Test
    void nulInAFood101ImageNameNamesFileAndLine() throws Exception {
        Path root = SampleDatasets.writeFood101(tmp.resolve("food"), 1, 1);
        Path csv = root.resolve("texts/test_titles.csv");
        Files.writeString(csv, "apple\u0000pie_0.jpg,a title,apple_pie\n");
        Food101RecordReader r = new Food101RecordReader.Builder().split(Food101Split.TEST).build();
        DataFormatException e = assertThrows(DataFormatException.class, () -> r.initialize(new FileSplit(root.toFile())));
        assertEquals(csv + ", line 1: expected a valid file name for the image, found 'apple\\0pie_0.jpg' (Nul "
                + "character not allowed)", e.getMessage());
    }

    /** A NUL in a Wikipedia text id gave java.nio.file.InvalidPathException. */
    @Test
    void nulInAWikipediaListIdNamesFileAndLine() throws Exception {
        Path root = SampleDatasets.writeWikipediaRaw(tmp.resolve("wikipedia"), 1, 1, 7);
        Path list = root.resolve("trainset_txt_img_cat.list");
        Files.writeString(list, "a\u0000b\tcafe\t1\n");
        WikipediaRecordReader r = new WikipediaRecordReader.Builder().build();
        DataFormatException e = assertThrows(DataFormatException.class, () -> r.initialize(new FileSplit(root.toFile())));
        assertEquals(list + ", line 1: expected a valid file name for the article, found 'a\\0b.xml' (Nul character "
                + "not allowed)", e.getMessage());
    }

    /** A header not starting with '{' passed the Java check and crashed ND4J's native .npy parser (SIGSEGV). */
    @Test
    void npyHeaderThatIsNotADictionaryIsRejectedInJava() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        Path npy = root.resolve("train/image.npy");
        byte[] b = Files.readAllBytes(npy);
        assertEquals('{', b[10]);
        b[10] = '\n';
        Files.write(npy, b);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> new LayoutReader(root)
                .readSplit("train"));
        assertTrue(e.getMessage().startsWith(npy + ": expected a header dictionary {...} after the 10-byte preamble, "
                + "found: 'descr': '<f4'"), e.getMessage());
    }

    /** A shape entry that is not an integer gave a NumberFormatException. */
    @Test
    void npyShapeThatIsNotIntegersNamesTheShape() throws Exception {
        Path root = LayoutFixtures.write(tmp.resolve("ds"));
        Path npy = root.resolve("train/image.npy");
        String b = new String(Files.readAllBytes(npy), StandardCharsets.ISO_8859_1);
        Files.write(npy, b.replace("(7, 4)", "(7, a)").getBytes(StandardCharsets.ISO_8859_1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> new LayoutReader(root)
                .readSplit("train"));
        assertEquals(npy + ": expected a shape of non-negative integers, found (7, a)", e.getMessage());
    }

    /**
     * A .mat input of the fuzzer: a compressed element whose zlib stream is corrupt inflated to a garbage inner tag,
     * from which the .mat parser sized its buffers (1.5-16 s of allocation before the zlib error).
     */
    @Test
    void matWithACorruptCompressedElementFailsFast() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mat"));
        Path f = dir.resolve("wikipedia.mat");
        try (InputStream in = getClass().getResourceAsStream("/fuzz/mat-corrupt-zlib-stream.bin")) {
            Files.write(f, in.readAllBytes());
        }
        DataFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertThrows(
                DataFormatException.class, () -> new org.dl4jpgm.datavec.wikipedia.WikipediaMatRecordReader.Builder()
                        .build().initialize(new FileSplit(f.toFile()))));
        assertTrue(e.getMessage().startsWith(f + ", byte "), e.getMessage());
    }

    /**
     * HDF5 inputs of the fuzzer (minimised to the one changed word): an object header size or address far beyond
     * the file made jhdf allocate up to 2 GiB (OutOfMemoryError, or 16 s of garbage collection).
     */
    @Test
    void csdSizeFieldsBeyondTheFileFailFast() throws Exception {
        for (String name : List.of("csd-huge-object-header.bin")) {
            Path f = tmp.resolve("CMU_MOSI_COVAREP.csd");
            try (InputStream in = getClass().getResourceAsStream("/fuzz/" + name)) {
                Files.write(f, in.readAllBytes());
            }
            DataFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> assertThrows(DataFormatException.class, () -> ComputationalSequence.read(f)));
            assertTrue(e.getMessage().startsWith(f + ", "), e.getMessage());
        }
    }
}

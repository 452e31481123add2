package org.dl4jpgm.datavec.cache;

import org.datavec.api.records.Record;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureCacheTest {

    private static final List<String> ITEMS = IntStream.range(0, 70).mapToObj(i -> "sentence number " + i)
            .collect(Collectors.toList());

    /** A deterministic stand-in encoder: item i -> [i, 2i, 3i, len(text)]; counts its calls. */
    private static BatchExtractor encoder(List<String> items, AtomicInteger calls) {
        return (from, to) -> {
            calls.addAndGet(to - from);
            INDArray out = Nd4j.create(DataType.FLOAT, to - from, 4);
            for (int i = from; i < to; i++) {
                out.putRow(i - from, Nd4j.createFromArray(i, 2f * i, 3f * i, items.get(i).length()));
            }
            return out;
        };
    }

    private static FeatureCache cache(Path dir, FeatureCacheConfig.OnStale onStale) {
        return new FeatureCache(dir, FeatureCacheConfig.builder().batchSize(16).progress(false).onStale(onStale)
                .build());
    }

    @Test
    void extractsOnceThenReadsBack(@TempDir Path dir) throws Exception {
        FeatureCache c = cache(dir, FeatureCacheConfig.OnStale.FAIL);
        AtomicInteger calls = new AtomicInteger();
        INDArray first = c.getOrCompute("text", "enc-A", ITEMS, encoder(ITEMS, calls));
        assertEquals(70, calls.get(), "every item encoded once");
        assertArrayEquals(new long[]{70, 4}, first.shape());
        assertTrue(Files.isRegularFile(dir.resolve("text.npy")) && Files.isRegularFile(dir.resolve("text.json")));
        String header = Files.readString(dir.resolve("text.json"));
        assertTrue(header.contains("enc-A") && header.contains("dataSha256"), header);

        INDArray second = c.getOrCompute("text", "enc-A", ITEMS, encoder(ITEMS, calls));
        assertEquals(70, calls.get(), "the second run reads the cache: no encoder call");
        assertEquals(first, second);
        assertEquals(5f * 3, second.getFloat(5, 2), 0f);
    }

    @Test
    void staleEntriesAreDetectedNeverUsed(@TempDir Path dir) throws Exception {
        FeatureCache strict = cache(dir, FeatureCacheConfig.OnStale.FAIL);
        AtomicInteger calls = new AtomicInteger();
        strict.getOrCompute("text", "enc-A", ITEMS, encoder(ITEMS, calls));

        StaleFeatureCacheException otherEncoder = assertThrows(StaleFeatureCacheException.class,
                () -> strict.getOrCompute("text", "enc-B", ITEMS, encoder(ITEMS, calls)));
        assertTrue(otherEncoder.getMessage().contains("enc-A") && otherEncoder.getMessage().contains("enc-B"),
                otherEncoder.getMessage());

        List<String> changed = new java.util.ArrayList<>(ITEMS);
        changed.set(3, "an edited sentence");
        StaleFeatureCacheException otherData = assertThrows(StaleFeatureCacheException.class,
                () -> strict.getOrCompute("text", "enc-A", changed, encoder(changed, calls)));
        assertTrue(otherData.getMessage().contains("dataset"), otherData.getMessage());

        // damage the data file: one byte near the end
        Path npy = dir.resolve("text.npy");
        byte[] b = Files.readAllBytes(npy);
        b[b.length - 3] ^= 0x40;
        Files.write(npy, b);
        StaleFeatureCacheException damaged = assertThrows(StaleFeatureCacheException.class,
                () -> strict.read("text", "enc-A", FeatureCache.fingerprint(ITEMS)));
        assertTrue(damaged.getMessage().contains("SHA-256"), damaged.getMessage());

        // REBUILD recomputes (and says so in the log) instead of using it
        FeatureCache rebuild = cache(dir, FeatureCacheConfig.OnStale.REBUILD);
        int before = calls.get();
        INDArray again = rebuild.getOrCompute("text", "enc-A", ITEMS, encoder(ITEMS, calls));
        assertEquals(before + 70, calls.get());
        assertEquals(69f * 2, again.getFloat(69, 1), 0f);
        assertEquals(again, strict.read("text", "enc-A", FeatureCache.fingerprint(ITEMS)), "rebuilt entry is valid");

        Files.delete(dir.resolve("text.json"));
        assertThrows(StaleFeatureCacheException.class,
                () -> strict.read("text", "enc-A", FeatureCache.fingerprint(ITEMS)));
    }

    @Test
    void recordReaderReadsRowsBackAndRefusesStaleEntries(@TempDir Path dir) throws Exception {
        FeatureCache c = cache(dir, FeatureCacheConfig.OnStale.FAIL);
        INDArray seq = Nd4j.rand(DataType.FLOAT, 5, 3, 2);
        String fp = FeatureCache.fingerprint(List.of("a", "b", "c", "d", "e"));
        c.write("seq", "enc-S", fp, seq);
        CachedFeatureRecordReader r = new CachedFeatureRecordReader(c, "seq", "enc-S", fp);
        assertEquals(5, r.size());
        int i = 0;
        while (r.hasNext()) {
            List<Writable> rec = r.next();
            INDArray x = ((NDArrayWritable) rec.get(0)).get();
            assertArrayEquals(new long[]{1, 3, 2}, x.shape());
            assertEquals(seq.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)), x.reshape(3, 2));
            i++;
        }
        assertEquals(5, i);
        r.reset();
        Record first = r.nextRecord();
        Record loaded = r.loadFromMetaData(first.getMetaData());
        assertEquals(first.getRecord().get(0), loaded.getRecord().get(0));
        assertThrows(StaleFeatureCacheException.class, () -> new CachedFeatureRecordReader(c, "seq", "enc-T", fp));
    }

    @Test
    void progressBarShowsCountAndThroughput() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "features", 64, 0);
        bar.step(32);
        bar.step(32);
        bar.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("64/64") && out.contains("100%") && out.contains("items/s"), out);
        assertTrue(bar.throughput() > 0);
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(System.err, "x", 0, 0));
    }

    @Test
    void extractionDrawsTheBarAndRejectsBadNames(@TempDir Path dir) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            new FeatureCache(dir, FeatureCacheConfig.builder().batchSize(10).progressIntervalMs(0).build())
                    .getOrCompute("bar", "e", ITEMS, encoder(ITEMS, new AtomicInteger()));
        } finally {
            System.setErr(err);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("70/70") && out.contains("items/s"), out);
        assertFalse(out.contains("80/70"));
        FeatureCache c = cache(dir, FeatureCacheConfig.OnStale.FAIL);
        assertThrows(IllegalArgumentException.class, () -> c.dataFile("../escape"));
        assertThrows(IllegalArgumentException.class, () -> FeatureCacheConfig.builder().batchSize(0).build());
    }
}

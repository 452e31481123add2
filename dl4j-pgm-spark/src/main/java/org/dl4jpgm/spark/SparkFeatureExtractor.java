package org.dl4jpgm.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.dl4jpgm.datavec.cache.FeatureCache;
import org.dl4jpgm.datavec.cache.FeatureCacheConfig;
import org.dl4jpgm.datavec.cache.StaleFeatureCacheException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs an encoder over a data set's raw items on Spark and writes the feature-cache entry the single-machine path
 * ({@code EncoderFeatures}, {@link FeatureCache#getOrCompute}) writes, byte for byte.
 *
 * <p>The items are cut into chunks of whole feature-cache batches (so every encoder call sees the batch the
 * single-machine path gives it: MiniLM pads a batch to its longest text); each partition opens the encoder once and
 * writes one part file per chunk into {@code <cache>/<name>.parts-<key>/} (written to a temporary name, then moved).
 * A rerun after a failure skips the chunks whose part file exists; the key (a hash of the encoder identity, the
 * items' fingerprint and the chunk size) keeps the parts of another model or data set apart. The driver then joins
 * the parts in item order, writes the entry with its header and checksum, and removes the parts. The cache folder
 * must be one every worker writes and the driver reads (a shared file system on a cluster).
 */
public final class SparkFeatureExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(SparkFeatureExtractor.class);

    /**
     * What a run did.
     *
     * @param entryWasValid the entry existed and was valid: nothing was extracted
     * @param computed      chunks extracted in this run
     * @param reused        chunks found from an earlier, interrupted run
     * @param features      the entry's features [N, ...]
     */
    public record Result(boolean entryWasValid, int computed, int reused, INDArray features) {
    }

    /** One chunk: items [from, to) of the data set. */
    record Chunk(int index, int from, int to, List<String> items) implements Serializable {
    }

    private final Path cacheDir;
    private final FeatureCacheConfig cacheConfig;
    private final int batchesPerChunk;

    /**
     * @param cacheDir        the feature cache folder (shared by the workers and the driver)
     * @param cacheConfig     the cache's settings; its batch size is the encoder's batch
     * @param batchesPerChunk cache batches per chunk (a chunk is the unit of work and of resuming)
     */
    public SparkFeatureExtractor(Path cacheDir, FeatureCacheConfig cacheConfig, int batchesPerChunk) {
        if (batchesPerChunk <= 0) {
            throw new IllegalArgumentException("SparkFeatureExtractor: batchesPerChunk must be > 0, found "
                    + batchesPerChunk);
        }
        this.cacheDir = cacheDir;
        this.cacheConfig = cacheConfig;
        this.batchesPerChunk = batchesPerChunk;
    }

    /**
     * Reads the entry {@code name} when it is valid for this encoder and these items, else extracts it on the cluster.
     *
     * @param items texts or image paths, in data set order
     */
    public Result extract(JavaSparkContext sc, String name, EncoderSpec encoder, List<String> items)
            throws IOException {
        FeatureCache cache = new FeatureCache(cacheDir, cacheConfig);
        String fingerprint = FeatureCache.fingerprint(encoder.itemKeys(items));
        String identity;
        try (EncoderSpec.Opened e = encoder.open()) {
            identity = e.identity();
        }
        if (Files.exists(cache.headerFile(name))) {
            try {
                return new Result(true, 0, 0, cache.read(name, identity, fingerprint));
            } catch (StaleFeatureCacheException e) {
                LOG.warn("Feature cache entry is stale, recomputing: {}", e.getMessage());
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("SparkFeatureExtractor: entry '" + name + "': the data set has no items");
        }
        int batch = cacheConfig.getBatchSize();
        int chunkSize = batch * batchesPerChunk;
        Path parts = partsFolder(name, identity, fingerprint);
        Files.createDirectories(parts);
        List<Chunk> todo = new ArrayList<>();
        int total = 0;
        for (int from = 0, k = 0; from < items.size(); from += chunkSize, k++) {
            int to = Math.min(items.size(), from + chunkSize);
            total++;
            if (!Files.isRegularFile(partFile(parts, k))) {
                todo.add(new Chunk(k, from, to, new ArrayList<>(items.subList(from, to))));
            }
        }
        LOG.info("Feature cache entry '{}': {} items, {} chunks of {}, {} to extract", name, items.size(), total,
                chunkSize, todo.size());
        if (!todo.isEmpty()) {
            String partsDir = parts.toAbsolutePath().toString();
            List<Integer> done = sc.parallelize(todo, Math.min(todo.size(), sc.defaultParallelism()))
                    .mapPartitions(it -> runPartition(it, encoder, batch, partsDir)).collect();
            if (done.size() != todo.size()) {
                throw new IllegalStateException("SparkFeatureExtractor: entry '" + name + "': " + done.size()
                        + " chunks came back, " + todo.size() + " were sent");
            }
        }
        List<INDArray> rows = new ArrayList<>();
        for (int k = 0; k < total; k++) {
            rows.add(Nd4j.createFromNpyFile(partFile(parts, k).toFile()));
        }
        INDArray features = rows.size() == 1 ? rows.get(0) : Nd4j.concat(0, rows.toArray(new INDArray[0]));
        if (features.size(0) != items.size()) {
            throw new IllegalStateException("SparkFeatureExtractor: entry '" + name + "': the parts hold "
                    + features.size(0) + " rows, the data set " + items.size() + " items");
        }
        cache.write(name, identity, fingerprint, features);
        try (Stream<Path> s = Files.walk(parts)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return new Result(false, todo.size(), total - todo.size(), features);
    }

    private static Iterator<Integer> runPartition(Iterator<Chunk> chunks, EncoderSpec spec, int batch, String partsDir)
            throws IOException {
        List<Integer> done = new ArrayList<>();
        if (!chunks.hasNext()) {
            return done.iterator();
        }
        Path parts = Path.of(partsDir);
        try (EncoderSpec.Opened encoder = spec.open()) {
            while (chunks.hasNext()) {
                Chunk c = chunks.next();
                List<INDArray> out = new ArrayList<>();
                for (int from = 0; from < c.items().size(); from += batch) {
                    List<String> b = c.items().subList(from, Math.min(c.items().size(), from + batch));
                    INDArray f = encoder.encode(b);
                    if (f.size(0) != b.size()) {
                        throw new IllegalStateException("SparkFeatureExtractor: the encoder returned " + f.size(0)
                                + " rows for " + b.size() + " items");
                    }
                    out.add(f.castTo(DataType.FLOAT));
                }
                INDArray part = out.size() == 1 ? out.get(0) : Nd4j.concat(0, out.toArray(new INDArray[0]));
                Path tmp = Files.createTempFile(parts, "part", ".npy.tmp");
                Nd4j.writeAsNumpy(part.dup('c'), tmp.toFile());
                Files.move(tmp, partFile(parts, c.index()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                done.add(c.index());
            }
        }
        return done.iterator();
    }

    /** The folder of the part files of an entry for this encoder identity, these items and this chunk size. */
    Path partsFolder(String name, String identity, String fingerprint) {
        int chunkSize = cacheConfig.getBatchSize() * batchesPerChunk;
        return cacheDir.resolve(name + ".parts-" + shortHash(identity + "\n" + fingerprint + "\n" + chunkSize));
    }

    /** The part file of chunk {@code k}. */
    static Path partFile(Path parts, int k) {
        return parts.resolve(String.format(java.util.Locale.ROOT, "part-%06d.npy", k));
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.dl4jpgm.datavec.cache;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Features of a dataset computed once by an encoder and stored on disk. An entry {@code name} is two files in
 * the cache folder: {@code name.npy} (the features [N, ...], float32, numpy format) and {@code name.json}
 * (format, encoder identity, dataset fingerprint, N, shape, SHA-256 of the .npy). An entry is used only when
 * the encoder identity and the dataset fingerprint are the ones asked for and the data's checksum matches;
 * otherwise it is stale: {@link #read} throws {@link StaleFeatureCacheException} saying which field differs,
 * {@link #getOrCompute} rebuilds it (or throws, see {@link FeatureCacheConfig.OnStale}).
 */
public final class FeatureCache {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureCache.class);
    /** Version of the header layout. */
    public static final int FORMAT = 1;

    private final Path dir;
    private final FeatureCacheConfig config;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param dir    the cache folder (created when needed)
     * @param config options
     */
    public FeatureCache(Path dir, FeatureCacheConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** @return a fingerprint of a dataset from one key per item (text, file path and size, ...), in order */
    public static String fingerprint(List<String> itemKeys) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String k : itemKeys) {
                byte[] b = k.getBytes(StandardCharsets.UTF_8);
                md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) ':');
                md.update(b);
            }
            return "n=" + itemKeys.size() + " sha256=" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the data file of an entry */
    public Path dataFile(String name) {
        return dir.resolve(checkName(name) + ".npy");
    }

    /** @return the header file of an entry */
    public Path headerFile(String name) {
        return dir.resolve(checkName(name) + ".json");
    }

    /**
     * Reads an entry, or extracts and stores it when it is missing or stale.
     *
     * @param name            entry name (file-name safe)
     * @param encoderIdentity what determines the features (model checksum and settings)
     * @param itemKeys        one key per dataset item, in order (its fingerprint is stored)
     * @param extractor       computes features of items [from, to)
     * @return the features [N, ...]
     */
    public INDArray getOrCompute(String name, String encoderIdentity, List<String> itemKeys, BatchExtractor extractor)
            throws IOException {
        String fp = fingerprint(itemKeys);
        if (Files.exists(headerFile(name)) || Files.exists(dataFile(name))) {
            try {
                return read(name, encoderIdentity, fp);
            } catch (StaleFeatureCacheException e) {
                if (config.getOnStale() == FeatureCacheConfig.OnStale.FAIL) {
                    throw e;
                }
                LOG.warn("Feature cache entry is stale, recomputing: {}", e.getMessage());
            }
        }
        INDArray features = extract(name, itemKeys.size(), extractor);
        write(name, encoderIdentity, fp, features);
        return features;
    }

    private INDArray extract(String name, int n, BatchExtractor extractor) throws IOException {
        if (n == 0) {
            throw new IllegalArgumentException("FeatureCache: entry '" + name + "': the dataset has no items");
        }
        ProgressBar bar = config.isProgress()
                ? new ProgressBar(System.err, "features " + name, n, config.getProgressIntervalMs()) : null;
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < n; from += config.getBatchSize()) {
            int to = Math.min(n, from + config.getBatchSize());
            INDArray part;
            try {
                part = extractor.extract(from, to);
            } catch (Exception e) {
                throw new IOException("FeatureCache: entry '" + name + "': extraction of items [" + from + ", " + to
                        + ") failed: " + e.getMessage(), e);
            }
            if (part.size(0) != to - from) {
                throw new IllegalStateException("FeatureCache: entry '" + name + "': extractor returned "
                        + part.size(0) + " rows for items [" + from + ", " + to + "), expected " + (to - from));
            }
            parts.add(part.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
            if (bar != null) {
                bar.step(to - from);
            }
        }
        if (bar != null) {
            bar.finish();
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    /** Stores features with their header (overwrites). */
    public void write(String name, String encoderIdentity, String datasetFingerprint, INDArray features)
            throws IOException {
        Files.createDirectories(dir);
        Path data = dataFile(name);
        Path tmp = Files.createTempFile(dir, name, ".npy.part");
        Nd4j.writeAsNumpy(features.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c'), tmp.toFile());
        String sha = sha256(tmp);
        ObjectNode h = json.createObjectNode();
        h.put("format", FORMAT);
        h.put("encoder", encoderIdentity);
        h.put("dataset", datasetFingerprint);
        h.put("count", features.size(0));
        h.putPOJO("shape", features.shape());
        h.put("dataSha256", sha);
        Path htmp = Files.createTempFile(dir, name, ".json.part");
        json.writerWithDefaultPrettyPrinter().writeValue(htmp.toFile(), h);
        Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(htmp, headerFile(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Extracts and stores an entry without holding it in memory: each batch of the extractor goes to the {@code .npy}
     * file as it comes, so that entries larger than the memory can be made (a Food-101-size entry, 90k x 768 floats,
     * is 276 MB); read them back with {@link #rows}. The files are those of {@link #write} (overwritten).
     *
     * @param count     N, the items
     * @param itemShape the shape of one item's features (an item's extracted row {@code [1, ...]} without the 1)
     * @param extractor computes the features of items [from, to), {@code [to - from, itemShape...]}, cast to float32
     * @return the entry's header
     */
    public Header writeStreamed(String name, String encoderIdentity, String datasetFingerprint, int count,
                                long[] itemShape, BatchExtractor extractor) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("FeatureCache: entry '" + name + "': expected at least one item, found "
                    + count);
        }
        long[] shape = new long[itemShape.length + 1];
        shape[0] = count;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, checkName(name), ".npy.part");
        ProgressBar bar = config.isProgress()
                ? new ProgressBar(System.err, "features " + name, count, config.getProgressIntervalMs()) : null;
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, java.nio.ByteBuffer.wrap(npyHeader(shape)));
            for (int from = 0; from < count; from += config.getBatchSize()) {
                int to = Math.min(count, from + config.getBatchSize());
                INDArray part;
                try {
                    part = extractor.extract(from, to);
                } catch (Exception e) {
                    throw new IOException("FeatureCache: entry '" + name + "': extraction of items [" + from + ", "
                            + to + ") failed: " + e.getMessage(), e);
                }
                long[] expected = shape.clone();
                expected[0] = to - from;
                if (!Arrays.equals(part.shape(), expected)) {
                    throw new IllegalStateException("FeatureCache: entry '" + name + "': extractor returned shape "
                            + Arrays.toString(part.shape()) + " for items [" + from + ", " + to + "), expected "
                            + Arrays.toString(expected));
                }
                float[] values = part.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(values.length * 4)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(values);
                writeFully(out, buf);
                if (bar != null) {
                    bar.step(to - from);
                }
            }
        }
        if (bar != null) {
            bar.finish();
        }
        ObjectNode h = json.createObjectNode();
        h.put("format", FORMAT);
        h.put("encoder", encoderIdentity);
        h.put("dataset", datasetFingerprint);
        h.put("count", count);
        h.putPOJO("shape", shape);
        h.put("dataSha256", sha256(tmp));
        Path htmp = Files.createTempFile(dir, name, ".json.part");
        json.writerWithDefaultPrettyPrinter().writeValue(htmp.toFile(), h);
        Files.move(tmp, dataFile(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(htmp, headerFile(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Header(h);
    }

    /**
     * An entry's rows, read from disk on demand ({@link NpyRows}), after the checks of {@link #verify}: for entries
     * that should not be held in memory.
     */
    public NpyRows rows(String name, String encoderIdentity, String datasetFingerprint) throws IOException {
        Header h = verify(name, encoderIdentity, datasetFingerprint);
        NpyRows rows = NpyRows.open(dataFile(name));
        if (!Arrays.equals(rows.shape(), h.shape)) {
            rows.close();
            throw new StaleFeatureCacheException("Feature cache " + dataFile(name) + ": data shape "
                    + Arrays.toString(rows.shape()) + ", header says " + Arrays.toString(h.shape));
        }
        return rows;
    }

    /** A numpy format 1.0 preamble and header for float32 C order, padded to a multiple of 64 bytes. */
    static byte[] npyHeader(long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? dims.toString().trim() : dims.substring(0, dims.length() - 2);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + h.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        return b.array();
    }

    private static void writeFully(java.nio.channels.FileChannel out, java.nio.ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    /**
     * Reads an entry after checking it belongs to this encoder and dataset and is intact.
     *
     * @return the features [N, ...]
     * @throws StaleFeatureCacheException naming the entry and the field that differs
     */
    public INDArray read(String name, String encoderIdentity, String datasetFingerprint) throws IOException {
        Header h = verify(name, encoderIdentity, datasetFingerprint);
        INDArray a = Nd4j.createFromNpyFile(dataFile(name).toFile());
        if (!Arrays.equals(a.shape(), h.shape)) {
            throw new StaleFeatureCacheException("Feature cache " + dataFile(name) + ": data shape "
                    + Arrays.toString(a.shape()) + ", header says " + Arrays.toString(h.shape));
        }
        return a;
    }

    /** Checks header and checksum of an entry without loading the data into an array. */
    public Header verify(String name, String encoderIdentity, String datasetFingerprint) throws IOException {
        Path hf = headerFile(name);
        Path df = dataFile(name);
        if (!Files.isRegularFile(hf) || !Files.isRegularFile(df)) {
            throw new StaleFeatureCacheException("Feature cache entry '" + name + "' in " + dir + " is incomplete: "
                    + (Files.isRegularFile(hf) ? "" : hf + " missing ") + (Files.isRegularFile(df) ? "" : df + " missing"));
        }
        JsonNode n;
        try {
            n = json.readTree(hf.toFile());
        } catch (IOException e) {
            throw new StaleFeatureCacheException("Feature cache " + hf + ": unreadable header: " + e.getMessage());
        }
        Header h = new Header(n);
        if (h.format != FORMAT) {
            throw new StaleFeatureCacheException("Feature cache " + hf + ": format " + h.format + ", expected " + FORMAT);
        }
        if (!h.encoder.equals(encoderIdentity)) {
            throw new StaleFeatureCacheException("Feature cache " + hf + ": made by encoder '" + h.encoder
                    + "', expected '" + encoderIdentity + "'");
        }
        if (!h.dataset.equals(datasetFingerprint)) {
            throw new StaleFeatureCacheException("Feature cache " + hf + ": made for dataset '" + h.dataset
                    + "', expected '" + datasetFingerprint + "' (the items changed)");
        }
        String sha = sha256(df);
        if (!sha.equals(h.dataSha256)) {
            throw new StaleFeatureCacheException("Feature cache " + df + ": SHA-256 " + sha + " differs from "
                    + h.dataSha256 + " recorded in " + hf + " (damaged or replaced)");
        }
        return h;
    }

    private static String checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("FeatureCache: entry name must match [A-Za-z0-9._-]+, found '"
                    + name + "'");
        }
        return name;
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The header of an entry. */
    public static final class Header {
        final int format;
        final String encoder;
        final String dataset;
        final long count;
        final long[] shape;
        final String dataSha256;

        Header(JsonNode n) {
            format = n.path("format").asInt(-1);
            encoder = n.path("encoder").asText("");
            dataset = n.path("dataset").asText("");
            count = n.path("count").asLong(-1);
            List<Long> s = new ArrayList<>();
            n.path("shape").forEach(x -> s.add(x.asLong()));
            shape = s.stream().mapToLong(Long::longValue).toArray();
            dataSha256 = n.path("dataSha256").asText("");
        }

        /** @return N, the number of items */
        public long count() {
            return count;
        }

        /** @return the shape [N, ...] */
        public long[] shape() {
            return shape.clone();
        }

        /** @return the encoder identity */
        public String encoder() {
            return encoder;
        }
    }
}

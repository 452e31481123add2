package org.dl4jpgm.encoders.onnx;

import onnx.Onnx;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;
import java.util.TreeMap;

/**
 * Converts an ONNX model to a SameDiff graph: {@link OnnxGraphPreparer} pass, {@code samediff-import-onnx},
 * {@link SameDiffFixes}; then saves the result as a SameDiff flatbuffers file, so a second conversion of
 * the same model (same bytes, same preparation, same non-batch input shapes) loads it instead of importing.
 */
public final class OnnxSameDiffConverter {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSameDiffConverter.class);

    /** System property naming the folder of converted graphs. */
    public static final String CACHE_DIR_PROPERTY = "dl4jpgm.encoders.cacheDir";
    /** Changes whenever the preparation or the post-import fixes change meaning (invalidates saved graphs). */
    static final String FIX_VERSION = "fixes-v1";

    /** Folder of the saved converted graphs; default {@code $dl4jpgm.encoders.cacheDir} or
     * {@code ~/.cache/dl4j-pgm/converted}. */
    private Path cacheDir;
    /** The ONNX graph preparation; default: all rewrites, all outputs. */
    private OnnxGraphPreparer preparer;
    /** Silences the importer's very long stdout listing of the graph; default true. */
    private boolean quietImport = true;

    private OnnxSameDiffConverter() {
    }

    /** @return the folder of saved converted graphs */
    public Path getCacheDir() {
        return cacheDir;
    }

    /**
     * Converts, or loads the saved conversion.
     *
     * @param onnxFile     the model as exported
     * @param sampleInputs one sample value per graph input (its non-batch shape is fixed in the graph)
     * @return the converted graph and where it came from
     */
    public Converted convert(Path onnxFile, Map<String, INDArray> sampleInputs) throws IOException {
        byte[] bytes = Files.readAllBytes(onnxFile);
        String key = cacheKey(bytes, sampleInputs);
        String stem = onnxFile.getFileName().toString().replaceAll("\\.onnx$", "");
        Path flat = cacheDir.resolve(stem + "-" + key.substring(0, 16) + ".fb");
        if (Files.isRegularFile(flat)) {
            long t0 = System.nanoTime();
            SameDiff sd = SameDiff.fromFlatFile(flat.toFile());
            LOG.info("Loaded converted graph {} in {} ms", flat, (System.nanoTime() - t0) / 1_000_000);
            return new Converted(sd, flat, true, Collections.emptyMap());
        }
        long t0 = System.nanoTime();
        OnnxGraphPreparer.Result prepared = preparer.prepare(Onnx.ModelProto.parseFrom(bytes), sampleInputs);
        Path tmp = Files.createTempFile(stem + "-prepared", ".onnx");
        SameDiff sd;
        try {
            Files.write(tmp, prepared.model().toByteArray());
            sd = runImport(tmp, sameDiffNames(sampleInputs));
        } finally {
            Files.deleteIfExists(tmp);
        }
        int mmul = SameDiffFixes.mmulAlphaBeta(sd);
        Map<String, Integer> changes = new TreeMap<>(prepared.changes());
        changes.put("mmulAlphaBeta (post-import)", mmul);
        Files.createDirectories(cacheDir);
        Path part = Files.createTempFile(cacheDir, stem, ".fb.part");
        sd.asFlatFile(part.toFile());
        Files.move(part, flat, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Converted {} in {} ms, saved to {}; changes {}", onnxFile,
                (System.nanoTime() - t0) / 1_000_000, flat, changes);
        return new Converted(sd, flat, false, changes);
    }

    /** @return the same map with every key renamed by {@link OnnxGraphRewrites#sameDiffName} */
    public static Map<String, INDArray> sameDiffNames(Map<String, INDArray> onnxNamed) {
        Map<String, INDArray> m = new java.util.LinkedHashMap<>();
        onnxNamed.forEach((k, v) -> m.put(OnnxGraphRewrites.sameDiffName(k), v));
        return m;
    }

    private SameDiff runImport(Path prepared, Map<String, INDArray> sampleInputs) {
        try {
            Supplier<SameDiff> run = () -> new OnnxFrameworkImporter().runImport(prepared.toString(), sampleInputs,
                    false);
            return quietImport ? QuietStdout.call(run) : run.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("OnnxSameDiffConverter: samediff-import-onnx failed on the prepared"
                    + " graph of " + prepared + ": " + e, e);
        }
    }

    /** @return the key under which the conversion of this model at these input shapes is saved */
    public String cacheKeyFor(Path onnxFile, Map<String, INDArray> sampleInputs) throws IOException {
        return cacheKey(Files.readAllBytes(onnxFile), sampleInputs);
    }

    /** @return sha-256 over the model bytes, the preparation, the fixes and the non-batch input shapes */
    String cacheKey(byte[] model, Map<String, INDArray> sampleInputs) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(model);
            StringBuilder sb = new StringBuilder(preparer.signature()).append(' ').append(FIX_VERSION);
            for (Map.Entry<String, INDArray> e : new TreeMap<>(sampleInputs).entrySet()) {
                long[] s = e.getValue().shape();
                sb.append(' ').append(e.getKey()).append(Arrays.toString(Arrays.copyOfRange(s, 1, s.length)))
                        .append(e.getValue().dataType());
            }
            md.update(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A converted graph. */
    public static final class Converted {
        private final SameDiff sameDiff;
        private final Path flatFile;
        private final boolean loaded;
        private final Map<String, Integer> changes;

        Converted(SameDiff sameDiff, Path flatFile, boolean loaded, Map<String, Integer> changes) {
            this.sameDiff = sameDiff;
            this.flatFile = flatFile;
            this.loaded = loaded;
            this.changes = Collections.unmodifiableMap(changes);
        }

        /**
         * Runs the converted graph.
         *
         * @param inputs  inputs by their ONNX names
         * @param outputs outputs wanted, by their ONNX names
         * @return the outputs by their ONNX names
         */
        public Map<String, INDArray> output(Map<String, INDArray> inputs, String... outputs) {
            String[] sdOut = new String[outputs.length];
            for (int i = 0; i < outputs.length; i++) {
                sdOut[i] = OnnxGraphRewrites.sameDiffName(outputs[i]);
            }
            Map<String, INDArray> r = sameDiff.output(sameDiffNames(inputs), sdOut);
            Map<String, INDArray> out = new java.util.LinkedHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                out.put(outputs[i], r.get(sdOut[i]));
            }
            return out;
        }

        /** @return the SameDiff graph (names: {@link OnnxGraphRewrites#sameDiffName} of the ONNX names) */
        public SameDiff sameDiff() {
            return sameDiff;
        }

        /** @return the flatbuffers file it was saved to or loaded from */
        public Path flatFile() {
            return flatFile;
        }

        /** @return true when loaded from the saved file (no import ran) */
        public boolean loadedFromCache() {
            return loaded;
        }

        /** @return changes made per rewrite and fix (empty when loaded) */
        public Map<String, Integer> changes() {
            return changes;
        }
    }

    /** @return the default folder of converted graphs */
    public static Path defaultCacheDir() {
        String p = System.getProperty(CACHE_DIR_PROPERTY);
        return p != null ? Paths.get(p)
                : Paths.get(System.getProperty("user.home"), ".cache", "dl4j-pgm", "converted");
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link OnnxSameDiffConverter}. */
    public static final class Builder {
        private Path cacheDir;
        private OnnxGraphPreparer preparer;
        private boolean quietImport = true;

        /** @param dir folder of saved converted graphs */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** @param p the ONNX graph preparation */
        public Builder preparer(OnnxGraphPreparer p) {
            this.preparer = p;
            return this;
        }

        /** @param quiet whether to silence the importer's stdout */
        public Builder quietImport(boolean quiet) {
            this.quietImport = quiet;
            return this;
        }

        /** @return the converter; fails when the cache folder exists as a file */
        public OnnxSameDiffConverter build() {
            OnnxSameDiffConverter c = new OnnxSameDiffConverter();
            c.cacheDir = cacheDir != null ? cacheDir : defaultCacheDir();
            if (Files.exists(c.cacheDir) && !Files.isDirectory(c.cacheDir)) {
                throw new IllegalArgumentException("OnnxSameDiffConverter: cacheDir " + c.cacheDir
                        + " exists and is not a directory");
            }
            c.preparer = preparer != null ? preparer : OnnxGraphPreparer.builder().build();
            c.quietImport = quietImport;
            return c;
        }
    }
}

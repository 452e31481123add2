package org.dl4jpgm.datavec.embedded;

import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.ModalitySpec;
import org.dl4jpgm.datavec.layout.TargetSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The datasets shipped inside the {@code datavec-readers} jar, in the project's dataset layout. Because
 * a jar cannot be listed, the files to copy are derived from each dataset's {@code dataset.json}
 * (modality files, optional lengths files, target CSVs, plus {@code meta.csv} and {@code PROVENANCE}
 * where present). A dataset is copied once per JVM to a temporary directory (removed at exit).
 */
public final class EmbeddedDatasets {

    /** Classpath folder of the real-material tri-modal set (see {@link DigitsSpeechBuilder}). */
    public static final String DIGITS_SPEECH = "/org/dl4jpgm/datavec/embedded/digits-speech/";

    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    private EmbeddedDatasets() {
    }

    /** The digits-speech set as a dataset directory (a temporary copy). */
    public static Path digitsSpeech() {
        return extract(DIGITS_SPEECH);
    }

    /** A {@link LayoutReader} over the digits-speech set. */
    public static LayoutReader openDigitsSpeech() {
        return new LayoutReader(digitsSpeech());
    }

    /**
     * Copies an embedded dataset to a temporary directory (once per JVM) and returns it.
     *
     * @param resourceBase classpath folder, starting and ending with '/'
     */
    public static synchronized Path extract(String resourceBase) {
        Path cached = EXTRACTED.get(resourceBase);
        if (cached != null && Files.exists(cached.resolve(DatasetDescriptor.FILE_NAME))) {
            return cached;
        }
        try {
            String json = new String(required(resourceBase + DatasetDescriptor.FILE_NAME), StandardCharsets.UTF_8);
            DatasetDescriptor d = DatasetDescriptor.fromJson(json, null);
            Path dir = Files.createTempDirectory("dl4jpgm-" + d.getName() + "-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            Files.writeString(dir.resolve(DatasetDescriptor.FILE_NAME), json, StandardCharsets.UTF_8);
            copyOptional(resourceBase + "PROVENANCE", dir.resolve("PROVENANCE"));
            for (String split : d.getSplits()) {
                Path sd = Files.createDirectories(dir.resolve(split));
                String base = resourceBase + split + "/";
                List<String> requiredFiles = new ArrayList<>();
                for (ModalitySpec m : d.getModalities()) {
                    requiredFiles.add(m.getFile());
                    copyOptional(base + m.lengthsFile(), sd.resolve(m.lengthsFile()));
                }
                for (TargetSpec t : d.getTargets()) {
                    requiredFiles.add(t.getFile());
                }
                for (String f : requiredFiles) {
                    Files.write(sd.resolve(f), required(base + f));
                }
                copyOptional(base + "meta.csv", sd.resolve("meta.csv"));
            }
            EXTRACTED.put(resourceBase, dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("EmbeddedDatasets: cannot copy " + resourceBase + " to a temporary directory: " + e.getMessage(), e);
        }
    }

    private static byte[] required(String resource) throws IOException {
        try (InputStream in = EmbeddedDatasets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("expected the classpath resource " + resource + " (datavec-readers jar), found none");
            }
            return in.readAllBytes();
        }
    }

    private static void copyOptional(String resource, Path to) throws IOException {
        try (InputStream in = EmbeddedDatasets.class.getResourceAsStream(resource)) {
            if (in != null) {
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}

package org.dl4jpgm.examples.bench;

import org.dl4jpgm.impl.OpenBlasKernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The OpenBLAS library files this process has loaded, read from {@code /proc/self/maps} (Linux).
 *
 * <p>Why: ND4J 1.0.0-M2.1 loads the OpenBLAS 0.3.19 its JavaCPP preset bundles, unless the system property
 * {@code org.bytedeco.openblas.load=openblas} makes JavaCPP load the system's (e.g. Debian's
 * {@code libopenblas0-pthread}, the one PyTorch uses). The two differ in speed by up to half on the same CPU for the
 * products PgM runs (docs/performance.md, "The same OpenBLAS as the peer"), so every measurement of products names
 * the file it ran on. JavaCPP copies a system library into its cache before loading it; the copy is the same file.
 */
public final class BlasLibrary {

    private BlasLibrary() {
    }

    /**
     * The distinct paths of mapped files whose name starts with {@code libopenblas} (not JavaCPP's JNI wrappers),
     * sorted, joined by {@code ,}; {@code unknown} where {@code /proc/self/maps} cannot be read.
     */
    public static String loaded() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return "unknown";
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return String.join(",", openBlasPaths(lines.toList()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "unknown";
        }
    }

    /**
     * The kernels OpenBLAS was told to use: the value of {@code OPENBLAS_CORETYPE}, or {@code unset} (it then picks
     * them from the CPU, and falls back to generic ones on a CPU it does not know: {@code impl/OpenBlasKernels}).
     */
    public static String coreType() {
        String value = System.getenv(OpenBlasKernels.CORE_TYPE_VARIABLE);
        return value == null ? "unset" : value;
    }

    /** The distinct OpenBLAS file paths among lines of {@code /proc/<pid>/maps} (path last, after five fields). */
    static List<String> openBlasPaths(List<String> mapsLines) {
        TreeSet<String> paths = new TreeSet<>();
        for (String line : mapsLines) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[5].startsWith("/")
                    && Path.of(f[5]).getFileName().toString().startsWith("libopenblas")) {
                paths.add(f[5]);
            }
        }
        return List.copyOf(paths);
    }
}

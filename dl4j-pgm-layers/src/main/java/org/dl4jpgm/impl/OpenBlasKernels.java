package org.dl4jpgm.impl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether ND4J's bundled OpenBLAS runs its generic kernels on this CPU, and the warning that says which kernels to ask
 * for instead.
 *
 * <p>Why: OpenBLAS built with {@code DYNAMIC_ARCH} picks its kernels once, when it loads, from the CPU's vendor,
 * family and model, unless the environment variable {@value #CORE_TYPE_VARIABLE} names them. Version 0.3.19, the one
 * ND4J 1.0.0-M2.1 bundles ({@code org.bytedeco:openblas:0.3.19-1.5.7}), predates AMD's family 26 (Zen 5) and falls
 * back there to its Barcelona kernels (SSE2): on an AMD EPYC of family 26, one thread, {@code cblas_sgemm} of
 * {@code [512, 512] x [512, 512]} ran at 34 GFLOP/s with them, 94 with {@code OPENBLAS_CORETYPE=Haswell} and 169 with
 * {@code SkylakeX} (docs/performance.md, "OpenBLAS's kernels on a CPU it does not know"). Every product of a DL4J
 * network, PgM's and the host model's, runs on those kernels. A running JVM cannot change the variable for a library
 * that has loaded, so this class only warns, once per process, with the value to set before Java starts.
 *
 * <p>It warns only for what was measured: the bundled library (JavaCPP's {@value #LOAD_PROPERTY} property unset),
 * the variable unset, an AMD CPU of family 26 or later. The suggested kernels are {@code SkylakeX} where
 * {@code /proc/cpuinfo} lists the AVX-512 subsets those kernels use, {@code Haswell} where it lists AVX2 and FMA.
 * Results computed with other kernels differ from these in the last bits (other summation orders).
 */
public final class OpenBlasKernels {

    /** The environment variable that names OpenBLAS's kernels ({@code Haswell}, {@code SkylakeX}, ...). */
    public static final String CORE_TYPE_VARIABLE = "OPENBLAS_CORETYPE";
    /** JavaCPP's system property that loads the system's OpenBLAS instead of the bundled one. */
    static final String LOAD_PROPERTY = "org.bytedeco.openblas.load";
    /** The first AMD family that OpenBLAS 0.3.19's CPU detection does not know (0x1A, Zen 5). */
    static final int FIRST_UNKNOWN_AMD_FAMILY = 26;
    /** The AVX-512 subsets that OpenBLAS's SkylakeX kernels need (its {@code support_avx512} checks). */
    private static final Set<String> SKYLAKEX_FLAGS = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

    private static final Logger LOG = LoggerFactory.getLogger(OpenBlasKernels.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private OpenBlasKernels() {
    }

    /**
     * A CPU as {@code /proc/cpuinfo} describes its first processor.
     *
     * @param vendor {@code vendor_id}, e.g. {@code AuthenticAMD}
     * @param family {@code cpu family}, decimal
     * @param flags  {@code flags}
     */
    record Cpu(String vendor, int family, Set<String> flags) {

        /**
         * The first processor of {@code /proc/cpuinfo}'s lines; empty where its vendor, family or flags are missing or
         * the family is not a number (another architecture, a container that hides them): then nothing is known.
         */
        static Optional<Cpu> parse(List<String> cpuinfo) {
            String vendor = null;
            Integer family = null;
            Set<String> flags = null;
            for (String line : cpuinfo) {
                if (line.isBlank()) {
                    if (vendor != null || family != null || flags != null) {
                        break;   // the end of the first processor's block
                    }
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "vendor_id" -> vendor = value;
                    case "cpu family" -> {
                        try {
                            family = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            return Optional.empty();
                        }
                    }
                    case "flags" -> flags = Set.of(value.isEmpty() ? new String[0] : value.split("\\s+"));
                    default -> {
                    }
                }
            }
            return vendor == null || family == null || flags == null
                    ? Optional.empty() : Optional.of(new Cpu(vendor, family, flags));
        }

        /** The kernels to name in {@value #CORE_TYPE_VARIABLE} on this CPU; empty where neither set's flags are. */
        Optional<String> suggestedCoreType() {
            if (flags.containsAll(SKYLAKEX_FLAGS)) {
                return Optional.of("SkylakeX");
            }
            if (flags.contains("avx2") && flags.contains("fma")) {
                return Optional.of("Haswell");
            }
            return Optional.empty();
        }
    }

    /**
     * The warning for a CPU, the variable's value and the load property's value (null: unset); empty where the
     * bundled library's own choice stands: the variable or the property set, another CPU, or no better kernels known.
     */
    static Optional<String> warning(Cpu cpu, String coreTypeVariable, String loadProperty) {
        if (coreTypeVariable != null || loadProperty != null) {
            return Optional.empty();
        }
        if (!"AuthenticAMD".equals(cpu.vendor()) || cpu.family() < FIRST_UNKNOWN_AMD_FAMILY) {
            return Optional.empty();
        }
        return cpu.suggestedCoreType().map(core -> String.format(Locale.ROOT,
                "ND4J's bundled OpenBLAS 0.3.19 does not know this CPU (%s, family %d) and runs its generic Barcelona "
                        + "kernels: matrix products 3-5x slower than with its %s kernels, which this CPU supports "
                        + "(docs/performance.md, \"OpenBLAS's kernels on a CPU it does not know\"). Set %s=%s in the "
                        + "environment before starting Java; results then differ in the last bits.",
                cpu.vendor(), cpu.family(), core, CORE_TYPE_VARIABLE, core));
    }

    /**
     * The warning for this process (Linux's {@code /proc/cpuinfo}, the environment, the system property); empty where
     * none applies or the CPU cannot be read.
     */
    public static Optional<String> warning() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
        return Cpu.parse(lines).flatMap(cpu -> warning(cpu, System.getenv(CORE_TYPE_VARIABLE),
                System.getProperty(LOAD_PROPERTY)));
    }

    /** Logs {@link #warning()} at WARN level, the first time it is called in this process. */
    public static void warnOnce() {
        if (WARNED.compareAndSet(false, true)) {
            warning().ifPresent(LOG::warn);
        }
    }
}

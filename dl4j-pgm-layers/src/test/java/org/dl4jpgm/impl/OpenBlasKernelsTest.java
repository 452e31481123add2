package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU read from {@code /proc/cpuinfo} lines and the cases that warn about OpenBLAS 0.3.19's fallback kernels. */
class OpenBlasKernelsTest {

    /** Two processors' blocks as Linux writes them (an AMD EPYC of family 26, flags shortened). */
    private static List<String> cpuinfo(String vendor, String family, String flags) {
        return List.of(
                "processor\t: 0",
                "vendor_id\t: " + vendor,
                "cpu family\t: " + family,
                "model\t\t: 2",
                "model name\t: AMD EPYC",
                "flags\t\t: " + flags,
                "",
                "processor\t: 1",
                "vendor_id\t: GenuineIntel",
                "cpu family\t: 6",
                "flags\t\t: sse2",
                "");
    }

    private static final String AVX512 = "fpu sse2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl";

    private static OpenBlasKernels.Cpu cpu(String vendor, String family, String flags) {
        return OpenBlasKernels.Cpu.parse(cpuinfo(vendor, family, flags)).orElseThrow();
    }

    @Test
    void readsTheFirstProcessorsVendorFamilyAndFlags() {
        OpenBlasKernels.Cpu c = cpu("AuthenticAMD", "26", AVX512);
        assertEquals("AuthenticAMD", c.vendor());
        assertEquals(26, c.family());
        assertTrue(c.flags().contains("avx512vl"));
        assertEquals(Optional.of("SkylakeX"), c.suggestedCoreType());
        assertEquals(Optional.of("Haswell"), cpu("AuthenticAMD", "26", "avx fma avx2 avx512f").suggestedCoreType());
        assertEquals(Optional.empty(), cpu("AuthenticAMD", "26", "sse2 avx").suggestedCoreType());
    }

    @Test
    void knowsNothingWhereAFieldIsMissingOrTheFamilyIsNotANumber() {
        assertEquals(Optional.empty(), OpenBlasKernels.Cpu.parse(List.of("processor\t: 0", "vendor_id\t: AuthenticAMD",
                "flags\t\t: avx2", "")));
        assertEquals(Optional.empty(), OpenBlasKernels.Cpu.parse(cpuinfo("AuthenticAMD", "1a", AVX512)));
        assertEquals(Optional.empty(), OpenBlasKernels.Cpu.parse(List.of()));
    }

    @Test
    void warnsOnAnAmdFamilyThatOpenBlas0319DoesNotKnowWithTheKernelsToSet() {
        String w = OpenBlasKernels.warning(cpu("AuthenticAMD", "26", AVX512), null, null).orElseThrow();
        assertTrue(w.contains("family 26") && w.contains("Barcelona") && w.contains("OPENBLAS_CORETYPE=SkylakeX"), w);
        String haswell = OpenBlasKernels.warning(cpu("AuthenticAMD", "27", "avx fma avx2"), null, null).orElseThrow();
        assertTrue(haswell.contains("OPENBLAS_CORETYPE=Haswell"), haswell);
    }

    @Test
    void staysQuietWhereTheBundledLibrarysChoiceStands() {
        OpenBlasKernels.Cpu zen5 = cpu("AuthenticAMD", "26", AVX512);
        assertEquals(Optional.empty(), OpenBlasKernels.warning(zen5, "Haswell", null), "the variable set");
        assertEquals(Optional.empty(), OpenBlasKernels.warning(zen5, null, "openblas"), "the system's library");
        assertEquals(Optional.empty(), OpenBlasKernels.warning(cpu("AuthenticAMD", "25", AVX512), null, null), "Zen 4");
        assertEquals(Optional.empty(), OpenBlasKernels.warning(cpu("GenuineIntel", "6", AVX512), null, null), "Intel");
        assertEquals(Optional.empty(), OpenBlasKernels.warning(cpu("AuthenticAMD", "26", "sse2 avx"), null, null),
                "no better kernels known");
    }
}

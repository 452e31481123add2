package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlasLibraryTest {

    @Test
    void openBlasFilesAreReadFromMapsLinesOnceEachWithoutJniWrappers() {
        List<String> maps = List.of(
                "7f1c0000-7f1c1000 r--p 00000000 08:01 123 /root/.javacpp/cache/x86_64-linux-gnu/libopenblas.so.0",
                "7f1c1000-7f1c9000 r-xp 00001000 08:01 123 /root/.javacpp/cache/x86_64-linux-gnu/libopenblas.so.0",
                "7f1d0000-7f1d1000 r--p 00000000 08:01 124 /c/openblas-0.3.19/libjniopenblas_nolapack.so",
                "7f1e0000-7f1e1000 r--p 00000000 08:01 125 /c/openblas-0.3.19/libopenblas_nolapack.so.0",
                "7f1f0000-7f1f1000 rw-p 00000000 00:00 0 ",
                "7ffd0000-7ffd1000 rw-p 00000000 00:00 0 [stack]",
                "7f200000-7f201000 r--p 00000000 08:01 126 /usr/lib/a dir with spaces/libopenblasp-r0.3.21.so");
        assertEquals(List.of("/c/openblas-0.3.19/libopenblas_nolapack.so.0",
                        "/root/.javacpp/cache/x86_64-linux-gnu/libopenblas.so.0",
                        "/usr/lib/a dir with spaces/libopenblasp-r0.3.21.so"),
                BlasLibrary.openBlasPaths(maps));
    }

    @Test
    void thisProcessNamesTheOpenBlasNd4jLoaded() {
        Nd4j.create(1);
        String loaded = BlasLibrary.loaded();
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return;
        }
        assertTrue(loaded.contains("libopenblas"), loaded);
    }
}

package org.dl4jpgm.datavec.pickle;

import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class PickleHeapTest {

    @TempDir
    Path dir;

    @Test
    void aPickleTooLargeForTheHeapFailsBeforeReadingNamingFileSizeAndXmx() throws Exception {
        Path p = dir.resolve("unaligned_50.pkl");
        Pickle4Writer.write(p, Map.of("x", new Pickle4Writer.Nd("f4", new long[]{1000}, new float[1000])));
        long size = Files.size(p);
        LongSupplier real = PickleReader.freeHeap;
        try {
            PickleReader.freeHeap = () -> (long) (PickleReader.HEAP_FACTOR * size) - 1; // one byte short
            PickleTooLargeException e = assertThrows(PickleTooLargeException.class, () -> PickleReader.read(p));
            assertInstanceOf(DataFormatException.class, e);
            assertEquals(p.toString(), e.getFile());
            assertEquals(size, e.getFileSize());
            Matcher m = Pattern.compile(Pattern.quote(p + ", file of " + size + " bytes: expected a pickle that fits in "
                    + "the Java heap (reading it needs about 1 MiB, 2.0 x its size, and 1 MiB are available), found too "
                    + "little heap; run Java with -Xmx") + "(\\d+)g or more").matcher(e.getMessage());
            assertTrue(m.matches(), e.getMessage());
            assertEquals(e.getXmxGiB(), Long.parseLong(m.group(1)));
            assertTrue(e.getXmxGiB() >= 1);

            PickleReader.freeHeap = () -> (long) (PickleReader.HEAP_FACTOR * size); // exactly enough
            assertTrue(PickleReader.read(p) instanceof Map);
        } finally {
            PickleReader.freeHeap = real;
        }
    }
}

package org.dl4jpgm.datavec.common;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class Utf8Test {

    @Test
    void findsTheFirstBadByteItsLineAndOffset() {
        assertNull(Utf8.find("caf\u00e9\n\u2013 \uD83D\uDE00".getBytes(StandardCharsets.UTF_8)));
        Utf8.Malformed m = Utf8.find(new byte[]{'a', '\n', 'b', (byte) 0xC3, 'c'}); // a lead byte without continuation
        assertEquals(3, m.offset());
        assertEquals(2, m.line());
        m = Utf8.find(new byte[]{'a', 'b', (byte) 0xE2, (byte) 0x80}); // truncated at the end of the file
        assertEquals(2, m.offset());
        assertEquals(1, m.line());
        m = Utf8.find(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // an encoded surrogate
        assertEquals(0, m.offset());
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Utf8.decode(Path.of("x.csv"), new byte[]{'o', 'k', '\n', (byte) 0xFF}));
        assertEquals("x.csv, line 2, byte offset 3: expected UTF-8 text, found the byte 0xFF, which is not valid "
                + "UTF-8 there", e.getMessage());
    }
}

package org.dl4jpgm.datavec.pickle;

import org.dl4jpgm.datavec.common.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PickleReaderTest {

    /**
     * Written by CPython 3.11 with numpy 1.24, protocol 4: {"f": np.asfortranarray(np.arange(6, dtype=">f8")
     * .reshape(2, 3)), "i": int16 [[1, 2], [3, 4]], "b": [True, False], "s": [b"ab", b"c"] (dtype S2)}.
     */
    private static final String HEX = ""
            + "8004959c010000000000007d94288c0166948c156e756d70792e636f72652e6d756c74696172726179948c0c5f7265636f6e"
            + "7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b024b038694"
            + "68058c0564747970659493948c02663894898887945294284b038c013e944e4e4e4affffffff4affffffff4b007494628843"
            + "30000000000000000040080000000000003ff000000000000040100000000000004000000000000000401400000000000094"
            + "7494628c016994680468074b008594680987945294284b014b024b028694680e8c02693294898887945294284b038c013c94"
            + "4e4e4e4affffffff4affffffff4b007494628943080100020003000400947494628c016294680468074b0085946809879452"
            + "94284b014b028594680e8c02623194898887945294284b038c017c944e4e4e4affffffff4affffffff4b0074946289430201"
            + "00947494628c017394680468074b008594680987945294284b014b028594680e8c02533294898887945294284b03682a4e4e"
            + "4e4b024b014b007494628943046162630094749462752e";

    @TempDir
    Path dir;

    @Test
    void fortranOrderBigEndianIntegersBoolsAndBytes() throws Exception {
        byte[] b = new byte[HEX.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(HEX.substring(2 * i, 2 * i + 2), 16);
        }
        Path p = dir.resolve("f.pkl");
        Files.write(p, b);
        Map<?, ?> m = (Map<?, ?>) PickleReader.read(p);
        NumpyArray f = (NumpyArray) m.get("f");
        assertArrayEquals(new long[]{2, 3}, f.shape());
        assertEquals(">f8", f.dtype().str());
        for (int k = 0; k < 6; k++) {
            assertEquals(k, f.getDouble(k), 0, "C-order element " + k);
        }
        NumpyArray i = (NumpyArray) m.get("i");
        assertEquals(4, i.getDouble(3), 0);
        assertEquals("3", i.getString(2));
        NumpyArray bo = (NumpyArray) m.get("b");
        assertEquals(1, bo.getDouble(0), 0);
        assertEquals(0, bo.getDouble(1), 0);
        NumpyArray s = (NumpyArray) m.get("s");
        assertFalse(s.isNumeric());
        assertEquals(Arrays.asList("ab", "c"), Arrays.asList(s.getString(0), s.getString(1)));
    }

    @Test
    void garbageIsAFormatErrorNamingTheFile() throws Exception {
        Path p = dir.resolve("not.pkl");
        Files.write(p, "hello world".getBytes());
        DataFormatException e = assertThrows(DataFormatException.class, () -> PickleReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ", byte "), e.getMessage());
    }
}

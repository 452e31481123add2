package org.dl4jpgm.datavec.pickle;

import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PickleProtocol5Test {

    /** CPython 3.12 + numpy 2.4: {@code pickle.dumps(np.arange(6, dtype=np.float32).reshape(2, 3), protocol=5)}. */
    static final String CPYTHON_NUMPY2_ARANGE6 = "8005958e000000000000008c136e756d70792e5f636f72652e6e756d65726963948c"
            + "0b5f66726f6d62756666657294939428961800000000000000000000000000803f0000004000004040000080400000a040948c056e"
            + "756d7079948c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b007494624b02"
            + "4b0386948c014394749452942e";

    /**
     * Length and SHA-256 of CPython 3.12 + numpy 2.4's {@code pickle.dumps(d, protocol=5)} of
     * {@code d = {"x": np.array(["ab", "c"]), "f": np.arange(20000, dtype=np.float32), "g": np.array([1.5, -2, 3],
     * dtype=np.float32), "n": np.arange(4, dtype=np.int64), "o": np.array(["a", 1], dtype=object)}}: a payload over
     * 64 KiB outside the frames, dtypes and globals fetched from the memo, an object array through _reconstruct.
     */
    static final int CPYTHON_DICT_LENGTH = 80485;
    static final String CPYTHON_DICT_SHA256 = "263faa26bd1956a81f00e7072dbd5525c31b2bc592c8052627c0554bcf7089ba";

    @TempDir
    Path dir;

    private static Map<String, Object> dict() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("x", new Pickle4Writer.Nd("U2", new long[]{2}, new String[]{"ab", "c"}));
        float[] f = new float[20000];
        for (int i = 0; i < f.length; i++) {
            f[i] = i;
        }
        d.put("f", new Pickle4Writer.Nd("f4", new long[]{20000}, f));
        d.put("g", new Pickle4Writer.Nd("f4", new long[]{3}, new float[]{1.5f, -2, 3}));
        d.put("n", new Pickle4Writer.Nd("i8", new long[]{4}, new long[]{0, 1, 2, 3}));
        d.put("o", new Pickle4Writer.Nd("O", new long[]{2}, new Object[]{"a", 1}));
        return d;
    }

    @Test
    void theWriterWritesWhatCPythonAndNumpy2Write() throws Exception {
        float[] v = {0, 1, 2, 3, 4, 5};
        byte[] one = Pickle4Writer.protocol5(true).dumps(new Pickle4Writer.Nd("f4", new long[]{2, 3}, v));
        assertEquals(CPYTHON_NUMPY2_ARANGE6, HexFormat.of().formatHex(one));
        byte[] all = Pickle4Writer.protocol5(true).dumps(dict());
        assertEquals(CPYTHON_DICT_LENGTH, all.length);
        assertEquals(CPYTHON_DICT_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all)));
    }

    @Test
    void readsProtocol5ArraysOfNumpy1AndNumpy2() throws Exception {
        for (boolean numpy2 : new boolean[]{true, false}) {
            Path p = dir.resolve("p5-" + numpy2 + ".pkl");
            Pickle4Writer.write5(p, dict(), numpy2);
            String text = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(text.contains(numpy2 ? "numpy._core.numeric" : "numpy.core.numeric"));
            assertTrue(text.contains("_frombuffer"));
            Map<?, ?> m = (Map<?, ?>) PickleReader.read(p);
            NumpyArray x = (NumpyArray) m.get("x");
            assertEquals(List.of("ab", "c"), List.of(x.getString(0), x.getString(1)));
            NumpyArray f = (NumpyArray) m.get("f");
            assertArrayEquals(new long[]{20000}, f.shape());
            assertEquals("<f4", f.dtype().str());
            assertEquals(19999, f.getDouble(19999), 0);
            assertEquals(12345, f.getDouble(12345), 0);
            NumpyArray g = (NumpyArray) m.get("g");
            assertArrayEquals(new float[]{1.5f, -2, 3}, g.getFloats(0, 3));
            assertEquals(3, ((NumpyArray) m.get("n")).getDouble(3), 0);
            NumpyArray o = (NumpyArray) m.get("o");
            assertEquals("a", o.getString(0));
            assertEquals(1, o.getDouble(1), 0);
        }
    }

    @Test
    void fortranOrderBuffersAreReadInCOrder() {
        // _frombuffer(buf, dtype, (2, 3), 'F'): the buffer holds the columns one after the other
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : new float[]{0, 3, 1, 4, 2, 5}) {
            b.putFloat(x);
        }
        NumpyDType t = new NumpyDType("f4");
        NumpyArray a = NumpyArray.fromBuffer(new Object[]{b.array(), t, new Object[]{2L, 3L}, "F"});
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, a.getFloats(0, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NumpyArray.fromBuffer(new Object[]{null, t, new Object[]{6L}, "C"}));
        assertTrue(e.getMessage().contains("out-of-band buffers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NumpyArray.fromBuffer(new Object[]{new byte[20], t, new Object[]{6L}, "C"}));
        assertTrue(e.getMessage().contains("expected 24 data bytes, found 20"), e.getMessage());
    }
}

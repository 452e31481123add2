package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamsDigestTest {

    // the expected digests are Python's: hashlib.sha256(numpy.asarray(values, '<f4').tobytes()).hexdigest()

    @Test
    void digestIsTheSha256OfTheLittleEndianFloatBits() {
        assertEquals("c1cff5e6e5dc7e449f54d6fb68e48c04ce3a0a5fe05ed3caa12544511d62e9b3",
                ParamsDigest.of(Nd4j.createFromArray(1.0f, -2.5f, 3.0e-8f).reshape(1, 3)));
    }

    @Test
    void digestSpansChunksInOrder() {
        int n = ParamsDigest.CHUNK + 3;   // numpy.arange(n) * 0.5 as float32
        INDArray halves = Nd4j.arange(n).castTo(DataType.FLOAT).muli(0.5f).reshape(1, n);
        assertEquals("320cc71a18f7024946919049708aef664bbc757d568c7a9c9b86a60104cee96e", ParamsDigest.of(halves));
    }

    @Test
    void aViewHashesItsOwnElementsOnly() {
        INDArray whole = Nd4j.createFromArray(9f, 1.0f, -2.5f, 3.0e-8f, 9f);
        INDArray view = whole.get(NDArrayIndex.interval(1, 4));
        assertEquals(ParamsDigest.of(Nd4j.createFromArray(1.0f, -2.5f, 3.0e-8f)), ParamsDigest.of(view));
    }

    @Test
    void oneBitChangesTheDigest() {
        float[] v = {1.0f, -2.5f, 3.0e-8f};
        String before = ParamsDigest.of(Nd4j.createFromArray(v));
        v[2] = Math.nextUp(v[2]);
        assertNotEquals(before, ParamsDigest.of(Nd4j.createFromArray(v)));
    }

    @Test
    void doubleParametersAreRefusedByType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParamsDigest.of(Nd4j.createFromArray(1.0, 2.0)));
        assertTrue(e.getMessage().contains("DOUBLE"), e.getMessage());
    }
}

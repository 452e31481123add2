package org.dl4jpgm.examples.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest of a network's parameters: two processes whose digests are equal after the same steps trained to
 * the same bits, whatever else differed between them (an OpenBLAS file, a thread count, a fast path switched off).
 *
 * <p>What is hashed: the parameters in DL4J's flattened order, each as its IEEE 754 single-precision bits,
 * little-endian; the same bytes as Python's {@code hashlib.sha256(numpy.asarray(p, '<f4').tobytes())}.
 */
final class ParamsDigest {

    /** Elements copied to the heap at a time: a digest of 42 M parameters takes 4 MB of heap, not 168. */
    static final int CHUNK = 1 << 20;

    private ParamsDigest() {
    }

    /**
     * The lowercase hexadecimal SHA-256 of {@code params}, any shape, read in 'c' order.
     *
     * @throws IllegalArgumentException where the parameters are not float (the bytes hashed would not be theirs)
     */
    static String of(INDArray params) {
        if (params.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("a parameter digest hashes float parameters, found "
                    + params.dataType());
        }
        INDArray flat = params.reshape('c', new long[] {params.length()});
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer bytes = ByteBuffer.allocate(4 * CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (long from = 0; from < flat.length(); from += CHUNK) {
            float[] values = flat.get(NDArrayIndex.interval(from, Math.min(flat.length(), from + CHUNK)))
                    .toFloatVector();
            bytes.clear();
            bytes.asFloatBuffer().put(values);
            sha.update(bytes.array(), 0, 4 * values.length);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}

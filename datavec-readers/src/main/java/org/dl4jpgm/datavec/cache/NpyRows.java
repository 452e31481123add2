package org.dl4jpgm.datavec.cache;

import org.dl4jpgm.datavec.layout.DatasetFormatException;
import org.dl4jpgm.datavec.layout.NpyHeader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Row blocks of a float32 C-order {@code .npy} file {@code [N, ...]}, read from disk on demand: {@link #read} returns
 * the rows {@code [from, to)} as a new array and keeps nothing, so a reader's memory does not grow with N (a feature
 * cache entry of 90k x 768 floats is 276 MB; {@link FeatureCache#read} would hold all of it).
 */
public final class NpyRows implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final long dataOffset;
    private final long[] shape;
    /** Floats per row: the product of the shape after N. */
    private final long rowLength;

    private NpyRows(Path file, FileChannel channel, NpyHeader header) {
        this.file = file;
        this.channel = channel;
        this.dataOffset = header.dataOffset();
        this.shape = header.shape();
        long r = 1;
        for (int i = 1; i < shape.length; i++) {
            r *= shape[i];
        }
        this.rowLength = r;
    }

    /**
     * Opens a float32 ({@code <f4}) C-order file of rank at least 1.
     *
     * @throws DatasetFormatException for another dtype, order or a scalar
     */
    public static NpyRows open(Path file) throws IOException {
        NpyHeader h = NpyHeader.read(file);
        if (!"<f4".equals(h.descr()) || h.fortranOrder() || h.shape().length == 0) {
            throw new DatasetFormatException(file, -1, "expected a float32 (<f4) C-order array [N, ...], found dtype "
                    + h.descr() + (h.fortranOrder() ? " in Fortran order" : "") + ", shape " + Arrays.toString(h.shape()));
        }
        return new NpyRows(file, FileChannel.open(file), h);
    }

    /** N, the number of rows. */
    public long count() {
        return shape[0];
    }

    /** The shape {@code [N, ...]}. */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The rows {@code [from, to)}: a new float array {@code [to - from, ...]}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from < to <= N}
     */
    public INDArray read(long from, long to) {
        if (from < 0 || to > shape[0] || from >= to) {
            throw new IndexOutOfBoundsException("NpyRows " + file + ": rows [" + from + ", " + to + ") of " + shape[0]);
        }
        long floats = (to - from) * rowLength;
        if (floats > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("NpyRows " + file + ": rows [" + from + ", " + to + ") are " + floats
                    + " floats, more than one read may hold");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataOffset + from * rowLength * 4;
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, position + buf.position());
                if (n < 0) {
                    throw new IOException("end of file at byte " + (position + buf.position()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("NpyRows " + file + ": cannot read rows [" + from + ", " + to + ")", e);
        }
        buf.flip();
        float[] values = new float[(int) floats];
        buf.asFloatBuffer().get(values);
        long[] s = shape.clone();
        s[0] = to - from;
        return Nd4j.create(values, s, 'c');
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

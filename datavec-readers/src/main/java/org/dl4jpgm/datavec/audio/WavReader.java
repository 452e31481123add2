package org.dl4jpgm.datavec.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a RIFF/WAVE file of 8-, 16- or 32-bit integer PCM (what {@code espeak-ng -w} writes), mixing
 * channels down to mono and scaling samples to [-1, 1].
 */
public final class WavReader {

    /** A decoded mono signal. */
    public record Audio(float[] samples, int sampleRate) {
        /** Duration in seconds. */
        public double seconds() {
            return samples.length / (double) sampleRate;
        }
    }

    private WavReader() {
    }

    /**
     * @throws IOException with the file name and what was expected and found when the file is not PCM WAVE
     */
    public static Audio read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes WAVE bytes; {@code source} names them in messages. */
    public static Audio decode(byte[] bytes, String source) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(source + ": expected a RIFF/WAVE file, found other content");
        }
        int pos = 12;
        int channels = -1;
        int rate = -1;
        int bits = -1;
        while (pos + 8 <= bytes.length) {
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                int format = Short.toUnsignedInt(b.getShort(body));
                channels = Short.toUnsignedInt(b.getShort(body + 2));
                rate = b.getInt(body + 4);
                bits = Short.toUnsignedInt(b.getShort(body + 14));
                if (format != 1 && format != 0xFFFE) {
                    throw new IOException(source + ": expected integer PCM (format 1), found format " + format);
                }
                if (bits != 8 && bits != 16 && bits != 32) {
                    throw new IOException(source + ": expected 8, 16 or 32 bits per sample, found " + bits);
                }
            } else if (id == 0x61746164) { // "data"
                if (channels < 1) {
                    throw new IOException(source + ": expected a \"fmt \" chunk before \"data\", found none");
                }
                long avail = Math.min(size, bytes.length - body); // streamed files carry a placeholder size
                int frameBytes = channels * bits / 8;
                int n = (int) (avail / frameBytes);
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int c = 0; c < channels; c++) {
                        int at = body + i * frameBytes + c * bits / 8;
                        s += switch (bits) {
                            case 8 -> (Byte.toUnsignedInt(b.get(at)) - 128) / 128.0;
                            case 16 -> b.getShort(at) / 32768.0;
                            default -> b.getInt(at) / 2147483648.0;
                        };
                    }
                    out[i] = (float) (s / channels);
                }
                return new Audio(out, rate);
            }
            pos = body + (int) Math.min(size + (size & 1), Integer.MAX_VALUE - body);
        }
        throw new IOException(source + ": expected a \"data\" chunk, found none");
    }
}

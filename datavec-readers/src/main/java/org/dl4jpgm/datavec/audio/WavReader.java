package org.dl4jpgm.datavec.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads RIFF/WAVE files: integer PCM of 8, 16, 24 or 32 bits and 32-bit float, also in the WAVE_FORMAT_EXTENSIBLE
 * wrapper, mixing channels down to mono and scaling samples to [-1, 1]; and writes 16-bit PCM mono. The one WAV reader
 * of the project (the embedded data set's builder and the audio encoder use it).
 *
 * <p>Parsed by hand rather than through {@code javax.sound.sampled}: {@code espeak-ng -w} streams its output and
 * writes 0x7fffffff as the data chunk's size, which {@code AudioSystem} takes at its word (it reports a length past
 * the end of the file); here the data is clamped to the file. {@code javax.sound.sampled} also reads no 24-bit
 * extensible files.
 */
public final class WavReader {

    /** A decoded mono signal. */
    public record Audio(float[] samples, int sampleRate) {
        /** Duration in seconds. */
        public double seconds() {
            return samples.length / (double) sampleRate;
        }
    }

    private static final int RIFF = 0x46464952;
    private static final int WAVE = 0x45564157;
    private static final int FMT = 0x20746d66;
    private static final int DATA = 0x61746164;
    private static final int PCM = 1;
    private static final int FLOAT = 3;
    private static final int EXTENSIBLE = 0xFFFE;

    private WavReader() {
    }

    /**
     * @throws IOException naming the file, the byte offset and what was expected and found when it is not such a WAVE
     */
    public static Audio read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes WAVE bytes; {@code source} names them in messages. */
    public static Audio decode(byte[] bytes, String source) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || b.getInt(0) != RIFF || b.getInt(8) != WAVE) {
            throw new IOException(source + ", bytes 0-11: expected a RIFF/WAVE header, found other content");
        }
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        long pos = 12;
        while (pos + 8 <= bytes.length) {
            int at = (int) pos;
            int id = b.getInt(at);
            long size = Integer.toUnsignedLong(b.getInt(at + 4));
            int body = at + 8;
            if (id == FMT) {
                if (size < 16 || body + 16 > bytes.length) {
                    throw new IOException(source + ", byte " + at + ": expected a \"fmt \" chunk of at least 16 bytes, "
                            + "found " + Math.min(size, bytes.length - body));
                }
                format = Short.toUnsignedInt(b.getShort(body));
                channels = Short.toUnsignedInt(b.getShort(body + 2));
                rate = b.getInt(body + 4);
                bits = Short.toUnsignedInt(b.getShort(body + 14));
                if (format == EXTENSIBLE && size >= 26 && body + 26 <= bytes.length) {
                    format = Short.toUnsignedInt(b.getShort(body + 24)); // the sub-format GUID's first 2 bytes
                }
            } else if (id == DATA) {
                if (format < 0) {
                    throw new IOException(source + ", byte " + at + ": expected a \"fmt \" chunk before \"data\", "
                            + "found none");
                }
                long avail = Math.min(size, bytes.length - body); // streamed files carry a placeholder size
                return new Audio(samples(b, body, (int) avail, format, channels, bits, source), rate);
            }
            pos = body + size + (size & 1);
        }
        throw new IOException(source + ": expected a \"data\" chunk, found none");
    }

    private static float[] samples(ByteBuffer b, int off, int len, int format, int channels, int bits, String source)
            throws IOException {
        if (channels < 1) {
            throw new IOException(source + ", \"fmt \" chunk: expected at least one channel, found " + channels);
        }
        boolean pcm = format == PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
        boolean flt = format == FLOAT && bits == 32;
        if (!pcm && !flt) {
            throw new IOException(source + ", \"fmt \" chunk: expected integer PCM of 8, 16, 24 or 32 bits or 32-bit "
                    + "float, found format " + format + " with " + bits + " bits");
        }
        int bytes = bits / 8;
        int frames = len / (bytes * channels);
        float[] out = new float[frames];
        for (int f = 0; f < frames; f++) {
            double acc = 0;
            for (int c = 0; c < channels; c++) {
                int p = off + (f * channels + c) * bytes;
                if (flt) {
                    acc += b.getFloat(p);
                } else {
                    acc += switch (bits) {
                        case 8 -> (Byte.toUnsignedInt(b.get(p)) - 128) / 128.0;
                        case 16 -> b.getShort(p) / 32768.0;
                        case 24 -> ((b.get(p) & 0xff) | ((b.get(p + 1) & 0xff) << 8) | (b.get(p + 2) << 16)) / 8388608.0;
                        default -> b.getInt(p) / 2147483648.0;
                    };
                }
            }
            out[f] = (float) (acc / channels);
        }
        return out;
    }

    /** Writes 16-bit PCM mono (for tests and tools). Samples are clipped to [-1, 1]. */
    public static void write16(Path wav, float[] samples, int rate) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(RIFF).putInt(36 + 2 * samples.length).putInt(WAVE);
        b.putInt(FMT).putInt(16).putShort((short) PCM).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(DATA).putInt(2 * samples.length);
        for (float s : samples) {
            b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, s)) * 32767f));
        }
        Files.write(wav, b.array());
    }
}

package org.dl4jpgm.encoders.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads RIFF/WAVE files: PCM 8/16/24/32-bit integer or 32-bit float, any channel count (mixed down to mono
 * by averaging), to samples in [-1, 1].
 */
public final class WavReader {

    private WavReader() {
    }

    /** Mono samples in [-1, 1] and their rate. */
    public static final class Audio {
        private final float[] samples;
        private final int sampleRate;

        public Audio(float[] samples, int sampleRate) {
            this.samples = samples;
            this.sampleRate = sampleRate;
        }

        /** @return the samples, [-1, 1] */
        public float[] samples() {
            return samples;
        }

        /** @return samples per second */
        public int sampleRate() {
            return sampleRate;
        }
    }

    /** @return the file's audio, mono; fails naming the file and byte offset of what is wrong */
    public static Audio read(Path wav) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException("WavReader: " + wav + ": not a RIFF/WAVE file (bytes 0-11)");
        }
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int pos = 12;
        while (pos + 8 <= b.limit()) {
            int id = b.getInt(pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                format = b.getShort(body) & 0xffff;
                channels = b.getShort(body + 2) & 0xffff;
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14) & 0xffff;
                if (format == 0xFFFE && size >= 26) { // WAVE_FORMAT_EXTENSIBLE: sub-format's first 2 bytes
                    format = b.getShort(body + 24) & 0xffff;
                }
            } else if (id == 0x61746164) { // "data"
                if (format < 0) {
                    throw new IOException("WavReader: " + wav + ": data chunk at byte " + pos + " before fmt chunk");
                }
                // espeak-ng writes 0x7fffffff as the data size when streaming: clamp to the file.
                long avail = Math.min(size, b.limit() - body);
                return new Audio(decode(wav, b, body, (int) avail, format, channels, bits), rate);
            }
            pos = (int) (body + size + (size & 1));
        }
        throw new IOException("WavReader: " + wav + ": no data chunk found");
    }

    private static float[] decode(Path wav, ByteBuffer b, int off, int len, int format, int channels, int bits)
            throws IOException {
        if (channels < 1) {
            throw new IOException("WavReader: " + wav + ": channel count " + channels);
        }
        boolean pcm = format == 1;
        boolean flt = format == 3;
        if (!(pcm && (bits == 8 || bits == 16 || bits == 24 || bits == 32)) && !(flt && bits == 32)) {
            throw new IOException("WavReader: " + wav + ": unsupported encoding (format " + format + ", " + bits
                    + " bits); expected PCM 8/16/24/32-bit or float 32-bit");
        }
        int bytes = bits / 8;
        int frames = len / (bytes * channels);
        float[] out = new float[frames];
        for (int f = 0; f < frames; f++) {
            double acc = 0;
            for (int c = 0; c < channels; c++) {
                int p = off + (f * channels + c) * bytes;
                double v;
                if (flt) {
                    v = b.getFloat(p);
                } else if (bits == 8) {
                    v = ((b.get(p) & 0xff) - 128) / 128.0;
                } else if (bits == 16) {
                    v = b.getShort(p) / 32768.0;
                } else if (bits == 24) {
                    int x = (b.get(p) & 0xff) | ((b.get(p + 1) & 0xff) << 8) | (b.get(p + 2) << 16);
                    v = x / 8388608.0;
                } else {
                    v = b.getInt(p) / 2147483648.0;
                }
                acc += v;
            }
            out[f] = (float) (acc / channels);
        }
        return out;
    }

    /** Writes 16-bit PCM mono (for tests and tools). Samples are clipped to [-1, 1]. */
    public static void write16(Path wav, float[] samples, int rate) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + 2 * samples.length).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(2 * samples.length);
        for (float s : samples) {
            b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, s)) * 32767f));
        }
        Files.write(wav, b.array());
    }
}

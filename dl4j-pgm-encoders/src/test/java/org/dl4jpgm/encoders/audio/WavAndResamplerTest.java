package org.dl4jpgm.encoders.audio;

import org.dl4jpgm.datavec.audio.WavReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WavAndResamplerTest {

    private static float[] sine(double hz, int rate, int n, double amp) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }

    @Test
    void writesAndReadsSixteenBitPcm(@TempDir Path dir) throws Exception {
        float[] s = sine(440, 22050, 2205, 0.5);
        Path f = dir.resolve("a.wav");
        WavReader.write16(f, s, 22050);
        WavReader.Audio a = WavReader.read(f);
        assertEquals(22050, a.sampleRate());
        assertEquals(s.length, a.samples().length);
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i], a.samples()[i], 1.0 / 32768 + 1e-6);
        }
    }

    @Test
    void mixesStereoFloatToMono(@TempDir Path dir) throws Exception {
        int n = 100;
        ByteBuffer b = ByteBuffer.allocate(44 + n * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + n * 8).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 3).putShort((short) 2).putInt(8000).putInt(8000 * 8)
                .putShort((short) 8).putShort((short) 32);
        b.putInt(0x61746164).putInt(n * 8);
        for (int i = 0; i < n; i++) {
            b.putFloat(0.25f).putFloat(-0.75f);
        }
        Path f = dir.resolve("s.wav");
        Files.write(f, b.array());
        WavReader.Audio a = WavReader.read(f);
        assertEquals(n, a.samples().length);
        assertEquals(-0.25f, a.samples()[50], 1e-7);
    }

    @Test
    void rejectsNonWavWithFileName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.wav");
        Files.writeString(f, "not a wave file at all");
        IOException e = assertThrows(IOException.class, () -> WavReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void resamplingKeepsFrequencyAndAmplitude() {
        float[] in = sine(1000, 22050, 22050, 0.5);
        float[] out = Resampler.resample(in, 22050, 16000);
        assertEquals(16000, out.length);
        float[] expected = sine(1000, 16000, 16000, 0.5);
        double maxErr = 0;
        for (int i = 200; i < 15800; i++) { // away from the edges
            maxErr = Math.max(maxErr, Math.abs(out[i] - expected[i]));
        }
        assertTrue(maxErr < 0.01, "max error " + maxErr);
    }

    @Test
    void downsamplingRemovesFrequenciesAboveTheNewNyquist() {
        float[] in = sine(10000, 44100, 44100, 0.5); // above 8 kHz: must vanish at 16 kHz
        float[] out = Resampler.resample(in, 44100, 16000);
        double rms = 0;
        for (int i = 200; i < out.length - 200; i++) {
            rms += out[i] * out[i];
        }
        rms = Math.sqrt(rms / (out.length - 400));
        assertTrue(rms < 0.02, "aliased energy rms " + rms);
    }
}

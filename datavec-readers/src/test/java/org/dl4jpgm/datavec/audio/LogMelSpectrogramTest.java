package org.dl4jpgm.datavec.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class LogMelSpectrogramTest {

    @TempDir
    Path tmp;

    /**
     * Hand computation: a sine of amplitude A exactly on bin k0 of an N-point periodic Hann window has
     * |X[k0]| = A N / 4, |X[k0 +- 1]| = A N / 8 and X = 0 elsewhere. So the mel energy of band m is
     * w_m(k0-1) (AN/8)^2 + w_m(k0) (AN/4)^2 + w_m(k0+1) (AN/8)^2 with the triangle weights w_m computed
     * here from the mel formula.
     */
    @Test
    void sineOnABinMatchesTheHandComputation() {
        int sr = 8000;
        int n = 256;
        int k0 = 32; // 1000 Hz
        double a = 0.5;
        int mels = 10;
        LogMelSpectrogram lm = LogMelSpectrogram.builder().sampleRate(sr).frameLength(n).hopLength(n).numMels(mels)
                .frequencyRange(0, 4000).logOffset(1e-6).build();
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (a * Math.sin(2 * Math.PI * k0 * i / n));
        }
        double[] p = lm.powerSpectrum(x, 0);
        assertEquals(Math.pow(a * n / 4, 2), p[k0], 1e-3);
        assertEquals(Math.pow(a * n / 8, 2), p[k0 - 1], 1e-3);
        assertEquals(Math.pow(a * n / 8, 2), p[k0 + 1], 1e-3);
        for (int k = 0; k < p.length; k++) {
            if (Math.abs(k - k0) > 1) {
                assertEquals(0.0, p[k], 1e-6, "bin " + k);
            }
        }
        // mel edges by hand: 2595 log10(1 + f/700), 12 points equally spaced in mel over 0..4000 Hz
        double melMax = 2595 * Math.log10(1 + 4000 / 700.0);
        double[] edge = new double[mels + 2];
        for (int i = 0; i < edge.length; i++) {
            edge[i] = 700 * (Math.pow(10, melMax * i / (mels + 1) / 2595) - 1);
        }
        float[][] out = lm.compute(x);
        assertEquals(1, out.length);
        int loudest = 0;
        for (int m = 0; m < mels; m++) {
            double e = 0;
            for (int k = k0 - 1; k <= k0 + 1; k++) {
                double f = k * sr / (double) n;
                double w = Math.max(0, Math.min((f - edge[m]) / (edge[m + 1] - edge[m]), (edge[m + 2] - f) / (edge[m + 2] - edge[m + 1])));
                e += w * Math.pow(a * n / (k == k0 ? 4 : 8), 2);
            }
            assertEquals(Math.log(e + 1e-6), out[0][m], 1e-3, "band " + m);
            if (out[0][m] > out[0][loudest]) {
                loudest = m;
            }
        }
        // 1000 Hz lies between edge[3] and edge[5]: the band centred nearest to it is the loudest
        int nearest = 0;
        for (int m = 0; m < mels; m++) {
            if (Math.abs(edge[m + 1] - 1000) < Math.abs(edge[nearest + 1] - 1000)) {
                nearest = m;
            }
        }
        assertEquals(nearest, loudest);
    }

    @Test
    void framesHopAndZeroPadding() {
        LogMelSpectrogram lm = LogMelSpectrogram.builder().sampleRate(16000).frameLength(512).hopLength(160).numMels(8).build();
        assertEquals(1, lm.numFrames(100));
        assertEquals(1, lm.numFrames(512));
        assertEquals(2, lm.numFrames(513));
        assertEquals(1 + (16000 - 512 + 159) / 160, lm.compute(new float[16000]).length);
        // silence gives ln(logOffset) everywhere
        assertEquals(Math.log(1e-6), lm.compute(new float[600])[1][3], 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogMelSpectrogram.builder().frameLength(1000).build());
        assertTrue(e.getMessage().contains("frameLength") && e.getMessage().contains("1000"));
    }

    @Test
    void wavReaderDecodesPcm16StereoToMono() throws IOException {
        int n = 100;
        ByteBuffer b = ByteBuffer.allocate(44 + n * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + n * 4).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2).putInt(11025).putInt(11025 * 4)
                .putShort((short) 4).putShort((short) 16);
        b.put("data".getBytes()).putInt(n * 4);
        for (int i = 0; i < n; i++) {
            b.putShort((short) (i * 100)).putShort((short) (-i * 50));
        }
        Path f = tmp.resolve("x.wav");
        Files.write(f, b.array());
        WavReader.Audio a = WavReader.read(f);
        assertEquals(11025, a.sampleRate());
        assertEquals(n, a.samples().length);
        assertEquals((99 * 100 - 99 * 50) / 2.0 / 32768.0, a.samples()[99], 1e-6);
        Files.writeString(f, "not a wav");
        IOException e = assertThrows(IOException.class, () -> WavReader.read(f));
        assertTrue(e.getMessage().contains("x.wav") && e.getMessage().contains("RIFF"));
    }
}

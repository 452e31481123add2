package org.dl4jpgm.datavec.audio;

/**
 * Log-mel spectrogram of a mono signal, in plain Java.
 * <p>
 * Frame f covers samples {@code [f*hop, f*hop + frameLength)} (zero-padded past the end; at least one
 * frame; no centering). Each frame is multiplied by a periodic Hann window {@code w[n] = 0.5 - 0.5 cos(2 pi n / N)},
 * transformed by a radix-2 FFT of size N = frameLength, and its power spectrum {@code P[k] = |X[k]|^2}
 * (k = 0..N/2, no normalisation) is weighted by triangular mel filters: numMels + 2 points equally
 * spaced on the HTK mel scale {@code mel(f) = 2595 log10(1 + f / 700)} between fMin and fMax; filter m
 * rises linearly from point m to point m+1 and falls to point m+2 (peak 1, no area normalisation),
 * evaluated at the bin frequencies {@code k * sampleRate / N}. The output is {@code ln(E + logOffset)}.
 * <p>
 * Output shape: [S, numMels] (frames x bands), which is numpy order [S, D] for the dataset layout.
 */
public final class LogMelSpectrogram {

    /** Sample rate of the input in Hz. Default 22050 (espeak-ng's). */
    private int sampleRate = 22050;
    /** FFT / window length N in samples, a power of two. Default 1024. */
    private int frameLength = 1024;
    /** Hop between frames in samples. Default 512. */
    private int hopLength = 512;
    /** Number of mel bands. Default 40. */
    private int numMels = 40;
    /** Lowest filter edge in Hz. Default 0. */
    private double fMin = 0;
    /** Highest filter edge in Hz; default (negative) = sampleRate / 2. */
    private double fMax = -1;
    /** Added to the mel energies before the logarithm. Default 1e-6. */
    private double logOffset = 1e-6;

    private double[] window;
    private double[][] filters;

    private LogMelSpectrogram() {
    }

    /** Sample rate in Hz. */
    public int getSampleRate() {
        return sampleRate;
    }

    /** FFT length N. */
    public int getFrameLength() {
        return frameLength;
    }

    /** Hop length. */
    public int getHopLength() {
        return hopLength;
    }

    /** Mel bands. */
    public int getNumMels() {
        return numMels;
    }

    /** Lowest edge in Hz. */
    public double getFMin() {
        return fMin;
    }

    /** Highest edge in Hz. */
    public double getFMax() {
        return fMax;
    }

    /** Offset before the log. */
    public double getLogOffset() {
        return logOffset;
    }

    /** HTK mel of a frequency in Hz. */
    public static double hzToMel(double hz) {
        return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }

    /** Inverse of {@link #hzToMel}. */
    public static double melToHz(double mel) {
        return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
    }

    /** The filter bank, [numMels][frameLength / 2 + 1] (a copy). */
    public double[][] filterBank() {
        double[][] c = new double[filters.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = filters[i].clone();
        }
        return c;
    }

    /** Number of frames for a signal of {@code n} samples: max(1, 1 + ceil((n - N) / hop)). */
    public int numFrames(int n) {
        if (n <= frameLength) {
            return 1;
        }
        return 1 + (n - frameLength + hopLength - 1) / hopLength;
    }

    /** Power spectrum |X[k]|^2, k = 0..N/2, of the windowed frame starting at {@code start}. */
    public double[] powerSpectrum(float[] signal, int start) {
        int n = frameLength;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            int at = start + i;
            re[i] = at < signal.length ? signal[at] * window[i] : 0;
        }
        fft(re, im);
        double[] p = new double[n / 2 + 1];
        for (int k = 0; k < p.length; k++) {
            p[k] = re[k] * re[k] + im[k] * im[k];
        }
        return p;
    }

    /** Log-mel spectrogram, [numFrames(signal.length)][numMels]. */
    public float[][] compute(float[] signal) {
        int frames = numFrames(signal.length);
        float[][] out = new float[frames][numMels];
        for (int f = 0; f < frames; f++) {
            double[] p = powerSpectrum(signal, f * hopLength);
            for (int m = 0; m < numMels; m++) {
                double e = 0;
                double[] w = filters[m];
                for (int k = 0; k < p.length; k++) {
                    e += w[k] * p[k];
                }
                out[f][m] = (float) Math.log(e + logOffset);
            }
        }
        return out;
    }

    /** In-place iterative radix-2 complex FFT (forward, no scaling). */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = -2 * Math.PI / len;
            for (int i = 0; i < n; i += len) {
                for (int k = 0; k < len / 2; k++) {
                    double wr = Math.cos(ang * k);
                    double wi = Math.sin(ang * k);
                    int a = i + k;
                    int b = a + len / 2;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }

    /** Starts a configuration. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates and precomputes the window and filters. */
    public static final class Builder {
        private final LogMelSpectrogram s = new LogMelSpectrogram();

        private Builder() {
        }

        /** Sample rate in Hz (> 0). */
        public Builder sampleRate(int v) {
            s.sampleRate = v;
            return this;
        }

        /** FFT / window length, a power of two >= 16. */
        public Builder frameLength(int v) {
            s.frameLength = v;
            return this;
        }

        /** Hop length (>= 1). */
        public Builder hopLength(int v) {
            s.hopLength = v;
            return this;
        }

        /** Number of mel bands (>= 1). */
        public Builder numMels(int v) {
            s.numMels = v;
            return this;
        }

        /** Filter edges in Hz, 0 &lt;= fMin &lt; fMax &lt;= sampleRate / 2. */
        public Builder frequencyRange(double fMin, double fMax) {
            s.fMin = fMin;
            s.fMax = fMax;
            return this;
        }

        /** Offset before the log (> 0). */
        public Builder logOffset(double v) {
            s.logOffset = v;
            return this;
        }

        /** Validates and builds. */
        public LogMelSpectrogram build() {
            LogMelSpectrogram c = new LogMelSpectrogram();
            c.sampleRate = s.sampleRate;
            c.frameLength = s.frameLength;
            c.hopLength = s.hopLength;
            c.numMels = s.numMels;
            c.fMin = s.fMin;
            c.fMax = s.fMax < 0 ? s.sampleRate / 2.0 : s.fMax;
            c.logOffset = s.logOffset;
            if (c.sampleRate <= 0) {
                throw new IllegalArgumentException("LogMelSpectrogram: sampleRate must be > 0, found " + c.sampleRate);
            }
            if (c.frameLength < 16 || Integer.bitCount(c.frameLength) != 1) {
                throw new IllegalArgumentException("LogMelSpectrogram: frameLength must be a power of two >= 16, found " + c.frameLength);
            }
            if (c.hopLength < 1) {
                throw new IllegalArgumentException("LogMelSpectrogram: hopLength must be >= 1, found " + c.hopLength);
            }
            if (c.numMels < 1) {
                throw new IllegalArgumentException("LogMelSpectrogram: numMels must be >= 1, found " + c.numMels);
            }
            if (!(c.fMin >= 0 && c.fMin < c.fMax && c.fMax <= c.sampleRate / 2.0)) {
                throw new IllegalArgumentException("LogMelSpectrogram: need 0 <= fMin < fMax <= sampleRate/2 (" + c.sampleRate / 2.0
                        + "), found fMin " + c.fMin + ", fMax " + c.fMax);
            }
            if (!(c.logOffset > 0)) {
                throw new IllegalArgumentException("LogMelSpectrogram: logOffset must be > 0, found " + c.logOffset);
            }
            c.window = new double[c.frameLength];
            for (int i = 0; i < c.frameLength; i++) {
                c.window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / c.frameLength);
            }
            double lo = hzToMel(c.fMin);
            double hi = hzToMel(c.fMax);
            double[] edges = new double[c.numMels + 2];
            for (int i = 0; i < edges.length; i++) {
                edges[i] = melToHz(lo + (hi - lo) * i / (c.numMels + 1));
            }
            int bins = c.frameLength / 2 + 1;
            c.filters = new double[c.numMels][bins];
            for (int m = 0; m < c.numMels; m++) {
                for (int k = 0; k < bins; k++) {
                    double f = k * (double) c.sampleRate / c.frameLength;
                    double up = (f - edges[m]) / (edges[m + 1] - edges[m]);
                    double down = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
                    c.filters[m][k] = Math.max(0, Math.min(up, down));
                }
            }
            return c;
        }
    }
}

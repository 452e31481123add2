package org.dl4jpgm.encoders.audio;

/**
 * Band-limited resampling by windowed sinc interpolation (Hann window, {@value #HALF_WIDTH} zero crossings
 * each side); when downsampling the sinc's cutoff is lowered to the new Nyquist frequency (anti-aliasing).
 */
public final class Resampler {

    /** Zero crossings of the sinc kernel on each side. */
    public static final int HALF_WIDTH = 16;

    private Resampler() {
    }

    /**
     * @param in     samples at {@code fromRate}
     * @param fromRate source rate (Hz), > 0
     * @param toRate target rate (Hz), > 0
     * @return samples at {@code toRate} (the same array when the rates are equal)
     */
    public static float[] resample(float[] in, int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("Resampler: rates must be > 0, found " + fromRate + " -> " + toRate);
        }
        if (fromRate == toRate) {
            return in;
        }
        double ratio = (double) toRate / fromRate;
        double cutoff = Math.min(1.0, ratio); // fraction of the source Nyquist frequency
        int outLen = (int) Math.floor(in.length * ratio);
        float[] out = new float[outLen];
        double support = HALF_WIDTH / cutoff;
        for (int i = 0; i < outLen; i++) {
            double t = i / ratio;
            int lo = (int) Math.ceil(t - support);
            int hi = (int) Math.floor(t + support);
            double acc = 0;
            for (int j = Math.max(0, lo); j <= Math.min(in.length - 1, hi); j++) {
                double x = (t - j) * cutoff;
                double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
                double w = 0.5 * (1 + Math.cos(Math.PI * (t - j) / support));
                acc += in[j] * sinc * w;
            }
            out[i] = (float) (acc * cutoff);
        }
        return out;
    }
}

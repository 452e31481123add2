package org.dl4jpgm.datavec.embedded;

import java.util.List;

/**
 * Options of {@link DigitsSpeechBuilder}: seed, split fractions, audio and text feature sizes, and the
 * ranges the speech variation is drawn from. The defaults built the committed embedded set.
 */
public final class DigitsSpeechOptions {

    /** Seed of every random choice (pairing, splits, voices, noise, text). Default 20250725. */
    private long seed = 20250725L;
    /** Fraction of the images in the train split. Default 0.70. */
    private double trainFraction = 0.70;
    /** Fraction in the valid split (test gets the rest). Default 0.15. */
    private double validFraction = 0.15;
    /** Audio: frames kept per utterance, S (longer ones are cut, shorter ones padded and masked). Default 24. */
    private int maxFrames = 24;
    /** Audio: mel bands D. Default 16. */
    private int numMels = 16;
    /** Audio: FFT/window length in samples at 22050 Hz (46 ms). Default 1024. */
    private int frameLength = 1024;
    /** Audio: hop in samples at 22050 Hz (29 ms). Default 640. */
    private int hopLength = 640;
    /** Audio: mel range lower edge in Hz. Default 50. */
    private double fMin = 50;
    /** Audio: mel range upper edge in Hz. Default 8000. */
    private double fMax = 8000;
    /** Audio: signal-to-noise ratio of the added white noise, lowest, in dB. Default 0. */
    private double snrMinDb = 0;
    /** Audio: highest SNR in dB. Default 20. */
    private double snrMaxDb = 20;
    /** Speech speed range, words per minute. Default 130..210. */
    private int speedMin = 130;
    /** Highest speed. */
    private int speedMax = 210;
    /** Pitch range (espeak-ng 0..99). Default 20..80. */
    private int pitchMin = 20;
    /** Highest pitch. */
    private int pitchMax = 80;
    /** espeak-ng English voices drawn from. */
    private List<String> voices = List.of("en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029");
    /** espeak-ng voice variants drawn from ("" = none). */
    private List<String> variants = List.of("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
            "croak", "klatt", "klatt2", "whisper");
    /** Text: hashed trigram buckets D. Default 64. */
    private int textDims = 64;

    private DigitsSpeechOptions() {
    }

    /** The defaults. */
    public static DigitsSpeechOptions defaults() {
        return builder().build();
    }

    public long getSeed() {
        return seed;
    }

    public double getTrainFraction() {
        return trainFraction;
    }

    public double getValidFraction() {
        return validFraction;
    }

    public int getMaxFrames() {
        return maxFrames;
    }

    public int getNumMels() {
        return numMels;
    }

    public int getFrameLength() {
        return frameLength;
    }

    public int getHopLength() {
        return hopLength;
    }

    public double getFMin() {
        return fMin;
    }

    public double getFMax() {
        return fMax;
    }

    public double getSnrMinDb() {
        return snrMinDb;
    }

    public double getSnrMaxDb() {
        return snrMaxDb;
    }

    public int getSpeedMin() {
        return speedMin;
    }

    public int getSpeedMax() {
        return speedMax;
    }

    public int getPitchMin() {
        return pitchMin;
    }

    public int getPitchMax() {
        return pitchMax;
    }

    public List<String> getVoices() {
        return voices;
    }

    public List<String> getVariants() {
        return variants;
    }

    public int getTextDims() {
        return textDims;
    }

    /** One line per option, for the PROVENANCE file. */
    public String describe() {
        return "seed=" + seed + "\ntrainFraction=" + trainFraction + "\nvalidFraction=" + validFraction
                + "\naudio.maxFrames=" + maxFrames + "\naudio.numMels=" + numMels + "\naudio.frameLength=" + frameLength
                + "\naudio.hopLength=" + hopLength + "\naudio.fMin=" + fMin + "\naudio.fMax=" + fMax
                + "\naudio.snrDb=" + snrMinDb + ".." + snrMaxDb + "\nspeech.speed=" + speedMin + ".." + speedMax
                + "\nspeech.pitch=" + pitchMin + ".." + pitchMax + "\nspeech.voices=" + voices + "\nspeech.variants=" + variants
                + "\ntext.dims=" + textDims + "\n";
    }

    /** Starts options. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final DigitsSpeechOptions o = new DigitsSpeechOptions();

        private Builder() {
        }

        public Builder seed(long seed) {
            o.seed = seed;
            return this;
        }

        /** Train and valid fractions (test gets the rest). */
        public Builder splitFractions(double train, double valid) {
            o.trainFraction = train;
            o.validFraction = valid;
            return this;
        }

        /** Audio frames S and mel bands D. */
        public Builder audioShape(int maxFrames, int numMels) {
            o.maxFrames = maxFrames;
            o.numMels = numMels;
            return this;
        }

        /** Text feature width D. */
        public Builder textDims(int dims) {
            o.textDims = dims;
            return this;
        }

        /** Voices and variants drawn from. */
        public Builder voices(List<String> voices, List<String> variants) {
            o.voices = List.copyOf(voices);
            o.variants = List.copyOf(variants);
            return this;
        }

        public DigitsSpeechOptions build() {
            if (!(o.trainFraction > 0 && o.validFraction >= 0 && o.trainFraction + o.validFraction < 1)) {
                throw new IllegalArgumentException("DigitsSpeechOptions: need train > 0, valid >= 0, train + valid < 1; found train "
                        + o.trainFraction + ", valid " + o.validFraction);
            }
            if (o.maxFrames < 1 || o.numMels < 1) {
                throw new IllegalArgumentException("DigitsSpeechOptions: audioShape must be >= 1 x >= 1, found " + o.maxFrames + " x " + o.numMels);
            }
            if (o.textDims < 1) {
                throw new IllegalArgumentException("DigitsSpeechOptions: textDims must be >= 1, found " + o.textDims);
            }
            if (o.voices.isEmpty() || o.variants.isEmpty()) {
                throw new IllegalArgumentException("DigitsSpeechOptions: voices and variants must be non-empty, found " + o.voices + ", " + o.variants);
            }
            DigitsSpeechOptions c = new DigitsSpeechOptions();
            c.seed = o.seed;
            c.trainFraction = o.trainFraction;
            c.validFraction = o.validFraction;
            c.maxFrames = o.maxFrames;
            c.numMels = o.numMels;
            c.textDims = o.textDims;
            c.voices = o.voices;
            c.variants = o.variants;
            return c;
        }
    }
}

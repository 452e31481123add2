package org.dl4jpgm.datavec.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded, pure-Java generator of multimodal examples whose labels depend on controllable parts (see
 * {@link SyntheticConfig} for the latent factors and targets). Example {@code index} of stream
 * {@code stream} is a pure function of (seed, stream, index): the same at any batch size, in any order,
 * on any machine. Streams separate splits (e.g. 0 = train, 1 = valid, 2 = test) while the signal
 * patterns (fixed by the seed) stay the same.
 * <p>
 * Modality m, channel c &lt; D - nuisanceDims, valid step t:
 * {@code x = uniSignal * P_uni[m][u_m][c] + pairedSignal * P_pair[m][a_m][c] + noise * N(0,1)}
 * (the paired term only in the two paired modalities); nuisance channels:
 * {@code x = nuisanceScale * z * Q[m][c] + noise * N(0,1)} with z ~ N(0,1) per example. Patterns are
 * Gaussian with per-channel RMS 1. With {@link SyntheticModality#getPairedDims()} = k &ge; 0 in a paired modality, the
 * uni term is kept on the first {@code ds - k} signal channels only and the paired term on the last k only
 * ({@link #channelRoles}).
 */
public final class SyntheticMultimodalGenerator {

    /** Name of the paired target. */
    public static final String PAIRED = "paired";
    /** Name of the mixed (uni + paired) target. */
    public static final String MIXED = "mixed";
    /** Prefix of the per-modality uni targets ({@code uni_<modality name>}). */
    public static final String UNI_PREFIX = "uni_";

    private final SyntheticConfig config;
    private final List<SyntheticModality> modalities;
    /** [m][k][c] uni patterns over the signal channels. */
    private final float[][][] uniPatterns;
    /** [m][a][c] paired patterns (null for unpaired modalities). */
    private final float[][][] pairedPatterns;
    /** [m][c] nuisance patterns over the nuisance channels. */
    private final float[][] nuisancePatterns;

    /** Builds the fixed signal patterns from the config's seed. */
    public SyntheticMultimodalGenerator(SyntheticConfig config) {
        this.config = config;
        this.modalities = config.getModalities();
        int mCount = modalities.size();
        SplittableRandom r = new SplittableRandom(mix(config.getSeed(), -1, -1));
        uniPatterns = new float[mCount][][];
        pairedPatterns = new float[mCount][][];
        nuisancePatterns = new float[mCount][];
        for (int m = 0; m < mCount; m++) {
            SyntheticModality mod = modalities.get(m);
            uniPatterns[m] = new float[config.getUniClasses()][];
            for (int k = 0; k < config.getUniClasses(); k++) {
                uniPatterns[m][k] = pattern(r, mod.signalDims());
            }
            if (m == config.getPairedFirst() || m == config.getPairedSecond()) {
                pairedPatterns[m] = new float[config.getPairedClasses()][];
                for (int a = 0; a < config.getPairedClasses(); a++) {
                    pairedPatterns[m][a] = pattern(r, mod.signalDims());
                }
            }
            nuisancePatterns[m] = pattern(r, mod.getNuisanceDims());
        }
    }

    /** The config. */
    public SyntheticConfig config() {
        return config;
    }

    private static float[] pattern(SplittableRandom r, int n) {
        float[] p = new float[n];
        double ss = 0;
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian();
            ss += p[i] * p[i];
        }
        double scale = ss > 0 ? Math.sqrt(n / ss) : 0;
        for (int i = 0; i < n; i++) {
            p[i] *= (float) scale;
        }
        return p;
    }

    /** SplitMix64-style mixing of (seed, stream, index) into one seed. */
    static long mix(long seed, long stream, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Generates example {@code index} of stream {@code stream}. */
    public SyntheticExample example(long stream, long index) {
        SplittableRandom r = new SplittableRandom(mix(config.getSeed(), stream, index));
        int mCount = modalities.size();
        int[] uni = new int[mCount];
        for (int m = 0; m < mCount; m++) {
            uni[m] = r.nextInt(config.getUniClasses());
        }
        int a = r.nextInt(config.getPairedClasses());
        int b = r.nextInt(config.getPairedClasses());
        float[][] feats = new float[mCount][];
        int[] lengths = new int[mCount];
        for (int m = 0; m < mCount; m++) {
            SyntheticModality mod = modalities.get(m);
            int s = Math.max(1, mod.getSequenceLength());
            int len = mod.hasVariableLength() ? mod.getMinLength() + r.nextInt(mod.getSequenceLength() - mod.getMinLength() + 1) : s;
            lengths[m] = mod.isSequence() ? len : 0;
            float[] x = new float[mod.getWidth() * s];
            float[] up = uniPatterns[m][uni[m]];
            float[] pp = m == config.getPairedFirst() ? pairedPatterns[m][a]
                    : m == config.getPairedSecond() ? pairedPatterns[m][b] : null;
            double z = r.nextGaussian();
            int ds = mod.signalDims();
            // with separate channels, c < firstPaired: uni term only; firstPaired <= c < ds: paired term only
            int firstPaired = pp != null && mod.getPairedDims() >= 0 ? ds - mod.getPairedDims() : -1;
            for (int c = 0; c < mod.getWidth(); c++) {
                double base;
                if (c < ds) {
                    double uniTerm = firstPaired >= 0 && c >= firstPaired ? 0 : config.getUniSignal() * up[c];
                    double pairedTerm = pp == null || (firstPaired >= 0 && c < firstPaired) ? 0
                            : config.getPairedSignal() * pp[c];
                    base = uniTerm + pairedTerm;
                } else {
                    base = config.getNuisanceScale() * z * nuisancePatterns[m][c - ds];
                }
                for (int t = 0; t < len; t++) {
                    x[c * s + t] = (float) (base + config.getNoise() * r.nextGaussian());
                }
            }
            feats[m] = x;
        }
        return new SyntheticExample(uni, a, b, feats, lengths);
    }

    /**
     * What the channels of a modality carry, as counts out of its width D: the uni factor alone, the paired factor
     * alone, both summed, or the per-example nuisance (modality-specific, tied to no label). The ground truth of a
     * partition: uni-modal information is in {@code uni} (and {@code nuisance}), paired-modal in {@code paired}.
     *
     * @param uni      channels with the uni pattern only
     * @param paired   channels with the paired pattern only
     * @param both     channels with both patterns
     * @param nuisance nuisance channels
     */
    public record ChannelRoles(int uni, int paired, int both, int nuisance) {
        /** Width D. */
        public int width() {
            return uni + paired + both + nuisance;
        }
    }

    /** The {@link ChannelRoles} of modality m. */
    public ChannelRoles channelRoles(int m) {
        SyntheticModality mod = modalities.get(m);
        int ds = mod.signalDims();
        boolean isPaired = m == config.getPairedFirst() || m == config.getPairedSecond();
        if (!isPaired) {
            return new ChannelRoles(ds, 0, 0, mod.getNuisanceDims());
        }
        if (mod.getPairedDims() < 0) {
            return new ChannelRoles(0, 0, ds, mod.getNuisanceDims());
        }
        return new ChannelRoles(ds - mod.getPairedDims(), mod.getPairedDims(), 0, mod.getNuisanceDims());
    }

    /** Target names: {@code mixed} (default), {@code paired}, then {@code uni_<name>} per modality. */
    public List<String> targetNames() {
        List<String> out = new ArrayList<>(List.of(MIXED, PAIRED));
        for (SyntheticModality m : modalities) {
            out.add(UNI_PREFIX + m.getName());
        }
        return out;
    }

    /** Number of classes of a target. */
    public int numClasses(String target) {
        if (MIXED.equals(target)) {
            return config.getUniClasses() * config.getPairedClasses();
        }
        if (PAIRED.equals(target)) {
            return config.getPairedClasses();
        }
        modalityOfUniTarget(target);
        return config.getUniClasses();
    }

    /** Class index of a target for an example. */
    public int targetValue(SyntheticExample e, String target) {
        int paired = (e.pairedA() + e.pairedB()) % config.getPairedClasses();
        if (MIXED.equals(target)) {
            return e.uni()[config.getPairedFirst()] * config.getPairedClasses() + paired;
        }
        if (PAIRED.equals(target)) {
            return paired;
        }
        return e.uni()[modalityOfUniTarget(target)];
    }

    private int modalityOfUniTarget(String target) {
        if (target != null && target.startsWith(UNI_PREFIX)) {
            String name = target.substring(UNI_PREFIX.length());
            for (int m = 0; m < modalities.size(); m++) {
                if (modalities.get(m).getName().equals(name)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("SyntheticMultimodalGenerator: unknown target \"" + target + "\"; known: " + targetNames());
    }

    /**
     * A streaming iterator over examples 0..numExamples-1 of a stream.
     *
     * @param stream      stream id (e.g. 0 train, 1 valid, 2 test)
     * @param numExamples examples per epoch
     * @param batchSize   examples per minibatch
     * @param targets     targets given as label arrays, in order (one-hot)
     */
    public SyntheticMultiDataSetIterator iterator(long stream, int numExamples, int batchSize, String... targets) {
        return new SyntheticMultiDataSetIterator(this, stream, numExamples, batchSize,
                targets.length == 0 ? List.of(MIXED) : List.of(targets));
    }
}

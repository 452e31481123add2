package org.dl4jpgm.datavec.synthetic;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of the {@link SyntheticMultimodalGenerator}.
 * <p>
 * Latent factors per example: a uni factor {@code u_m} in 0..uniClasses-1 for every modality m, and a
 * paired factor {@code a} in 0..pairedClasses-1 in each of the two paired modalities. Targets:
 * <ul>
 *   <li>{@code uni_<name>} = u_m: answered by modality m alone;</li>
 *   <li>{@code paired} = (a_first + a_second) mod pairedClasses (XOR for 2 classes): each modality alone
 *       carries no information about it, only the pair does;</li>
 *   <li>{@code mixed} = u_first * pairedClasses + paired: needs the uni signal of the first paired
 *       modality and the paired signal (the default target).</li>
 * </ul>
 */
public final class SyntheticConfig {

    /** Seed of the fixed signal patterns and of every example. Default 42. */
    private long seed = 42L;
    /** The modalities (at least 2). Default: two feed-forward modalities of width 16. */
    private List<SyntheticModality> modalities;
    /** Classes of each uni factor (>= 2). Default 4. */
    private int uniClasses = 4;
    /** Classes of the paired factors and of the paired target (>= 2; 2 = XOR). Default 2. */
    private int pairedClasses = 2;
    /** Index of the first paired modality. Default 0. */
    private int pairedFirst = 0;
    /** Index of the second paired modality. Default 1. */
    private int pairedSecond = 1;
    /** Amplitude (per-channel RMS) of the uni signal pattern. Default 1.0. */
    private double uniSignal = 1.0;
    /** Amplitude (per-channel RMS) of the paired signal pattern. Default 1.0. */
    private double pairedSignal = 1.0;
    /** Standard deviation of the i.i.d. Gaussian noise on every channel and step. Default 1.0. */
    private double noise = 1.0;
    /** Standard deviation of the per-example nuisance factor on nuisance channels. Default 3.0. */
    private double nuisanceScale = 3.0;

    private SyntheticConfig() {
    }

    /** Seed. */
    public long getSeed() {
        return seed;
    }

    /** Modalities. */
    public List<SyntheticModality> getModalities() {
        return List.copyOf(modalities);
    }

    /** Classes of each uni factor. */
    public int getUniClasses() {
        return uniClasses;
    }

    /** Classes of the paired target. */
    public int getPairedClasses() {
        return pairedClasses;
    }

    /** Index of the first paired modality. */
    public int getPairedFirst() {
        return pairedFirst;
    }

    /** Index of the second paired modality. */
    public int getPairedSecond() {
        return pairedSecond;
    }

    /** Uni signal amplitude. */
    public double getUniSignal() {
        return uniSignal;
    }

    /** Paired signal amplitude. */
    public double getPairedSignal() {
        return pairedSignal;
    }

    /** Noise standard deviation. */
    public double getNoise() {
        return noise;
    }

    /** Nuisance factor standard deviation. */
    public double getNuisanceScale() {
        return nuisanceScale;
    }

    /** Starts a config. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final SyntheticConfig c = new SyntheticConfig();
        private final List<SyntheticModality> modalities = new ArrayList<>();

        private Builder() {
        }

        /** Seed. */
        public Builder seed(long seed) {
            c.seed = seed;
            return this;
        }

        /** Adds a modality (input order = call order). */
        public Builder modality(SyntheticModality m) {
            modalities.add(m);
            return this;
        }

        /** Classes of each uni factor (>= 2). */
        public Builder uniClasses(int k) {
            c.uniClasses = k;
            return this;
        }

        /** Classes of the paired target (>= 2; 2 = XOR). */
        public Builder pairedClasses(int k) {
            c.pairedClasses = k;
            return this;
        }

        /** Indices of the two modalities that carry the paired factors. */
        public Builder pairedModalities(int first, int second) {
            c.pairedFirst = first;
            c.pairedSecond = second;
            return this;
        }

        /** Uni signal amplitude (>= 0). */
        public Builder uniSignal(double s) {
            c.uniSignal = s;
            return this;
        }

        /** Paired signal amplitude (>= 0). */
        public Builder pairedSignal(double s) {
            c.pairedSignal = s;
            return this;
        }

        /** Noise standard deviation (>= 0). */
        public Builder noise(double s) {
            c.noise = s;
            return this;
        }

        /** Nuisance factor standard deviation (>= 0). */
        public Builder nuisanceScale(double s) {
            c.nuisanceScale = s;
            return this;
        }

        /** Validates and builds. */
        public SyntheticConfig build() {
            List<SyntheticModality> ms = modalities.isEmpty()
                    ? List.of(SyntheticModality.builder("m0").build(), SyntheticModality.builder("m1").build())
                    : modalities;
            if (ms.size() < 2) {
                throw new IllegalArgumentException("SyntheticConfig: at least 2 modalities are needed for a paired signal, found " + ms.size());
            }
            if (ms.stream().map(SyntheticModality::getName).distinct().count() != ms.size()) {
                throw new IllegalArgumentException("SyntheticConfig: modality names must be unique, found "
                        + ms.stream().map(SyntheticModality::getName).toList());
            }
            if (c.uniClasses < 2) {
                throw new IllegalArgumentException("SyntheticConfig: uniClasses must be >= 2, found " + c.uniClasses);
            }
            if (c.pairedClasses < 2) {
                throw new IllegalArgumentException("SyntheticConfig: pairedClasses must be >= 2, found " + c.pairedClasses);
            }
            if (c.pairedFirst < 0 || c.pairedFirst >= ms.size() || c.pairedSecond < 0 || c.pairedSecond >= ms.size()
                    || c.pairedFirst == c.pairedSecond) {
                throw new IllegalArgumentException("SyntheticConfig: pairedModalities must be two distinct indices in 0.."
                        + (ms.size() - 1) + ", found (" + c.pairedFirst + ", " + c.pairedSecond + ")");
            }
            check("uniSignal", c.uniSignal);
            check("pairedSignal", c.pairedSignal);
            check("noise", c.noise);
            check("nuisanceScale", c.nuisanceScale);
            SyntheticConfig out = new SyntheticConfig();
            out.seed = c.seed;
            out.modalities = List.copyOf(ms);
            out.uniClasses = c.uniClasses;
            out.pairedClasses = c.pairedClasses;
            out.pairedFirst = c.pairedFirst;
            out.pairedSecond = c.pairedSecond;
            out.uniSignal = c.uniSignal;
            out.pairedSignal = c.pairedSignal;
            out.noise = c.noise;
            out.nuisanceScale = c.nuisanceScale;
            return out;
        }

        private static void check(String field, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("SyntheticConfig: " + field + " must be a finite number >= 0, found " + v);
            }
        }
    }
}

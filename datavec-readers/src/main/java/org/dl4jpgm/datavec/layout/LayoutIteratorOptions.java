package org.dl4jpgm.datavec.layout;

import java.util.List;

/**
 * Options of a {@link LayoutMultiDataSetIterator}, separate from the data it iterates.
 */
public final class LayoutIteratorOptions {

    /** Examples per minibatch (the last one may be smaller). Default 32. */
    private int batchSize = 32;
    /** Targets given as label arrays, in this order. Default: the labels.csv target only. */
    private List<String> targets = List.of(TargetSpec.DEFAULT_NAME);
    /** Modalities given as feature arrays, in this order; null = all, in dataset.json order. Default null. */
    private List<String> modalities = null;
    /** Shuffle the example order of every epoch (a function of the seed and the epoch number). Default false. */
    private boolean shuffle = false;
    /** Seed of the shuffling. Default 12345. */
    private long seed = 12345L;
    /**
     * Give every sequence modality a step mask whenever one of them has lengths: a sequence without
     * {@code <name>_lengths.npy} then gets a mask of ones (every step valid) instead of none. Default false (the
     * unmasked sequence gets no mask). For graphs whose layers fail on a missing mask beside masked inputs: DL4J
     * 1.0.0-M2.1's {@code Convolution1DLayer} throws a NullPointerException from {@code feedForwardMaskArray} when
     * the graph has feature masks and its own input's is null. A mask of ones keeps every step, so layers that
     * honour masks compute what they compute without one.
     */
    private boolean maskEverySequence = false;

    private LayoutIteratorOptions() {
    }

    /** Examples per minibatch. */
    public int getBatchSize() {
        return batchSize;
    }

    /** Target names, in label-array order. */
    public List<String> getTargets() {
        return targets;
    }

    /** Modality names in input order, or null for all. */
    public List<String> getModalities() {
        return modalities;
    }

    /** Whether the order is reshuffled at every reset. */
    public boolean isShuffle() {
        return shuffle;
    }

    /** Shuffle seed. */
    public long getSeed() {
        return seed;
    }

    /** Whether a sequence without lengths gets a mask of ones when another sequence has a mask. */
    public boolean isMaskEverySequence() {
        return maskEverySequence;
    }

    /** The defaults: batch 32, default target, all modalities, no shuffling. */
    public static LayoutIteratorOptions defaults() {
        return builder().build();
    }

    /** Starts options. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final LayoutIteratorOptions o = new LayoutIteratorOptions();

        private Builder() {
        }

        /** Examples per minibatch (>= 1). */
        public Builder batchSize(int batchSize) {
            o.batchSize = batchSize;
            return this;
        }

        /** Targets given as label arrays, in order. */
        public Builder targets(String... targets) {
            o.targets = List.of(targets);
            return this;
        }

        /** Modalities given as feature arrays, in order. */
        public Builder modalities(String... modalities) {
            o.modalities = List.of(modalities);
            return this;
        }

        /** Shuffle at every reset, with this seed. */
        public Builder shuffle(long seed) {
            o.shuffle = true;
            o.seed = seed;
            return this;
        }

        /** A mask of ones for every sequence without lengths when another sequence has a mask. */
        public Builder maskEverySequence(boolean maskEverySequence) {
            o.maskEverySequence = maskEverySequence;
            return this;
        }

        /** Validates and builds. */
        public LayoutIteratorOptions build() {
            if (o.batchSize < 1) {
                throw new IllegalArgumentException("LayoutIteratorOptions: batchSize must be >= 1, found " + o.batchSize);
            }
            if (o.targets.isEmpty()) {
                throw new IllegalArgumentException("LayoutIteratorOptions: targets must name at least one target, found none");
            }
            if (o.modalities != null && o.modalities.isEmpty()) {
                throw new IllegalArgumentException("LayoutIteratorOptions: modalities must name at least one modality (or be unset for all), found none");
            }
            LayoutIteratorOptions copy = new LayoutIteratorOptions();
            copy.batchSize = o.batchSize;
            copy.targets = o.targets;
            copy.modalities = o.modalities;
            copy.shuffle = o.shuffle;
            copy.seed = o.seed;
            copy.maskEverySequence = o.maskEverySequence;
            return copy;
        }
    }
}

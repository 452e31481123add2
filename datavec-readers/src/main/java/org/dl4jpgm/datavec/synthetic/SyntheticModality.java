package org.dl4jpgm.datavec.synthetic;

/**
 * One modality of the synthetic generator: its width D, its sequence length S (0 = a feed-forward
 * vector [B, D]; otherwise a sequence [B, D, S] in NCW order), the range of true lengths, and how many
 * of its D channels are nuisance channels (structured variation unrelated to any label).
 */
public final class SyntheticModality {

    /** Modality name (used in target names and files). Default "m&lt;index&gt;" set by the config. */
    private String name;
    /** Width D: number of feature channels. Default 16. */
    private int width = 16;
    /** Sequence length S; 0 = feed-forward [B, D]. Default 0. */
    private int sequenceLength = 0;
    /** Shortest true length (1..S); S = fixed length, no mask. Default: S (fixed). */
    private int minLength = -1;
    /** Channels (the last ones) that carry only nuisance, 0..D-1. Default 0. */
    private int nuisanceDims = 0;
    /**
     * In a paired modality: how many signal channels carry the paired pattern alone (the last ones before the nuisance
     * channels), the other signal channels then carrying the uni pattern alone. -1 (default): every signal channel
     * carries both patterns summed. Ignored in a modality without paired factor.
     */
    private int pairedDims = -1;

    private SyntheticModality() {
    }

    /** Modality name. */
    public String getName() {
        return name;
    }

    /** Width D. */
    public int getWidth() {
        return width;
    }

    /** Sequence length S, 0 for feed-forward. */
    public int getSequenceLength() {
        return sequenceLength;
    }

    /** True for a sequence modality ([B, D, S]). */
    public boolean isSequence() {
        return sequenceLength > 0;
    }

    /** Shortest true length (equals S when lengths are fixed; 0 for feed-forward). */
    public int getMinLength() {
        return minLength < 0 ? sequenceLength : minLength;
    }

    /** True when lengths vary, so a mask [B, S] is produced. */
    public boolean hasVariableLength() {
        return isSequence() && getMinLength() < sequenceLength;
    }

    /** Nuisance channels (the last ones). */
    public int getNuisanceDims() {
        return nuisanceDims;
    }

    /**
     * Signal channels carrying the paired pattern alone (the last {@code pairedDims} before the nuisance channels),
     * or -1: every signal channel carries the uni and the paired pattern.
     */
    public int getPairedDims() {
        return pairedDims;
    }

    /** Signal channels D - nuisanceDims. */
    public int signalDims() {
        return width - nuisanceDims;
    }

    /** Starts a modality. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final SyntheticModality m = new SyntheticModality();

        private Builder(String name) {
            m.name = name;
        }

        /** Width D (>= 1). */
        public Builder width(int width) {
            m.width = width;
            return this;
        }

        /** Sequence of length S (>= 1), fixed length. */
        public Builder sequence(int sequenceLength) {
            m.sequenceLength = sequenceLength;
            return this;
        }

        /** Sequence of length S whose true lengths are uniform in minLength..S (a mask is produced). */
        public Builder sequence(int sequenceLength, int minLength) {
            m.sequenceLength = sequenceLength;
            m.minLength = minLength;
            return this;
        }

        /** Number of nuisance channels (0..D-1). */
        public Builder nuisanceDims(int nuisanceDims) {
            m.nuisanceDims = nuisanceDims;
            return this;
        }

        /**
         * Separate channels for the two factors: the last {@code pairedDims} signal channels carry the paired pattern
         * alone, the first {@code signalDims() - pairedDims} the uni pattern alone (-1 = both on every signal channel).
         */
        public Builder pairedDims(int pairedDims) {
            m.pairedDims = pairedDims;
            return this;
        }

        /** Validates and builds. */
        public SyntheticModality build() {
            String who = "SyntheticModality '" + m.name + "'";
            if (m.name == null || !m.name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("SyntheticModality: name must be letters, digits, '_', '-', '.', found " + m.name);
            }
            if (m.width < 1) {
                throw new IllegalArgumentException(who + ": width must be >= 1, found " + m.width);
            }
            if (m.sequenceLength < 0) {
                throw new IllegalArgumentException(who + ": sequenceLength must be >= 0 (0 = feed-forward), found " + m.sequenceLength);
            }
            if (m.minLength >= 0 && (m.sequenceLength == 0 || m.minLength < 1 || m.minLength > m.sequenceLength)) {
                throw new IllegalArgumentException(who + ": minLength must be in 1..sequenceLength (" + m.sequenceLength + "), found " + m.minLength);
            }
            if (m.nuisanceDims < 0 || m.nuisanceDims >= m.width) {
                throw new IllegalArgumentException(who + ": nuisanceDims must be in 0.." + (m.width - 1) + " (width - 1), found " + m.nuisanceDims);
            }
            if (m.pairedDims < -1 || m.pairedDims > m.width - m.nuisanceDims) {
                throw new IllegalArgumentException(who + ": pairedDims must be -1 (shared channels) or in 0.."
                        + (m.width - m.nuisanceDims) + " (the signal channels), found " + m.pairedDims);
            }
            SyntheticModality c = new SyntheticModality();
            c.pairedDims = m.pairedDims;
            c.name = m.name;
            c.width = m.width;
            c.sequenceLength = m.sequenceLength;
            c.minLength = m.minLength;
            c.nuisanceDims = m.nuisanceDims;
            return c;
        }
    }
}

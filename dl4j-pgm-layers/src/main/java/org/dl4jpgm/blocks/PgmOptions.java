package org.dl4jpgm.blocks;

import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;

/**
 * Every hyperparameter of the composite PgM model ({@link PgmBlock}), each with the paper's value or a documented
 * default. Immutable; build with {@link #builder()}. Serialised as part of a {@code PgmLayer} configuration: as JSON by
 * {@code ModelSerializer}, with Java serialization when Spark broadcasts the configuration to its workers.
 */
public final class PgmOptions implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** What a learner iteration hands to the next one (docs/model-spec.md, "One iteration, end to end"). */
    public enum Carry {
        /** The learned features ũ(i), p̃(i) (this project's reading, the default). */
        LEARNED,
        /** The partitioner's own u(i+1), p(i+1) (Eq. 3 as written). */
        PARTITIONER
    }

    /** How the per-modality outputs are reduced over the sequence axis. */
    public enum Pooling {
        /** Keep the sequence: every modality must have the same S; output {@code [B, C, S]}. */
        NONE,
        /** Masked mean over each modality's valid steps; output {@code [B, C]}; modalities may differ in S. */
        MEAN
    }

    /**
     * D, the common width (0 = the largest input width, {@link #resolveWidth}). Inputs of another width get a linear
     * projection.
     */
    @JsonProperty private long width;
    /** N, partition/learn iterations with shared weights (paper: 3). */
    @JsonProperty private int iterations = 3;
    /** One partitioner shared by all modalities instead of one per modality (paper: one per modality). */
    @JsonProperty private boolean sharedPartitioner;
    /** Features per partitioner gate chunk (1 = the paper's form). */
    @JsonProperty private int partitionerChunkSize = 1;
    /** Reading of the attention mask. */
    @JsonProperty private LearnerMode learnerMode = LearnerMode.FEATURE;
    /** Encoder blocks per learner. */
    @JsonProperty private int learnerLayers = 1;
    /** Attention heads of the learners. */
    @JsonProperty private int learnerHeads = 2;
    /** FFN width of the learners (0 = 4 x model width). */
    @JsonProperty private long learnerFfnSize;
    /** Features per token of the FEATURE-mode learners. */
    @JsonProperty private int learnerChunkSize = 1;
    /** Token width of the FEATURE-mode learners. */
    @JsonProperty private long tokenWidth = 16;
    /** Attention heads of the decoder's cross-attention. */
    @JsonProperty private int decoderHeads = 2;
    /** FFN width of the decoder (0 = 4D). */
    @JsonProperty private long decoderFfnSize;
    /** C of Eq. 4. */
    @JsonProperty private double maskConstant = GateMasks.DEFAULT_MASK_CONSTANT;
    /** Gradient through the hard gates. */
    @JsonProperty private GateGradient gateGradient = GateGradient.STRAIGHT_THROUGH;
    /** Ablation switch (Table 3 "w/o partitioner"): false = no gates, both learners see every feature. */
    @JsonProperty private boolean usePartitioner = true;
    /** Ablation switch: uni-modal feature classification (Eq. 8). */
    @JsonProperty private boolean useUfc = true;
    /** Ablation switch: paired-modal feature classification (Eq. 9). */
    @JsonProperty private boolean usePfc = true;
    /** Ablation switch: uni-paired reconstruction (Eq. 10). */
    @JsonProperty private boolean useUpr = true;
    /**
     * Hold a projected modality's reconstruction target I_m constant in the backward pass of UPR (default), so that
     * the projection cannot lower UPR by shrinking I_m. False gives the exact gradient of Eq. 10 (for gradient checks).
     */
    @JsonProperty private boolean detachUprTarget = true;
    /** UPR's reduction over a sequence's valid steps (Eq. 10; {@link UprSteps}). */
    @JsonProperty private UprSteps uprSteps = UprSteps.MEAN;
    /** What each iteration carries forward. */
    @JsonProperty private Carry carry = Carry.LEARNED;
    /** Output pooling over S. */
    @JsonProperty private Pooling pooling = Pooling.MEAN;
    /**
     * λ_s, the weight of a paired-share penalty that is not in the paper (0, the default, is the paper's model): the mean
     * soft paired gate g_p of Eq. 1 over channels, valid steps, present modalities and iterations, times λ_s, joins the
     * gradient of L_P, so that every channel the paired stream keeps costs and only the task's gradient through the
     * paired learner can pay for it. Applied like decoupled weight decay, to the gradient only: the objective values
     * (UFC, PFC, UPR) stay those of Eq. 8-10 ({@link PgmObjective}), and so does a graph's score, which is why a DL4J
     * gradient check (finite differences of the score) must run with 0. Meaningless without the partitioner.
     */
    @JsonProperty private double pairedShareWeight;
    /**
     * λ_x, the weight of a gate-exclusivity penalty that is not in the paper (0, the default, is the paper's model): the
     * mean of {@code g_u g_p + (1 - g_u)(1 - g_p)} (Eq. 1), the soft share of channels that Eq. 2-3 give to both
     * streams or to neither, over channels, valid steps, present modalities and iterations, times λ_x, joins the
     * gradient of L_P, so that the partition tends to put every channel in exactly one stream. Applied to the gradient
     * only, as {@link #pairedShareWeight} is. Meaningless without the partitioner.
     */
    @JsonProperty private double gateExclusivityWeight;
    /**
     * λ_d, the weight of a stream-decorrelation penalty that is not in the paper (0, the default, is the paper's model):
     * the mean over channel pairs (j, k) of the squared correlation, over a batch's examples, between channel j of the
     * pooled uni features ū_m and channel k of the pooled paired features p̄_m (those of Eq. 8-9), summed over
     * iterations and averaged over modalities, times λ_d, joins the gradient of L_P, so that the two streams of a
     * modality carry linearly different information (a correlation form of MISA's difference loss). Applied to the
     * gradient only, as {@link #pairedShareWeight} is. Acts with or without the partitioner.
     */
    @JsonProperty private double streamDecorrelationWeight;

    private PgmOptions() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised with these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.o = copy();
        return b;
    }

    private PgmOptions copy() {
        PgmOptions c = new PgmOptions();
        c.width = width;
        c.iterations = iterations;
        c.sharedPartitioner = sharedPartitioner;
        c.partitionerChunkSize = partitionerChunkSize;
        c.learnerMode = learnerMode;
        c.learnerLayers = learnerLayers;
        c.learnerHeads = learnerHeads;
        c.learnerFfnSize = learnerFfnSize;
        c.learnerChunkSize = learnerChunkSize;
        c.tokenWidth = tokenWidth;
        c.decoderHeads = decoderHeads;
        c.decoderFfnSize = decoderFfnSize;
        c.maskConstant = maskConstant;
        c.gateGradient = gateGradient;
        c.usePartitioner = usePartitioner;
        c.useUfc = useUfc;
        c.usePfc = usePfc;
        c.useUpr = useUpr;
        c.detachUprTarget = detachUprTarget;
        c.uprSteps = uprSteps;
        c.carry = carry;
        c.pooling = pooling;
        c.pairedShareWeight = pairedShareWeight;
        c.gateExclusivityWeight = gateExclusivityWeight;
        c.streamDecorrelationWeight = streamDecorrelationWeight;
        return c;
    }

    public long getWidth() { return width; }
    public int getIterations() { return iterations; }
    public boolean isSharedPartitioner() { return sharedPartitioner; }
    public int getPartitionerChunkSize() { return partitionerChunkSize; }
    public LearnerMode getLearnerMode() { return learnerMode; }
    public int getLearnerLayers() { return learnerLayers; }
    public int getLearnerHeads() { return learnerHeads; }
    public long getLearnerFfnSize() { return learnerFfnSize; }
    public int getLearnerChunkSize() { return learnerChunkSize; }
    public long getTokenWidth() { return tokenWidth; }
    public int getDecoderHeads() { return decoderHeads; }
    public long getDecoderFfnSize() { return decoderFfnSize; }
    public double getMaskConstant() { return maskConstant; }
    public GateGradient getGateGradient() { return gateGradient; }
    public boolean isUsePartitioner() { return usePartitioner; }
    public boolean isUseUfc() { return useUfc; }
    public boolean isUsePfc() { return usePfc; }
    public boolean isUseUpr() { return useUpr; }
    public boolean isDetachUprTarget() { return detachUprTarget; }
    public UprSteps getUprSteps() { return uprSteps; }
    public Carry getCarry() { return carry; }
    public Pooling getPooling() { return pooling; }
    public double getPairedShareWeight() { return pairedShareWeight; }
    public double getGateExclusivityWeight() { return gateExclusivityWeight; }
    public double getStreamDecorrelationWeight() { return streamDecorrelationWeight; }

    /** The hyperparameters of the uni and the paired learner. */
    public LearnerSpec learnerSpec() {
        return new LearnerSpec(learnerMode, learnerLayers, learnerHeads, learnerFfnSize, learnerChunkSize, tokenWidth,
                maskConstant, gateGradient);
    }

    /**
     * These options with D resolved for inputs of widths D_m: the configured width, or the largest D_m when it is 0.
     * The one place where D is inferred; validated by {@link #withWidth}.
     */
    public PgmOptions resolveWidth(long[] inputWidths) {
        return withWidth(width > 0 ? width : Arrays.stream(inputWidths).max().orElse(0));
    }

    /** These options with the width set, validated ({@link #checkWidth}). */
    public PgmOptions withWidth(long w) {
        checkWidth(w);
        PgmOptions c = copy();
        c.width = w;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PgmOptions t)) {
            return false;
        }
        return width == t.width && iterations == t.iterations && sharedPartitioner == t.sharedPartitioner
                && partitionerChunkSize == t.partitionerChunkSize && learnerMode == t.learnerMode
                && learnerLayers == t.learnerLayers && learnerHeads == t.learnerHeads
                && learnerFfnSize == t.learnerFfnSize && learnerChunkSize == t.learnerChunkSize
                && tokenWidth == t.tokenWidth && decoderHeads == t.decoderHeads && decoderFfnSize == t.decoderFfnSize
                && Double.compare(maskConstant, t.maskConstant) == 0 && gateGradient == t.gateGradient
                && usePartitioner == t.usePartitioner && useUfc == t.useUfc && usePfc == t.usePfc
                && useUpr == t.useUpr && detachUprTarget == t.detachUprTarget && uprSteps == t.uprSteps && carry == t.carry && pooling == t.pooling
                && Double.compare(pairedShareWeight, t.pairedShareWeight) == 0
                && Double.compare(gateExclusivityWeight, t.gateExclusivityWeight) == 0
                && Double.compare(streamDecorrelationWeight, t.streamDecorrelationWeight) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, iterations, sharedPartitioner, partitionerChunkSize, learnerMode, learnerLayers,
                learnerHeads, learnerFfnSize, learnerChunkSize, tokenWidth, decoderHeads, decoderFfnSize, maskConstant,
                gateGradient, usePartitioner, useUfc, usePfc, useUpr, detachUprTarget, uprSteps, carry, pooling,
                pairedShareWeight, gateExclusivityWeight, streamDecorrelationWeight);
    }

    @Override
    public String toString() {
        return "PgmOptions(width=" + width + ", N=" + iterations + ", sharedPartitioner=" + sharedPartitioner
                + ", partitionerChunk=" + partitionerChunkSize + ", learner=" + learnerMode + " x" + learnerLayers
                + " heads=" + learnerHeads + " ffn=" + learnerFfnSize + " chunk=" + learnerChunkSize + " token="
                + tokenWidth + ", decoderHeads=" + decoderHeads + " ffn=" + decoderFfnSize + ", C=" + maskConstant
                + ", gate=" + gateGradient + ", partitioner=" + usePartitioner + " UFC=" + useUfc + " PFC=" + usePfc
                + " UPR=" + useUpr + (detachUprTarget ? "" : " (exact UPR target gradient)") + ", UPR steps=" + uprSteps + ", carry=" + carry + ", pooling=" + pooling
                + (pairedShareWeight == 0 ? "" : ", pairedShareWeight=" + pairedShareWeight)
                + (gateExclusivityWeight == 0 ? "" : ", gateExclusivityWeight=" + gateExclusivityWeight)
                + (streamDecorrelationWeight == 0 ? "" : ", streamDecorrelationWeight=" + streamDecorrelationWeight)
                + ")";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private PgmOptions o = new PgmOptions();

        public Builder width(long v) { o.width = v; return this; }
        public Builder iterations(int v) { o.iterations = v; return this; }
        public Builder sharedPartitioner(boolean v) { o.sharedPartitioner = v; return this; }
        public Builder partitionerChunkSize(int v) { o.partitionerChunkSize = v; return this; }
        public Builder learnerMode(LearnerMode v) { o.learnerMode = v; return this; }
        public Builder learnerLayers(int v) { o.learnerLayers = v; return this; }
        public Builder learnerHeads(int v) { o.learnerHeads = v; return this; }
        public Builder learnerFfnSize(long v) { o.learnerFfnSize = v; return this; }
        public Builder learnerChunkSize(int v) { o.learnerChunkSize = v; return this; }
        public Builder tokenWidth(long v) { o.tokenWidth = v; return this; }
        public Builder decoderHeads(int v) { o.decoderHeads = v; return this; }
        public Builder decoderFfnSize(long v) { o.decoderFfnSize = v; return this; }
        public Builder maskConstant(double v) { o.maskConstant = v; return this; }
        public Builder gateGradient(GateGradient v) { o.gateGradient = v; return this; }
        public Builder usePartitioner(boolean v) { o.usePartitioner = v; return this; }
        public Builder useUfc(boolean v) { o.useUfc = v; return this; }
        public Builder usePfc(boolean v) { o.usePfc = v; return this; }
        public Builder useUpr(boolean v) { o.useUpr = v; return this; }
        public Builder detachUprTarget(boolean v) { o.detachUprTarget = v; return this; }
        public Builder carry(Carry v) { o.carry = v; return this; }
        public Builder uprSteps(UprSteps v) { o.uprSteps = v; return this; }
        public Builder pooling(Pooling v) { o.pooling = v; return this; }
        public Builder pairedShareWeight(double v) { o.pairedShareWeight = v; return this; }
        public Builder gateExclusivityWeight(double v) { o.gateExclusivityWeight = v; return this; }
        public Builder streamDecorrelationWeight(double v) { o.streamDecorrelationWeight = v; return this; }

        public PgmOptions build() {
            PgmOptions r = o.copy();
            String p = "PgmOptions: ";
            if (r.width < 0 || r.iterations < 1 || r.partitionerChunkSize < 1 || r.learnerLayers < 1
                    || r.learnerHeads < 1 || r.learnerFfnSize < 0 || r.learnerChunkSize < 1 || r.tokenWidth < 1
                    || r.decoderHeads < 1 || r.decoderFfnSize < 0) {
                throw new IllegalArgumentException(p + "expected width >= 0, iterations >= 1, chunk sizes >= 1, layers >= 1, "
                        + "heads >= 1, FFN sizes >= 0, tokenWidth >= 1; found " + r);
            }
            if (!(r.maskConstant < 0) || Double.isInfinite(r.maskConstant)) {
                throw new IllegalArgumentException(p + "maskConstant must be negative and finite, found " + r.maskConstant);
            }
            requireWeight(p, "pairedShareWeight", r.pairedShareWeight);
            requireWeight(p, "gateExclusivityWeight", r.gateExclusivityWeight);
            requireWeight(p, "streamDecorrelationWeight", r.streamDecorrelationWeight);
            if (r.learnerMode == null || r.gateGradient == null || r.carry == null || r.pooling == null
                    || r.uprSteps == null) {
                throw new IllegalArgumentException(p + "learnerMode, gateGradient, carry, pooling and uprSteps must be set; "
                        + "found " + r);
            }
            return r.width > 0 ? r.withWidth(r.width) : r;
        }
    }

    private static void requireWeight(String prefix, String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(prefix + key + " must be finite and >= 0, found " + value);
        }
    }

    /** Checks that D is positive and suits the chunk sizes and heads. */
    public void checkWidth(long d) {
        String p = "PgmOptions: ";
        if (d <= 0) {
            throw new IllegalArgumentException(p + "the common width D must be positive, found " + d);
        }
        if (d % partitionerChunkSize != 0) {
            throw new IllegalArgumentException(p + "partitionerChunkSize must divide D; found D = " + d + ", chunk = "
                    + partitionerChunkSize);
        }
        learnerSpec().checkWidth("PgmOptions (learnerHeads, learnerChunkSize, tokenWidth)", d);
        if (d % decoderHeads != 0) {
            throw new IllegalArgumentException(p + "decoderHeads must divide D; found D = " + d + ", decoderHeads = "
                    + decoderHeads);
        }
    }
}

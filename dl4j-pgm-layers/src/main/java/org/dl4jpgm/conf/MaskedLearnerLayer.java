package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.GateMasks;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.LearnerSpec;
import org.dl4jpgm.blocks.MaskedLearnerBlock;
import org.dl4jpgm.blocks.SdOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * A masked modal learner of PgM (Eq. 4-6) as a DL4J layer: the uni-modal or the paired-modal learner.
 *
 * <p>Input: the concatenation along the feature axis of the features x and the soft gate g of this learner's
 * partition, {@code [x ; g]} of width {@code 2D}, in NCW {@code [B, 2D, S]}, NWC {@code [B, S, 2D]} or feed-forward
 * {@code [B, 2D]} layout (parts {@code UNI..UNI_GATE} or {@code PAIRED..PAIRED_GATE} of a
 * {@link ModalPartitionerLayer}). The layer hardens the gate, {@code ĝ = 1[g > 0.5]} (1 = keep; gradient per
 * {@link GateGradient}), and runs a {@link MaskedLearnerBlock}. Output: {@code [B, D, S]} / {@code [B, S, D]} /
 * {@code [B, D]}, zero outside the partition and at padded steps (sequence mask 0).
 */
public class MaskedLearnerLayer extends AbstractPgmLayer {

    /** D, the feature width; the input has width 2D (0 = inferred from the input type). */
    @JsonProperty
    private long width;
    /** Reading of the paper's attention mask (default FEATURE, see docs/design.md). */
    @JsonProperty
    private LearnerMode mode = LearnerMode.FEATURE;
    /** L, stacked Transformer encoder blocks. */
    @JsonProperty
    private int layers = 1;
    /** Attention heads; must divide D (SEQUENCE) or the token width (FEATURE). */
    @JsonProperty
    private int heads = 2;
    /** Hidden width F of each block's FFN (0 = 4 x the model width). */
    @JsonProperty
    private long ffnSize;
    /** Features per token in FEATURE mode; must divide D. */
    @JsonProperty
    private int chunkSize = 1;
    /** Token embedding width E in FEATURE mode. */
    @JsonProperty
    private long tokenWidth = 16;
    /** C of Eq. 4: the additive mask value (negative and finite; paper: -10000). */
    @JsonProperty
    private double maskConstant = GateMasks.DEFAULT_MASK_CONSTANT;
    /** Gradient through the hard gate. */
    @JsonProperty
    private GateGradient gateGradient = GateGradient.STRAIGHT_THROUGH;

    private MaskedLearnerLayer() {
    }

    private MaskedLearnerLayer(Builder b) {
        super(b);
        this.width = b.width;
        this.mode = b.mode;
        this.layers = b.layers;
        this.heads = b.heads;
        this.ffnSize = b.ffnSize;
        this.chunkSize = b.chunkSize;
        this.tokenWidth = b.tokenWidth;
        this.maskConstant = b.maskConstant;
        this.gateGradient = b.gateGradient;
    }

    /** The learner's hyperparameters. */
    public LearnerSpec learnerSpec() {
        return new LearnerSpec(mode, layers, heads, ffnSize, chunkSize, tokenWidth, maskConstant, gateGradient);
    }

    /** The block this layer runs, with the given parameter prefix. */
    public MaskedLearnerBlock block(String prefix) {
        return new MaskedLearnerBlock(prefix, width, learnerSpec());
    }

    @Override
    protected String componentName() {
        return "MaskedLearnerLayer";
    }

    @Override
    protected long inputWidth() {
        return 2 * width;
    }

    @Override
    protected long outputWidth() {
        return width;
    }

    @Override
    protected void inferWidths(long inputFeatureWidth) {
        if (inputFeatureWidth % 2 != 0) {
            throw new IllegalArgumentException("MaskedLearnerLayer '" + getLayerName() + "': expected input [x ; g] of "
                    + "even width 2D, found width " + inputFeatureWidth);
        }
        learnerSpec().checkWidth("MaskedLearnerLayer '" + getLayerName() + "'", inputFeatureWidth / 2);
        this.width = inputFeatureWidth / 2;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        block("").defineParameters(params);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        block("").initializeParameters(params, weightInit());
    }

    @Override
    protected SDVariable defineOnBSD(SameDiff sd, SDVariable in, Map<String, SDVariable> params, SDVariable seqMask,
                                     long seq) {
        SDVariable x = SdOps.sliceLastAxis(in, 0, width);
        SDVariable hardGate = GateMasks.hard(SdOps.sliceLastAxis(in, width, 2 * width), gateGradient);
        return block("").apply(params, x, hardGate, seqMask, seq);
    }

    public long getWidth() {
        return width;
    }

    public LearnerMode getMode() {
        return mode;
    }

    public int getLayers() {
        return layers;
    }

    public int getHeads() {
        return heads;
    }

    public long getFfnSize() {
        return ffnSize;
    }

    public int getChunkSize() {
        return chunkSize;
    }

    public long getTokenWidth() {
        return tokenWidth;
    }

    public double getMaskConstant() {
        return maskConstant;
    }

    public GateGradient getGateGradient() {
        return gateGradient;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        MaskedLearnerLayer t = (MaskedLearnerLayer) o;
        return width == t.width && mode == t.mode && layers == t.layers && heads == t.heads && ffnSize == t.ffnSize
                && chunkSize == t.chunkSize && tokenWidth == t.tokenWidth
                && Double.compare(maskConstant, t.maskConstant) == 0 && gateGradient == t.gateGradient;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), width, mode, layers, heads, ffnSize, chunkSize, tokenWidth, maskConstant,
                gateGradient);
    }

    /** Builder; defaults as documented on the fields. */
    public static class Builder extends AbstractPgmLayer.Builder<Builder> {
        private long width;
        private LearnerMode mode = LearnerMode.FEATURE;
        private int layers = 1;
        private int heads = 2;
        private long ffnSize;
        private int chunkSize = 1;
        private long tokenWidth = 16;
        private double maskConstant = GateMasks.DEFAULT_MASK_CONSTANT;
        private GateGradient gateGradient = GateGradient.STRAIGHT_THROUGH;

        /** Every hyperparameter of {@code spec} (mode, layers, heads, F, chunk size, token width, C, gate gradient). */
        public Builder spec(LearnerSpec spec) {
            return mode(spec.mode()).layers(spec.layers()).heads(spec.heads()).ffnSize(spec.ffnSize())
                    .chunkSize(spec.chunkSize()).tokenWidth(spec.tokenWidth()).maskConstant(spec.maskConstant())
                    .gateGradient(spec.gateGradient());
        }

        /** D (the input has width 2D); leave unset to infer from the input type. */
        public Builder width(long width) {
            this.width = width;
            return this;
        }

        public Builder mode(LearnerMode mode) {
            this.mode = mode;
            return this;
        }

        /** L, the number of stacked encoder blocks (default 1). */
        public Builder layers(int layers) {
            this.layers = layers;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        /** F (default 4 x model width). */
        public Builder ffnSize(long ffnSize) {
            this.ffnSize = ffnSize;
            return this;
        }

        /** Features per token in FEATURE mode (default 1). */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /** Token embedding width E in FEATURE mode (default 16). */
        public Builder tokenWidth(long tokenWidth) {
            this.tokenWidth = tokenWidth;
            return this;
        }

        /** C of Eq. 4 (default -10000). */
        public Builder maskConstant(double maskConstant) {
            this.maskConstant = maskConstant;
            return this;
        }

        public Builder gateGradient(GateGradient gateGradient) {
            this.gateGradient = gateGradient;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public MaskedLearnerLayer build() {
            String name = layerName == null ? "(unnamed)" : layerName;
            String p = "MaskedLearnerLayer '" + name + "': ";
            if (mode == null || gateGradient == null) {
                throw new IllegalArgumentException(p + "mode and gateGradient must be set, found mode = " + mode
                        + ", gateGradient = " + gateGradient);
            }
            if (width < 0 || layers < 1 || heads < 1 || ffnSize < 0 || chunkSize < 1 || tokenWidth < 1) {
                throw new IllegalArgumentException(p + "expected width >= 0, layers >= 1, heads >= 1, ffnSize >= 0, "
                        + "chunkSize >= 1, tokenWidth >= 1; found width = " + width + ", layers = " + layers + ", heads = "
                        + heads + ", ffnSize = " + ffnSize + ", chunkSize = " + chunkSize + ", tokenWidth = " + tokenWidth);
            }
            if (!(maskConstant < 0) || Double.isInfinite(maskConstant)) {
                throw new IllegalArgumentException(p + "maskConstant must be negative and finite (a -inf mask gives NaN "
                        + "for a fully masked row), found " + maskConstant);
            }
            if (width > 0) {
                new LearnerSpec(mode, layers, heads, ffnSize, chunkSize, tokenWidth, maskConstant, gateGradient)
                        .checkWidth("MaskedLearnerLayer '" + name + "'", width);
            }
            return new MaskedLearnerLayer(this);
        }
    }
}

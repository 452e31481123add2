package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.dl4jpgm.blocks.GateMasks;
import org.dl4jpgm.blocks.PgmHeadBlock;
import org.dl4jpgm.conf.AbstractPgmLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * PgM's downstream head (Eq. 13-14, {@link PgmHeadBlock}) as a DL4J layer: input the uni and paired features of a
 * {@link PgmLayer} ({@code [B, 2MD, S]} / {@code [B, S, 2MD]} / {@code [B, 2MD]}), output the fused representation
 * {@code [B, H]}, pooled over valid steps. Put an ordinary DL4J output layer after it for the prediction.
 */
public class PgmHeadLayer extends AbstractPgmLayer {

    /** M, the number of modalities. */
    @JsonProperty private int modalities;
    /** D, the width of each modality's uni (and paired) features. */
    @JsonProperty private long modalityWidth;
    /** H, the width of the fused representation (0 = D). */
    @JsonProperty private long hidden;
    /** Attention heads of the two Transformers (must divide H). */
    @JsonProperty private int heads = 2;
    /** FFN width (0 = 2H). */
    @JsonProperty private long ffnSize;

    private PgmHeadLayer() {
    }

    private PgmHeadLayer(Builder b) {
        super(b);
        this.modalities = b.modalities;
        this.modalityWidth = b.modalityWidth;
        this.hidden = b.hidden > 0 ? b.hidden : b.modalityWidth;
        this.heads = b.heads;
        this.ffnSize = b.ffnSize > 0 ? b.ffnSize : 2 * this.hidden;
    }

    private PgmHeadBlock block() {
        return new PgmHeadBlock(modalities, modalityWidth, hidden, heads, ffnSize, GateMasks.DEFAULT_MASK_CONSTANT);
    }

    @Override
    protected boolean poolsOutput() {
        return true;
    }

    @Override
    protected String componentName() {
        return "PgmHeadLayer";
    }

    @Override
    protected long inputWidth() {
        return 2L * modalities * modalityWidth;
    }

    @Override
    protected long outputWidth() {
        return hidden;
    }

    @Override
    protected void inferWidths(long inputFeatureWidth) {
        if (inputFeatureWidth != inputWidth()) {
            throw new IllegalArgumentException("PgmHeadLayer '" + getLayerName() + "': expected input width 2MD = "
                    + inputWidth() + " (M = " + modalities + ", D = " + modalityWidth + "), found " + inputFeatureWidth);
        }
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        block().defineParameters(params);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        block().initializeParameters(params, weightInit());
    }

    @Override
    protected SDVariable defineOnBSD(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable seqMask,
                                     long seq) {
        return block().apply(params, x, seqMask, seq);
    }

    public int getModalities() { return modalities; }
    public long getModalityWidth() { return modalityWidth; }
    public long getHidden() { return hidden; }
    public int getHeads() { return heads; }
    public long getFfnSize() { return ffnSize; }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        PgmHeadLayer t = (PgmHeadLayer) o;
        return modalities == t.modalities && modalityWidth == t.modalityWidth && hidden == t.hidden && heads == t.heads
                && ffnSize == t.ffnSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), modalities, modalityWidth, hidden, heads, ffnSize);
    }

    /** Builder; {@link #build()} validates. */
    public static class Builder extends AbstractPgmLayer.Builder<Builder> {
        private int modalities;
        private long modalityWidth;
        private long hidden;
        private int heads = 2;
        private long ffnSize;

        public Builder modalities(int m) { this.modalities = m; return this; }
        public Builder modalityWidth(long d) { this.modalityWidth = d; return this; }
        /** H (default D). */
        public Builder hidden(long h) { this.hidden = h; return this; }
        public Builder heads(int h) { this.heads = h; return this; }
        /** F (default 2H). */
        public Builder ffnSize(long f) { this.ffnSize = f; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public PgmHeadLayer build() {
            String name = layerName == null ? "(unnamed)" : layerName;
            long h = hidden > 0 ? hidden : modalityWidth;
            if (modalities < 2 || modalityWidth < 1 || heads < 1 || h % heads != 0 || ffnSize < 0) {
                throw new IllegalArgumentException("PgmHeadLayer '" + name + "': expected modalities >= 2, modalityWidth "
                        + ">= 1, heads dividing hidden H, ffnSize >= 0; found modalities = " + modalities
                        + ", modalityWidth = " + modalityWidth + ", hidden = " + h + ", heads = " + heads
                        + ", ffnSize = " + ffnSize);
            }
            return new PgmHeadLayer(this);
        }
    }
}

package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.dl4jpgm.blocks.SdOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * Masked mean over valid steps: {@code [B, D, S]} (NCW) or {@code [B, S, D]} (NWC) to {@code [B, D]}, padded steps
 * (mask 0) excluded. No parameters. Used by the baseline fusions; unlike DL4J M2.1's {@code GlobalPoolingLayer}, it
 * reports a feed-forward output type for recurrent input, so layers after it get the right preprocessors.
 */
public class StepMeanPoolingLayer extends AbstractPgmLayer {

    /** D (0 = inferred from the input type). */
    @JsonProperty
    private long width;

    private StepMeanPoolingLayer() {
    }

    private StepMeanPoolingLayer(Builder b) {
        super(b);
        this.width = b.width;
    }

    @Override
    protected boolean poolsOutput() {
        return true;
    }

    @Override
    protected String componentName() {
        return "StepMeanPoolingLayer";
    }

    @Override
    protected long inputWidth() {
        return width;
    }

    @Override
    protected long outputWidth() {
        return width;
    }

    @Override
    protected void inferWidths(long inputFeatureWidth) {
        this.width = inputFeatureWidth;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // no parameters
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // no parameters
    }

    @Override
    protected SDVariable defineOnBSD(SameDiff sd, SDVariable x, Map<String, SDVariable> params, SDVariable seqMask,
                                     long seq) {
        return SdOps.maskedMeanOverSteps(x, seqMask, seq);
    }

    public long getWidth() {
        return width;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && width == ((StepMeanPoolingLayer) o).width;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), width);
    }

    /** Builder. */
    public static class Builder extends AbstractPgmLayer.Builder<Builder> {
        private long width;

        /** D; leave unset to infer from the input type. */
        public Builder width(long width) {
            this.width = width;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public StepMeanPoolingLayer build() {
            if (width < 0) {
                throw new IllegalArgumentException("StepMeanPoolingLayer: width must be >= 0 (0 = infer), found " + width);
            }
            return new StepMeanPoolingLayer(this);
        }
    }
}

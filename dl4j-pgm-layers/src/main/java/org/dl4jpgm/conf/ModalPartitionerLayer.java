package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.dl4jpgm.blocks.ModalPartitionerBlock;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * PgM's modal partitioner (Eq. 1-3) as a DL4J layer, for one modality.
 *
 * <p>Input {@code I}: {@code [B, D, S]} (NCW), {@code [B, S, D]} (NWC) or {@code [B, D]}. Output, in the same layout,
 * of width {@code 4D}: the concatenation along the feature axis of
 * {@code [u(N) ; g_u(N) ; p(N) ; g_p(N)]} — the uni partition, its soft gate, the paired partition, its soft gate —
 * after N iterations with shared weights. Part {@code k} occupies features {@code [kD, (k+1)D)}; pick parts with a
 * {@code SubsetVertex} over {@link #partRange}. A {@link MaskedLearnerLayer} takes {@code [x ; g]}: parts
 * {@link #UNI} and {@link #UNI_GATE} (or {@link #PAIRED} and {@link #PAIRED_GATE}) are adjacent for that reason.
 * Padded steps (mask 0) give zero output.
 */
public class ModalPartitionerLayer extends AbstractPgmLayer {

    /** Parts of the output, in order. */
    public static final int UNI = 0;
    public static final int UNI_GATE = 1;
    public static final int PAIRED = 2;
    public static final int PAIRED_GATE = 3;

    /** D, the feature width (0 = inferred from the input type). */
    @JsonProperty
    private long width;
    /** Features per gate chunk (ON-LSTM chunking); 1 is the paper's form. Must divide D. */
    @JsonProperty
    private int chunkSize = 1;
    /** N, iterations of Eq. 1-3 with shared weights (paper: 3). */
    @JsonProperty
    private int iterations = 3;

    private ModalPartitionerLayer() {
    }

    private ModalPartitionerLayer(Builder b) {
        super(b);
        this.width = b.width;
        this.chunkSize = b.chunkSize;
        this.iterations = b.iterations;
    }

    /**
     * Inclusive feature range {@code [from, to]} of output part {@code part} ({@link #UNI} ... {@link #PAIRED_GATE});
     * {@code to} of the second part, for two adjacent parts.
     */
    public static int[] partRange(long width, int firstPart, int lastPart) {
        return new int[]{(int) (firstPart * width), (int) ((lastPart + 1) * width - 1)};
    }

    private ModalPartitionerBlock block() {
        return new ModalPartitionerBlock("", width, chunkSize);
    }

    @Override
    protected String componentName() {
        return "ModalPartitionerLayer";
    }

    @Override
    protected long inputWidth() {
        return width;
    }

    @Override
    protected long outputWidth() {
        return 4 * width;
    }

    @Override
    protected void inferWidths(long inputFeatureWidth) {
        checkChunking(inputFeatureWidth, chunkSize, getLayerName());
        this.width = inputFeatureWidth;
    }

    private static void checkChunking(long width, int chunkSize, String name) {
        if (chunkSize < 1 || width % chunkSize != 0) {
            throw new IllegalArgumentException("ModalPartitionerLayer '" + name + "': chunkSize must be >= 1 and divide "
                    + "the width D; found D = " + width + ", chunkSize = " + chunkSize);
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
        ModalPartitionerBlock.Result r = block().run(params, x, iterations, seq);
        int last = iterations - 1;
        SDVariable out = sd.concat(2, r.uni(), r.uniGates().get(last), r.paired(), r.pairedGates().get(last));
        return seqMask == null ? out : out.mul(seqMask.reshape(-1, seq, 1));
    }

    public long getWidth() {
        return width;
    }

    public int getChunkSize() {
        return chunkSize;
    }

    public int getIterations() {
        return iterations;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o)) {
            return false;
        }
        ModalPartitionerLayer that = (ModalPartitionerLayer) o;
        return width == that.width && chunkSize == that.chunkSize && iterations == that.iterations;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), width, chunkSize, iterations);
    }

    /** Builder; every option has the paper's default. */
    public static class Builder extends AbstractPgmLayer.Builder<Builder> {
        private long width;
        private int chunkSize = 1;
        private int iterations = 3;

        /** D; leave unset to infer from the input type. */
        public Builder width(long width) {
            this.width = width;
            return this;
        }

        /** Features per gate chunk (default 1, the paper's form). */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /** N (default 3, the paper's). */
        public Builder iterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ModalPartitionerLayer build() {
            String name = layerName == null ? "(unnamed)" : layerName;
            if (width < 0) {
                throw new IllegalArgumentException("ModalPartitionerLayer '" + name + "': width must be >= 0 (0 = infer), "
                        + "found " + width);
            }
            if (iterations < 1) {
                throw new IllegalArgumentException("ModalPartitionerLayer '" + name + "': iterations N must be >= 1, found "
                        + iterations);
            }
            if (chunkSize < 1) {
                throw new IllegalArgumentException("ModalPartitionerLayer '" + name + "': chunkSize must be >= 1, found "
                        + chunkSize);
            }
            if (width > 0) {
                checkChunking(width, chunkSize, name);
            }
            return new ModalPartitionerLayer(this);
        }
    }
}

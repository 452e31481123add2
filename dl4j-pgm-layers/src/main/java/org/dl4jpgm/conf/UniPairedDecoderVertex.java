package org.dl4jpgm.conf;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.dl4jpgm.blocks.GateMasks;
import org.dl4jpgm.blocks.SdBlock;
import org.dl4jpgm.blocks.UniPairedDecoderBlock;
import org.dl4jpgm.impl.CorrectedSameDiffVertex;
import org.dl4jpgm.impl.FormatAware;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * PgM's uni-paired decoder (Eq. 7) as a DL4J graph vertex: {@code Î = Decoder([ũ, p̃])}, a cross-attention block
 * (queries from ũ, keys and values from p̃) and an FFN from the concatenation back to D ({@link UniPairedDecoderBlock}).
 *
 * <p>Two inputs, in this order: ũ and p̃, each {@code [B, D, S]} (NCW), {@code [B, S, D]} (NWC) or {@code [B, D]}.
 * Output Î of the same shape. The sequence mask of the first input ({@code [B, S]}, 1 = real step) masks padded
 * steps as keys and zeroes them in the output. Weight matrices are drawn from the builder's weight initialisation,
 * else the network's, else Xavier.
 */
public class UniPairedDecoderVertex extends CorrectedSameDiffVertex implements FormatAware {

    /** Input names inside the vertex. */
    public static final String INPUT_UNI = "uni";
    public static final String INPUT_PAIRED = "paired";

    /** D (0 = inferred from the input types). */
    @JsonProperty
    private long width;
    /** Heads of the cross-attention; must divide D. */
    @JsonProperty
    private int heads = 2;
    /** Hidden width F of the FFN (0 = 4D). */
    @JsonProperty
    private long ffnSize;
    /** Additive mask value for padded steps (negative, finite). */
    @JsonProperty
    private double maskConstant = GateMasks.DEFAULT_MASK_CONSTANT;
    /** Layout of recurrent inputs and output. */
    @JsonProperty
    private RNNFormat dataFormat = RNNFormat.NCW;
    /** The distribution of the weight matrices; null until the builder or the network's configuration sets one. */
    @JsonProperty
    private IWeightInit weightInitFn;

    private UniPairedDecoderVertex() {
    }

    private UniPairedDecoderVertex(Builder b) {
        setName(b.name);
        this.width = b.width;
        this.heads = b.heads;
        this.ffnSize = b.ffnSize;
        this.maskConstant = b.maskConstant;
        this.dataFormat = b.dataFormat;
        this.weightInitFn = b.weightInit;
    }

    /** A weight initialisation set on the builder wins over the network's. */
    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        if (weightInitFn == null) {
            weightInitFn = globalConfig.getWeightInitFn();
        }
    }

    /** The weight initialisation in effect: the configured one, or {@link SdBlock#DEFAULT_WEIGHT_INIT}. */
    public IWeightInit weightInit() {
        return weightInitFn != null ? weightInitFn : SdBlock.DEFAULT_WEIGHT_INIT;
    }

    /** The block this vertex runs, with the given parameter prefix. */
    public UniPairedDecoderBlock block(String prefix) {
        return new UniPairedDecoderBlock(prefix, width, heads, effectiveFfnSize(), maskConstant);
    }

    /** F, with the default 4D resolved. */
    private long effectiveFfnSize() {
        return ffnSize > 0 ? ffnSize : 4 * width;
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.defineInputs(INPUT_UNI, INPUT_PAIRED);
        block("").defineParameters(params);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        block("").initializeParameters(params, weightInit());
    }

    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> inputs, Map<String, SDVariable> params,
                                   Map<String, SDVariable> masks) {
        long[] shape = inputs.get(INPUT_UNI).getShape();
        int rank = shape.length;
        long seq = Layouts.seqLength(shape, dataFormat);
        SDVariable uni = Layouts.toBSD(inputs.get(INPUT_UNI), rank, dataFormat, width);
        SDVariable paired = Layouts.toBSD(inputs.get(INPUT_PAIRED), rank, dataFormat, width);
        SDVariable mask = rank == 2 ? null : masks.get(INPUT_UNI);
        return Layouts.fromBSD(block("").apply(params, uni, paired, mask, seq), rank, dataFormat, width);
    }

    /** The vertex name for messages: the graph's name once instantiated, else the builder's, else "(unnamed)". */
    private String displayName() {
        return getName() == null ? "(unnamed)" : getName();
    }

    @Override
    public void validateInput(INDArray[] input) {
        if (input.length != 2) {
            throw new IllegalArgumentException("UniPairedDecoderVertex '" + displayName() + "': expected 2 inputs (uni, "
                    + "paired), found " + input.length);
        }
        Layouts.checkInput("UniPairedDecoderVertex", displayName(), input[0], width, dataFormat);
        Layouts.checkInput("UniPairedDecoderVertex", displayName(), input[1], width, dataFormat);
        if (!Arrays.equals(input[0].shape(), input[1].shape())) {
            throw new IllegalArgumentException("UniPairedDecoderVertex '" + displayName() + "': expected uni and paired "
                    + "inputs of the same shape, found " + Arrays.toString(input[0].shape()) + " and "
                    + Arrays.toString(input[1].shape()));
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (in.length != 2) {
            throw new InvalidInputTypeException("UniPairedDecoderVertex '" + displayName() + "': expected 2 inputs (uni, "
                    + "paired), found " + in.length);
        }
        long w0 = Layouts.width(in[0]);
        long w1 = Layouts.width(in[1]);
        if (w0 <= 0 || w0 != w1 || in[0].getType() != in[1].getType()) {
            throw new InvalidInputTypeException("UniPairedDecoderVertex '" + displayName() + "': expected two inputs of the "
                    + "same kind and width, found " + in[0] + " and " + in[1]);
        }
        if (width == 0) {
            checkHeads(displayName(), w0, heads);
            width = w0;
        } else if (width != w0) {
            throw new InvalidInputTypeException("UniPairedDecoderVertex '" + displayName() + "': configured for width "
                    + width + ", inputs have width " + w0);
        }
        if (in[0] instanceof InputType.InputTypeRecurrent r && r.getFormat() != null) {
            dataFormat = r.getFormat();
        }
        return Layouts.outputType("UniPairedDecoderVertex", displayName(), in[0], width);
    }

    private static void checkHeads(String name, long width, int heads) {
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException("UniPairedDecoderVertex '" + name + "': heads must divide D; found D = "
                    + width + ", heads = " + heads);
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        INDArray mask = maskArrays == null ? null : maskArrays[0];
        return new Pair<>(mask, mask == null ? null : currentMaskState);
    }

    @Override
    public UniPairedDecoderVertex clone() {
        UniPairedDecoderVertex c = new UniPairedDecoderVertex();
        c.width = width;
        c.heads = heads;
        c.ffnSize = ffnSize;
        c.maskConstant = maskConstant;
        c.dataFormat = dataFormat;
        c.weightInitFn = weightInitFn;
        return copyBaseTo(c);
    }

    @Override
    public RNNFormat getDataFormat() {
        return dataFormat;
    }

    public long getWidth() {
        return width;
    }

    public int getHeads() {
        return heads;
    }

    public long getFfnSize() {
        return ffnSize;
    }

    public double getMaskConstant() {
        return maskConstant;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof UniPairedDecoderVertex t) || o.getClass() != getClass()) {
            return false;
        }
        return width == t.width && heads == t.heads && ffnSize == t.ffnSize
                && Double.compare(maskConstant, t.maskConstant) == 0 && dataFormat == t.dataFormat
                && Objects.equals(weightInitFn, t.weightInitFn)
                && Objects.equals(getUpdater(), t.getUpdater()) && Objects.equals(getBiasUpdater(), t.getBiasUpdater());
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, heads, ffnSize, maskConstant, dataFormat);
    }

    @Override
    public String toString() {
        return "UniPairedDecoderVertex(width=" + width + ", heads=" + heads + ", ffnSize=" + ffnSize + ", maskConstant="
                + maskConstant + ", dataFormat=" + dataFormat + ")";
    }

    /** Builder; defaults as documented on the fields. */
    public static class Builder {
        private String name;
        private long width;
        private int heads = 2;
        private long ffnSize;
        private double maskConstant = GateMasks.DEFAULT_MASK_CONSTANT;
        private RNNFormat dataFormat = RNNFormat.NCW;
        private IWeightInit weightInit;

        /**
         * Name used in error messages before the vertex is added to a graph (the graph's vertex name replaces it when the
         * graph is built; give both the same).
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** D; leave unset to infer from the input types. */
        public Builder width(long width) {
            this.width = width;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        /** F (default 4D). */
        public Builder ffnSize(long ffnSize) {
            this.ffnSize = ffnSize;
            return this;
        }

        public Builder maskConstant(double maskConstant) {
            this.maskConstant = maskConstant;
            return this;
        }

        public Builder dataFormat(RNNFormat dataFormat) {
            this.dataFormat = dataFormat;
            return this;
        }

        /** The distribution of the weight matrices (default: the network's weight initialisation). */
        public Builder weightInit(IWeightInit weightInit) {
            this.weightInit = weightInit;
            return this;
        }

        public UniPairedDecoderVertex build() {
            String shown = name == null ? "(unnamed)" : name;
            if (width < 0 || ffnSize < 0 || heads < 1) {
                throw new IllegalArgumentException("UniPairedDecoderVertex '" + shown + "': expected width >= 0 (0 = infer), ffnSize >= 0 "
                        + "(0 = 4D), heads >= 1; found width = " + width + ", ffnSize = " + ffnSize + ", heads = " + heads);
            }
            if (!(maskConstant < 0) || Double.isInfinite(maskConstant)) {
                throw new IllegalArgumentException("UniPairedDecoderVertex '" + shown + "': maskConstant must be negative and finite, "
                        + "found " + maskConstant);
            }
            if (dataFormat == null) {
                throw new IllegalArgumentException("UniPairedDecoderVertex '" + shown + "': dataFormat must be set, found null");
            }
            if (width > 0) {
                checkHeads(shown, width, heads);
            }
            return new UniPairedDecoderVertex(this);
        }
    }
}

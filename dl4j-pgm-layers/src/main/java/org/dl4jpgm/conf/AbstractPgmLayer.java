package org.dl4jpgm.conf;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jpgm.blocks.SdBlock;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.dl4jpgm.impl.FormatAware;
import org.dl4jpgm.impl.SequenceMasks;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * Common base of PgM's DL4J layers: layout handling (NCW, NWC, feed-forward), masks, input checks, output types and
 * the corrected SameDiff runtime ({@link CorrectedSameDiffLayer}). Subclasses define their computation on the
 * internal {@code [B, S, D]} layout in {@link #defineOnBSD}.
 *
 * <p>Weight matrices are drawn from the layer's weight initialisation ({@link #weightInit()}): the builder's
 * {@code weightInit(..)}, else the network's ({@code NeuralNetConfiguration.Builder.weightInit}), else Xavier.
 */
public abstract class AbstractPgmLayer extends SameDiffLayer implements FormatAware {

    /** Layout of recurrent input and output: NCW {@code [B, D, S]} (DL4J's default) or NWC {@code [B, S, D]}. */
    @JsonProperty
    protected RNNFormat dataFormat = RNNFormat.NCW;
    /** The distribution of the weight matrices; null until the builder or the network's configuration sets one. */
    @JsonProperty
    protected IWeightInit weightInitFn;

    protected AbstractPgmLayer() {
    }

    protected AbstractPgmLayer(Builder<?> builder) {
        super(builder);
        this.dataFormat = builder.dataFormat;
        this.weightInitFn = builder.weightInitFn;
    }

    /** The weight initialisation in effect: the configured one, or {@link SdBlock#DEFAULT_WEIGHT_INIT}. */
    public IWeightInit weightInit() {
        return weightInitFn != null ? weightInitFn : SdBlock.DEFAULT_WEIGHT_INIT;
    }

    /** A weight initialisation set on the layer's builder wins over the network's. */
    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        if (weightInitFn == null) {
            weightInitFn = globalConfig.getWeightInitFn();
        }
    }

    /** Short name of the component, used in messages. */
    protected abstract String componentName();

    /** The feature width the input must have (0 while not yet known). */
    protected abstract long inputWidth();

    /** The feature width of the output. */
    protected abstract long outputWidth();

    /** Sets the widths from the input's feature width (called when the width was left to be inferred). */
    protected abstract void inferWidths(long inputFeatureWidth);

    /**
     * The layer's computation on the internal layout.
     *
     * @param x       {@code [B, S, Din]}
     * @param seqMask {@code [B, S]} (1 = keep) for recurrent input, null for feed-forward input
     * @param seq     S
     * @return {@code [B, S, Dout]}
     */
    protected abstract SDVariable defineOnBSD(SameDiff sd, SDVariable x, Map<String, SDVariable> params,
                                              SDVariable seqMask, long seq);

    /**
     * True for a layer whose {@link #defineOnBSD} returns {@code [B, Dout]} (pooled over steps) whatever the input
     * layout; its output is then feed-forward and carries no mask.
     */
    protected boolean poolsOutput() {
        return false;
    }

    @Override
    public RNNFormat getDataFormat() {
        return dataFormat;
    }

    public void setDataFormat(RNNFormat dataFormat) {
        this.dataFormat = dataFormat;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> params, SDVariable mask) {
        long[] shape = layerInput.getShape();
        int rank = shape.length;
        long seq = Layouts.seqLength(shape, dataFormat);
        SDVariable x = Layouts.toBSD(layerInput, rank, dataFormat, inputWidth());
        SDVariable out = defineOnBSD(sd, x, params, rank == 2 ? null : mask, seq);
        return poolsOutput() ? out : Layouts.fromBSD(out, rank, dataFormat, outputWidth());
    }

    @Override
    public void validateInput(INDArray input) {
        Layouts.checkInput(componentName(), getLayerName(), input, inputWidth(), dataFormat);
    }

    @Override
    public INDArray onesMaskForInput(INDArray input) {
        return SequenceMasks.ones(input.dataType(), input.shape(), dataFormat);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long w = Layouts.width(inputType);
        if (w <= 0) {
            throw new IllegalArgumentException(componentName() + " '" + getLayerName() + "': expected a feed-forward or "
                    + "recurrent input type, found " + inputType);
        }
        if (inputType instanceof InputType.InputTypeRecurrent r && r.getFormat() != null) {
            dataFormat = r.getFormat();
        }
        if (inputWidth() <= 0 || override) {
            inferWidths(w);
        } else if (inputWidth() != w) {
            throw new IllegalArgumentException(componentName() + " '" + getLayerName() + "': configured for input width "
                    + inputWidth() + ", but the preceding vertex gives width " + w + " (" + inputType + ")");
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (poolsOutput()) {
            return InputType.feedForward(outputWidth());
        }
        return Layouts.outputType(componentName(), getLayerName(), inputType, outputWidth());
    }

    @Override
    public org.nd4j.common.primitives.Pair<INDArray, org.deeplearning4j.nn.api.MaskState> feedForwardMaskArray(
            INDArray maskArray, org.deeplearning4j.nn.api.MaskState currentMaskState, int minibatchSize) {
        if (poolsOutput()) {
            return new org.nd4j.common.primitives.Pair<>(null, null);
        }
        return super.feedForwardMaskArray(maskArray, currentMaskState, minibatchSize);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        return CorrectedSameDiffLayer.setUp(new CorrectedSameDiffLayer(conf, networkDataType), conf, layerIndex, layerParamsView,
                initializeParams);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o)
                && dataFormat == ((AbstractPgmLayer) o).dataFormat
                && Objects.equals(weightInitFn, ((AbstractPgmLayer) o).weightInitFn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), dataFormat, weightInitFn);
    }

    /** Builder options shared by PgM's layers. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> extends SameDiffLayer.Builder<T> {

        protected RNNFormat dataFormat = RNNFormat.NCW;
        protected IWeightInit weightInitFn;

        /** Layout of recurrent input and output (default NCW). Set automatically from a recurrent input type. */
        public T dataFormat(RNNFormat dataFormat) {
            this.dataFormat = dataFormat;
            return (T) this;
        }

        /** The distribution of the layer's weight matrices (default: the network's weight initialisation). */
        public T weightInit(IWeightInit weightInit) {
            this.weightInitFn = weightInit;
            return (T) this;
        }

        @Override
        public T weightInit(WeightInit weightInit) {
            this.weightInitFn = weightInit == null ? null : weightInit.getWeightInitFunction();
            return super.weightInit(weightInit);
        }
    }
}

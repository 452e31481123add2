package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.blocks.SdOps;
import org.dl4jpgm.conf.Layouts;
import org.dl4jpgm.impl.CorrectedSameDiffVertex;
import org.dl4jpgm.impl.FormatAware;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole PgM model over M modalities ({@link PgmBlock}: projections, partitioners, shared learners and decoder, N
 * iterations, objectives) as one DL4J graph vertex, so weights are shared across modalities and iterations.
 *
 * <p>Inputs: M modality representations, each {@code [B, D_m, S_m]} (NCW), {@code [B, S_m, D_m]} (NWC) or
 * {@code [B, D_m]}; step masks {@code [B, S_m]} (1 = real step) come through DL4J's feature masks. Output, one tensor
 * (DL4J vertices have one output), channels in this order:
 * <pre>
 *   [0, MD)          u_1 .. u_M      uni-modal features ũ_m(N)
 *   [MD, 2MD)        p_1 .. p_M      paired-modal features p̃_m(N)
 *   2MD, 2MD+1, 2MD+2  UFC, PFC, UPR  per-example objectives, each summed over iterations
 * </pre>
 * With {@link PgmOptions.Pooling#MEAN} (default) the output is {@code [B, 2MD + 3]} (masked mean over steps; the
 * modalities may differ in S, and vector and sequence modalities may be mixed: a vector {@code [B, D_m]} is a
 * one-step sequence inside). With {@link PgmOptions.Pooling#NONE} it is {@code [B, 2MD + 3, S]} (the objectives
 * repeated along S; every modality must have the same S), always NCW whatever the input layout, so that
 * {@code SubsetVertex} (which cuts axis 1) splits it. {@link #featureRange} and {@link #objectiveRange} give the
 * {@code SubsetVertex} ranges.
 *
 * <p>PgM's objective L_P reaches the gradients through the runtime ({@link PgmGraphVertex}), weighted by
 * {@link #getAlpha() α}: the graph needs no output or labels for it, and its score is the task outputs' loss.
 *
 * <p>Per-component updaters (paper: 3e-4 model, 1e-4 learners, 1e-3 decoder): parameters of the two learners use
 * {@link #getLearnerUpdater()}, those of the decoder {@link #getDecoderUpdater()}, the rest the vertex's updater.
 */
public class PgmVertex extends CorrectedSameDiffVertex implements FormatAware {

    /** Number of objective channels at the end of the output. */
    public static final int OBJECTIVES = 3;
    public static final int UFC = 0;
    public static final int PFC = 1;
    public static final int UPR = 2;

    @JsonProperty
    private PgmOptions options = PgmOptions.builder().build();
    /** D_m of each input (set from the input types). */
    @JsonProperty
    private long[] inputWidths;
    /** S_m of each input, 0 for feed-forward (set from the input types). */
    @JsonProperty
    private long[] seqLengths;
    @JsonProperty
    private RNNFormat dataFormat = RNNFormat.NCW;
    /** Updater of the uni and paired learners' parameters (null = the vertex's updater). */
    @JsonProperty
    private IUpdater learnerUpdater;
    /** Updater of the decoder's parameters (null = the vertex's updater). */
    @JsonProperty
    private IUpdater decoderUpdater;
    /**
     * α of Eq. 12, the weight of PgM's objective L_P in the gradient ({@link PgmGraphVertex}); default
     * {@link LossWeights#JOINT}'s. Set with {@link PgmGraph#setLossWeights}.
     */
    @JsonProperty
    private double alpha = LossWeights.JOINT.alpha();

    private PgmVertex() {
    }

    public PgmVertex(PgmOptions options, IUpdater modelUpdater, IUpdater learnerUpdater, IUpdater decoderUpdater) {
        this.options = Objects.requireNonNull(options, "options");
        this.learnerUpdater = learnerUpdater;
        this.decoderUpdater = decoderUpdater;
        setUpdater(modelUpdater);
    }

    /** The runtime that adds α ∇L_P to the backward pass ({@link PgmGraphVertex}). */
    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(org.deeplearning4j.nn.graph.ComputationGraph graph,
            String name, int idx, INDArray paramsView, boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType networkDatatype) {
        setName(name);
        return new PgmGraphVertex(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    /** α of Eq. 12: the weight of L_P in the gradient. */
    public double getAlpha() {
        return alpha;
    }

    /** Sets α (finite, &ge; 0); takes effect at the next backward pass of a built graph. */
    public void setAlpha(double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("PgmVertex '" + getName() + "': expected α finite and >= 0, found "
                    + alpha);
        }
        this.alpha = alpha;
    }

    @JsonIgnore
    public int getModalities() {
        return inputWidths == null ? 0 : inputWidths.length;
    }

    /** Inclusive channel range of the uni and paired features {@code [0, 2MD - 1]}. */
    public static int[] featureRange(int modalities, long width) {
        return new int[]{0, (int) (2 * modalities * width - 1)};
    }

    /** Inclusive channel range of the objectives {@code [2MD, 2MD + 2]}. */
    public static int[] objectiveRange(int modalities, long width) {
        int from = (int) (2 * modalities * width);
        return new int[]{from, from + OBJECTIVES - 1};
    }

    private PgmBlock block() {
        if (inputWidths == null || options.getWidth() <= 0) {
            throw new IllegalStateException("PgmVertex '" + getName() + "': input widths not known yet; the graph "
                    + "configuration needs input types (GraphBuilder.setInputTypes)");
        }
        return new PgmBlock(options, inputWidths);
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        String[] names = new String[getModalities()];
        for (int m = 0; m < names.length; m++) {
            names[m] = "in" + m;
        }
        params.defineInputs(names);
        block().defineParameters(params);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        block().initializeParameters(params);
    }

    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> inputs, Map<String, SDVariable> params,
                                   Map<String, SDVariable> masks) {
        int mCount = getModalities();
        List<SDVariable> in = new ArrayList<>();
        List<SDVariable> maskList = new ArrayList<>();
        long[] seqs = new long[mCount];
        int rank = 0;
        for (int m = 0; m < mCount; m++) {
            SDVariable x = inputs.get("in" + m);
            long[] shape = x.getShape();
            rank = shape.length;
            seqs[m] = Layouts.seqLength(shape, dataFormat);
            in.add(Layouts.toBSD(x, shape.length, dataFormat, inputWidths[m]));
            SDVariable mask = masks == null ? null : masks.get("in" + m);
            // a vector input's mask [B, 1] (0 = the modality is missing for that example) is a one-step step mask; a
            // mask row without any 1 marks the modality missing for that example (PgmBlock, "Missing modalities")
            maskList.add(mask == null || shape.length == 3 ? mask : mask.reshape(-1, 1));
        }
        PgmBlock.Outputs o = block().define(params, in, maskList, seqs);
        long d = options.getWidth();
        SDVariable objectives = sd.concat(1, o.ufc.reshape(-1, 1), o.pfc.reshape(-1, 1), o.upr.reshape(-1, 1));
        List<SDVariable> parts = new ArrayList<>();
        if (options.getPooling() == PgmOptions.Pooling.MEAN || rank == 2) {
            for (int m = 0; m < mCount; m++) {
                parts.add(SdOps.maskedMeanOverSteps(o.uni.get(m), maskList.get(m), seqs[m]));
            }
            for (int m = 0; m < mCount; m++) {
                parts.add(SdOps.maskedMeanOverSteps(o.paired.get(m), maskList.get(m), seqs[m]));
            }
            parts.add(objectives);
            return sd.identity(sd.concat(1, parts.toArray(new SDVariable[0])));
        }
        long seq = seqs[0];
        parts.addAll(o.uni);
        parts.addAll(o.paired);
        SDVariable repeated = objectives.reshape(-1, 1, OBJECTIVES)
                .add(sd.constant(Nd4j.zeros(in.get(0).dataType(), 1, seq, OBJECTIVES)));
        parts.add(repeated);
        SDVariable bsd = sd.concat(2, parts.toArray(new SDVariable[0]));
        return Layouts.fromBSD(bsd, 3, RNNFormat.NCW, 2 * mCount * d + OBJECTIVES);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        String name = "PgmVertex '" + getName() + "'";
        if (in.length < 2) {
            throw new InvalidInputTypeException(name + ": PgM needs M >= 2 modality inputs, found " + in.length);
        }
        long[] widths = new long[in.length];
        long[] seqs = new long[in.length];
        boolean recurrent = Arrays.stream(in).anyMatch(t -> t instanceof InputType.InputTypeRecurrent);
        for (int m = 0; m < in.length; m++) {
            widths[m] = Layouts.width(in[m]);
            if (widths[m] <= 0) {
                throw new InvalidInputTypeException(name + ": input " + m + " must be feed-forward or recurrent, found "
                        + in[m]);
            }
            if (recurrent && !(in[m] instanceof InputType.InputTypeRecurrent)
                    && options.getPooling() == PgmOptions.Pooling.NONE) {
                throw new InvalidInputTypeException(name + ": input " + m + " is " + in[m] + " but another input is "
                        + "recurrent; with pooling NONE every input must be recurrent (one output sequence), choose "
                        + "PgmOptions.Pooling.MEAN to mix vectors and sequences");
            }
            if (in[m] instanceof InputType.InputTypeRecurrent r) {
                seqs[m] = r.getTimeSeriesLength();
                if (r.getFormat() != null) {
                    dataFormat = r.getFormat();
                }
            }
        }
        if (recurrent && options.getPooling() == PgmOptions.Pooling.NONE) {
            for (int m = 1; m < in.length; m++) {
                if (seqs[m] != seqs[0] || seqs[m] <= 0) {
                    throw new InvalidInputTypeException(name + ": modalities have unequal or unknown sequence lengths "
                            + Arrays.toString(seqs) + " but pooling is NONE; pad them to one length or choose "
                            + "PgmOptions.Pooling.MEAN");
                }
            }
        }
        if (options.getWidth() == 0) {
            options = options.withWidth(Arrays.stream(widths).max().getAsLong());
        }
        options.checkWidth(options.getWidth());
        inputWidths = widths;
        seqLengths = seqs;
        long channels = 2L * in.length * options.getWidth() + OBJECTIVES;
        if (!recurrent || options.getPooling() == PgmOptions.Pooling.MEAN) {
            return InputType.feedForward(channels);
        }
        return InputType.recurrent(channels, seqs[0], RNNFormat.NCW);
    }

    @Override
    public void validateInput(INDArray[] input) {
        if (input.length != getModalities()) {
            throw new IllegalArgumentException("PgmVertex '" + getName() + "': expected " + getModalities()
                    + " inputs, found " + input.length);
        }
        for (int m = 0; m < input.length; m++) {
            Layouts.checkInput("PgmVertex", getName() + "' input '" + m, input[m], inputWidths[m], dataFormat);
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        boolean pooled = options.getPooling() == PgmOptions.Pooling.MEAN || seqLengths == null || seqLengths[0] == 0;
        INDArray mask = pooled || maskArrays == null ? null : maskArrays[0];
        return new Pair<>(mask, mask == null ? null : currentMaskState);
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (learnerUpdater != null && (paramName.startsWith(PgmBlock.UNI_PREFIX)
                || paramName.startsWith(PgmBlock.PAIRED_PREFIX))) {
            return learnerUpdater;
        }
        if (decoderUpdater != null && paramName.startsWith(PgmBlock.DECODER_PREFIX)) {
            return decoderUpdater;
        }
        return super.getUpdaterByParam(paramName);
    }

    @Override
    public PgmVertex clone() {
        PgmVertex c = new PgmVertex();
        c.options = options;
        c.inputWidths = inputWidths == null ? null : inputWidths.clone();
        c.seqLengths = seqLengths == null ? null : seqLengths.clone();
        c.dataFormat = dataFormat;
        c.learnerUpdater = learnerUpdater == null ? null : learnerUpdater.clone();
        c.decoderUpdater = decoderUpdater == null ? null : decoderUpdater.clone();
        c.alpha = alpha;
        return copyBaseTo(c);
    }

    /** The block with this vertex's configuration (for statistics and parameter tables). */
    public PgmBlock toBlock() {
        return block();
    }

    @Override
    public RNNFormat getDataFormat() {
        return dataFormat;
    }

    public PgmOptions getOptions() {
        return options;
    }

    public long[] getInputWidths() {
        return inputWidths;
    }

    public long[] getSeqLengths() {
        return seqLengths;
    }

    public IUpdater getLearnerUpdater() {
        return learnerUpdater;
    }

    public IUpdater getDecoderUpdater() {
        return decoderUpdater;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PgmVertex t) || o.getClass() != getClass()) {
            return false;
        }
        return Objects.equals(options, t.options) && Arrays.equals(inputWidths, t.inputWidths)
                && Arrays.equals(seqLengths, t.seqLengths) && dataFormat == t.dataFormat
                && Objects.equals(learnerUpdater, t.learnerUpdater) && Objects.equals(decoderUpdater, t.decoderUpdater)
                && Objects.equals(getUpdater(), t.getUpdater()) && Double.compare(alpha, t.alpha) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(options, Arrays.hashCode(inputWidths), Arrays.hashCode(seqLengths), dataFormat);
    }

    @Override
    public String toString() {
        return "PgmVertex(" + options + ", inputWidths=" + Arrays.toString(inputWidths) + ")";
    }
}

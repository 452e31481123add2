package org.dl4jpgm.conf;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.blocks.SdBlock;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole PgM model over M modalities ({@link PgmBlock}: projections, partitioners, shared learners and decoder, N
 * iterations, objectives) as one DL4J layer, so weights are shared across modalities and iterations, and the graph
 * counts them as it counts any layer's ({@code numParams()}, {@code summary()}, the updater's view).
 *
 * <p>Input: the packed modalities of a {@link ModalityPackVertex}, NCW {@code [B, ΣD_m + M, S]} (each modality's
 * features, then one step-mask channel per modality; a DL4J layer takes one input). Output, one tensor, channels in
 * this order:
 * <pre>
 *   [0, MD)          u_1 .. u_M      uni-modal features ũ_m(N)
 *   [MD, 2MD)        p_1 .. p_M      paired-modal features p̃_m(N)
 *   2MD, 2MD+1, 2MD+2  UFC, PFC, UPR  per-example objectives, each summed over iterations
 * </pre>
 * With {@link PgmOptions.Pooling#MEAN} (default) the output is {@code [B, 2MD + 3]} (masked mean over each modality's
 * steps; the modalities may differ in S, and vectors and sequences may be mixed: a vector {@code [B, D_m]} is a
 * one-step sequence). With {@link PgmOptions.Pooling#NONE} it is NCW {@code [B, 2MD + 3, S]} (the objectives repeated
 * along S; every modality must have the same S), so that {@code SubsetVertex} (which cuts axis 1) splits it.
 * {@link #featureRange} and {@link #objectiveRange} give the {@code SubsetVertex} ranges.
 *
 * <p>PgM's objective L_P reaches the gradients through the runtime ({@link PgmLayerRuntime}), weighted by
 * {@link #getAlpha() α}: the graph needs no output or labels for it, and its score is the task outputs' loss.
 *
 * <p>Per-component updaters (paper: 3e-4 model, 1e-4 learners, 1e-3 decoder): parameters of the two learners use
 * {@link #getLearnerUpdater()}, those of the decoder {@link #getDecoderUpdater()}, the rest the layer's updater.
 */
public class PgmLayer extends SameDiffLayer {

    /** Number of objective channels at the end of the output. */
    public static final int OBJECTIVES = 3;
    public static final int UFC = 0;
    public static final int PFC = 1;
    public static final int UPR = 2;

    @JsonProperty
    private PgmOptions options = PgmOptions.builder().build();
    /** D_m of each modality. */
    @JsonProperty
    private long[] inputWidths;
    /** S_m of each modality: 0 for a vector, -1 for a sequence whose length is known at run time only. */
    @JsonProperty
    private long[] seqLengths;
    /** Updater of the uni and paired learners' parameters (null = the layer's updater). */
    @JsonProperty
    private IUpdater learnerUpdater;
    /** Updater of the decoder's parameters (null = the layer's updater). */
    @JsonProperty
    private IUpdater decoderUpdater;
    /**
     * α of Eq. 12, the weight of PgM's objective L_P in the gradient ({@link PgmLayerRuntime}); default
     * {@link LossWeights#JOINT}'s. Set with {@link org.dl4jpgm.fusion.PgmGraph#setLossWeights}.
     */
    @JsonProperty
    private double alpha = LossWeights.JOINT.alpha();
    /** The distribution of the weight matrices; null until the network's configuration sets one. */
    @JsonProperty
    private IWeightInit weightInitFn;

    private PgmLayer() {
    }

    /**
     * @param options     PgM's options; a width of 0 is set to the widest modality
     * @param inputWidths D_m of each modality (M &ge; 2)
     * @param seqLengths  S_m of each modality: 0 for a vector {@code [B, D_m]}, -1 for a sequence of unknown length
     */
    public PgmLayer(PgmOptions options, long[] inputWidths, long[] seqLengths, IUpdater modelUpdater,
                    IUpdater learnerUpdater, IUpdater decoderUpdater) {
        Objects.requireNonNull(options, "options");
        if (inputWidths == null || inputWidths.length < 2 || seqLengths == null
                || seqLengths.length != inputWidths.length) {
            throw new IllegalArgumentException("PgmLayer: PgM needs M >= 2 modalities with one width and one sequence "
                    + "length each, found widths " + Arrays.toString(inputWidths) + ", lengths "
                    + Arrays.toString(seqLengths));
        }
        for (int m = 0; m < inputWidths.length; m++) {
            if (inputWidths[m] <= 0) {
                throw new IllegalArgumentException("PgmLayer: modality " + m + " has width " + inputWidths[m]
                        + "; expected > 0");
            }
        }
        boolean anySequence = Arrays.stream(seqLengths).anyMatch(s -> s != 0);
        if (anySequence && options.getPooling() == PgmOptions.Pooling.NONE) {
            for (int m = 0; m < seqLengths.length; m++) {
                if (seqLengths[m] == 0) {
                    throw new IllegalArgumentException("PgmLayer: input " + m + " is a vector [B, " + inputWidths[m]
                            + "] but another input is a sequence; pooling NONE gives one output sequence, so every "
                            + "input must be one; choose PgmOptions.Pooling.MEAN to mix vectors and sequences");
                }
                if (seqLengths[m] < 0 || seqLengths[m] != seqLengths[0]) {
                    throw new IllegalArgumentException("PgmLayer: the inputs have unequal or unknown sequence lengths "
                            + Arrays.toString(seqLengths) + " (-1 = unknown) but pooling is NONE, which gives one output "
                            + "sequence; pad them to one length or choose PgmOptions.Pooling.MEAN");
                }
            }
        }
        this.options = options.resolveWidth(inputWidths);
        this.inputWidths = inputWidths.clone();
        this.seqLengths = seqLengths.clone();
        this.learnerUpdater = learnerUpdater;
        this.decoderUpdater = decoderUpdater;
        this.updater = modelUpdater;
    }

    /** The runtime that adds α ∇L_P to the backward pass ({@link PgmLayerRuntime}). */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return CorrectedSameDiffLayer.setUp(new PgmLayerRuntime(conf, networkDataType), conf, layerIndex, layerParamsView,
                initializeParams);
    }

    /** α of Eq. 12: the weight of L_P in the gradient. */
    public double getAlpha() {
        return alpha;
    }

    /** Sets α (finite, &ge; 0); takes effect at the next backward pass of a built graph. */
    public void setAlpha(double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("PgmLayer '" + getLayerName() + "': expected α finite and >= 0, found "
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

    /** The block with this layer's configuration (for statistics and parameter tables). */
    public PgmBlock toBlock() {
        return new PgmBlock(options, inputWidths);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        toBlock().defineParameters(params);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        toBlock().initializeParameters(params, weightInit());
    }

    /** The weight initialisation in effect: the network's, or {@link SdBlock#DEFAULT_WEIGHT_INIT}. */
    public IWeightInit weightInit() {
        return weightInitFn != null ? weightInitFn : SdBlock.DEFAULT_WEIGHT_INIT;
    }

    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        super.applyGlobalConfigToLayer(globalConfig);
        if (weightInitFn == null) {
            weightInitFn = globalConfig.getWeightInitFn();
        }
    }

    /**
     * The modalities of a packed input, as {@link PgmBlock#define} takes them.
     *
     * @param x     {@code [B, D_m, S_m]} ... as {@code [B, S_m, D_m]}
     * @param masks {@code [B, S_m]} step masks (1 = real step; a row without a 1 = the modality is missing)
     * @param seqs  S_m (1 for a vector)
     */
    public record Unpacked(List<SDVariable> x, List<SDVariable> masks, long[] seqs) {
    }

    /**
     * Splits the packed input of a {@link ModalityPackVertex} into the modalities and their step masks. A vector
     * modality is its first step; a sequence modality of configured length S_m its first S_m steps (all S steps when
     * its length is known at run time only: the pack's padding steps carry mask 0).
     *
     * @param packed {@code [B, ΣD_m + M, S]}, with a static S
     */
    public Unpacked unpack(SDVariable packed) {
        long steps = packed.getShape()[2];
        int mCount = getModalities();
        List<SDVariable> x = new ArrayList<>();
        List<SDVariable> masks = new ArrayList<>();
        long[] seqs = new long[mCount];
        for (int m = 0; m < mCount; m++) {
            seqs[m] = seqLengths[m] == 0 ? 1 : seqLengths[m] > 0 ? Math.min(seqLengths[m], steps) : steps;
            long o = ModalityPackVertex.featureOffset(inputWidths, m);
            long c = ModalityPackVertex.maskChannel(inputWidths, m);
            SDVariable features = packed.get(SDIndex.all(), SDIndex.interval(o, o + inputWidths[m]),
                    SDIndex.interval(0L, seqs[m]));
            x.add(features.permute(0, 2, 1));
            masks.add(packed.get(SDIndex.all(), SDIndex.interval(c, c + 1), SDIndex.interval(0L, seqs[m]))
                    .reshape(-1, seqs[m]));
        }
        return new Unpacked(x, masks, seqs);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> params, SDVariable mask) {
        Unpacked u = unpack(layerInput);
        int mCount = getModalities();
        PgmBlock.Outputs o = toBlock().define(params, u.x(), u.masks(), u.seqs());
        long d = options.getWidth();
        SDVariable objectives = sd.concat(1, o.ufc.reshape(-1, 1), o.pfc.reshape(-1, 1), o.upr.reshape(-1, 1));
        List<SDVariable> parts = new ArrayList<>();
        if (pooled()) {
            parts.addAll(o.pooledUni);
            parts.addAll(o.pooledPaired);
            parts.add(objectives);
            return sd.identity(sd.concat(1, parts.toArray(new SDVariable[0])));
        }
        long seq = u.seqs()[0];
        parts.addAll(o.uni);
        parts.addAll(o.paired);
        SDVariable repeated = objectives.reshape(-1, 1, OBJECTIVES)
                .add(sd.constant(Nd4j.zeros(layerInput.dataType(), 1, seq, OBJECTIVES)));
        parts.add(repeated);
        return sd.concat(2, parts.toArray(new SDVariable[0])).permute(0, 2, 1);
    }

    /** Whether the output is pooled over steps ({@code [B, C]}): mean pooling, or only vector modalities. */
    private boolean pooled() {
        return options.getPooling() == PgmOptions.Pooling.MEAN || Arrays.stream(seqLengths).allMatch(s -> s == 0);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long expected = ModalityPackVertex.channels(inputWidths);
        if (!(inputType instanceof InputType.InputTypeRecurrent r) || r.getSize() != expected
                || (r.getFormat() != null && r.getFormat() != RNNFormat.NCW)) {
            throw new IllegalArgumentException("PgmLayer '" + getLayerName() + "': expected the packed modalities of a "
                    + "ModalityPackVertex, recurrent NCW with " + expected + " channels (widths "
                    + Arrays.toString(inputWidths) + " and " + getModalities() + " mask channels), found " + inputType);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long channels = 2L * getModalities() * options.getWidth() + OBJECTIVES;
        if (pooled()) {
            return InputType.feedForward(channels);
        }
        return InputType.recurrent(channels, seqLengths[0], RNNFormat.NCW);
    }

    @Override
    public void validateInput(INDArray input) {
        long expected = ModalityPackVertex.channels(inputWidths);
        if (input.rank() != 3 || input.size(1) != expected) {
            throw new IllegalArgumentException("PgmLayer '" + getLayerName() + "': expected the packed modalities [B, "
                    + expected + ", S] of a ModalityPackVertex, found shape " + Arrays.toString(input.shape()));
        }
    }

    /** Mean pooling gives one vector per example (no mask); pooling NONE keeps the steps and the packed step mask. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return pooled() ? new Pair<>(null, null) : new Pair<>(maskArray, currentMaskState);
    }

    @Override
    public org.nd4j.linalg.learning.config.IUpdater getUpdaterByParam(String paramName) {
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
    public PgmLayer clone() {
        PgmLayer c = (PgmLayer) super.clone();
        c.inputWidths = inputWidths == null ? null : inputWidths.clone();
        c.seqLengths = seqLengths == null ? null : seqLengths.clone();
        c.learnerUpdater = learnerUpdater == null ? null : learnerUpdater.clone();
        c.decoderUpdater = decoderUpdater == null ? null : decoderUpdater.clone();
        return c;
    }

    public PgmOptions getOptions() {
        return options;
    }

    public long[] getInputWidths() {
        return inputWidths == null ? null : inputWidths.clone();
    }

    public long[] getSeqLengths() {
        return seqLengths == null ? null : seqLengths.clone();
    }

    public IUpdater getLearnerUpdater() {
        return learnerUpdater;
    }

    public IUpdater getDecoderUpdater() {
        return decoderUpdater;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PgmLayer t) || o.getClass() != getClass() || !super.equals(o)) {
            return false;
        }
        return Objects.equals(options, t.options) && Arrays.equals(inputWidths, t.inputWidths)
                && Arrays.equals(seqLengths, t.seqLengths) && Objects.equals(learnerUpdater, t.learnerUpdater)
                && Objects.equals(decoderUpdater, t.decoderUpdater) && Double.compare(alpha, t.alpha) == 0
                && Objects.equals(weightInitFn, t.weightInitFn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), options, Arrays.hashCode(inputWidths), Arrays.hashCode(seqLengths));
    }

    @Override
    public String toString() {
        return "PgmLayer(" + options + ", inputWidths=" + Arrays.toString(inputWidths) + ", seqLengths="
                + Arrays.toString(seqLengths) + ", alpha=" + alpha + ")";
    }
}

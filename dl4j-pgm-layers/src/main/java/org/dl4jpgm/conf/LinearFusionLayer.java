package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * The "linear fusion" baseline of Table 2: {@code y = Σ_m w_m x_m} with one learned scalar weight per modality
 * (initialised to 1/M). Input: the M modality vectors of one width D merged by a {@code MergeVertex},
 * {@code [B, M·D]} (a layer has one input; as a layer its M parameters count in {@code numParams()}); output
 * {@code [B, D]}.
 */
public class LinearFusionLayer extends SameDiffLayer {

    public static final String WEIGHTS = "w";

    @JsonProperty
    private int modalities;

    private LinearFusionLayer() {
    }

    public LinearFusionLayer(int modalities) {
        if (modalities < 2) {
            throw new IllegalArgumentException("LinearFusionLayer: needs >= 2 modalities, found " + modalities);
        }
        this.modalities = modalities;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHTS, 1, modalities);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(WEIGHTS).assign(1.0 / modalities);
    }

    /** {@code [B, M·D] -> [B, M, D]}, times {@code w} as {@code [1, M, 1]}, summed over M. */
    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> params, SDVariable mask) {
        long width = layerInput.getShape()[1] / modalities;
        SDVariable x = layerInput.reshape(-1, modalities, width);
        return x.mul(params.get(WEIGHTS).reshape(1, modalities, 1)).sum(1);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (!(inputType instanceof InputType.InputTypeFeedForward ff) || ff.getSize() % modalities != 0) {
            throw new IllegalArgumentException("LinearFusionLayer '" + getLayerName() + "': expected the " + modalities
                    + " modality vectors of one width merged into [B, M·D], found " + inputType);
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(((InputType.InputTypeFeedForward) inputType).getSize() / modalities);
    }

    @Override
    public void validateInput(INDArray input) {
        if (input.rank() != 2 || input.size(1) % modalities != 0) {
            throw new IllegalArgumentException("LinearFusionLayer '" + getLayerName() + "': expected [B, M·D] with M = "
                    + modalities + ", found shape " + Arrays.toString(input.shape()));
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return CorrectedSameDiffLayer.setUp(new CorrectedSameDiffLayer(conf, networkDataType), conf, layerIndex, layerParamsView,
                initializeParams);
    }

    public int getModalities() {
        return modalities;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearFusionLayer t && t.getClass() == getClass() && super.equals(o)
                && t.modalities == modalities;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), modalities);
    }
}

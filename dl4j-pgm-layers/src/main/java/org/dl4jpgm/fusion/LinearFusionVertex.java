package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.dl4jpgm.impl.CorrectedSameDiffVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * The "linear fusion" baseline of Table 2: {@code y = Σ_m w_m x_m} with one learned scalar weight per modality
 * (initialised to 1/M). Inputs: M feed-forward vectors {@code [B, D]} of one width; output {@code [B, D]}.
 */
public class LinearFusionVertex extends CorrectedSameDiffVertex {

    public static final String WEIGHTS = "w";

    @JsonProperty
    private int modalities;

    private LinearFusionVertex() {
    }

    public LinearFusionVertex(int modalities) {
        if (modalities < 2) {
            throw new IllegalArgumentException("LinearFusionVertex: needs >= 2 inputs, found " + modalities);
        }
        this.modalities = modalities;
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        String[] names = new String[modalities];
        for (int m = 0; m < modalities; m++) {
            names[m] = "in" + m;
        }
        params.defineInputs(names);
        params.addWeightParam(WEIGHTS, 1, modalities);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(WEIGHTS).assign(1.0 / modalities);
    }

    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> inputs, Map<String, SDVariable> params,
                                   Map<String, SDVariable> masks) {
        SDVariable w = params.get(WEIGHTS);
        SDVariable sum = null;
        for (int m = 0; m < modalities; m++) {
            SDVariable term = inputs.get("in" + m).mul(w.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                    org.nd4j.autodiff.samediff.SDIndex.interval((long) m, (long) m + 1)));
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (in.length != modalities) {
            throw new InvalidInputTypeException("LinearFusionVertex '" + getName() + "': expected " + modalities
                    + " inputs, found " + in.length);
        }
        for (InputType t : in) {
            if (!(t instanceof InputType.InputTypeFeedForward) || t.arrayElementsPerExample()
                    != in[0].arrayElementsPerExample()) {
                throw new InvalidInputTypeException("LinearFusionVertex '" + getName() + "': expected feed-forward inputs "
                        + "of one width, found " + java.util.Arrays.toString(in));
            }
        }
        return in[0];
    }

    @Override
    public org.nd4j.common.primitives.Pair<INDArray, org.deeplearning4j.nn.api.MaskState> feedForwardMaskArrays(
            INDArray[] maskArrays, org.deeplearning4j.nn.api.MaskState currentMaskState, int minibatchSize) {
        return new org.nd4j.common.primitives.Pair<>(null, null);
    }

    @Override
    public LinearFusionVertex clone() {
        LinearFusionVertex c = new LinearFusionVertex(modalities);
        return copyBaseTo(c);
    }

    public int getModalities() {
        return modalities;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearFusionVertex t && t.getClass() == getClass() && t.modalities == modalities
                && java.util.Objects.equals(getUpdater(), t.getUpdater());
    }

    @Override
    public int hashCode() {
        return modalities;
    }
}

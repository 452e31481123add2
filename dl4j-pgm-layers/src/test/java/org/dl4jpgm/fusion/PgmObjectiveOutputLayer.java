package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.PgmLayer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Test support: brings PgM's objective {@code L_P} (Eq. 11) into the graph's score, weighted by α (Eq. 12), so that
 * gradient checks see it ({@link ObjectiveOutput}).
 *
 * <p>Input: the objective channels of a {@link PgmLayer}, {@code [B, 3]} or {@code [B, 3, S]} (the per-example
 * UFC, PFC and UPR, repeated along S). "Labels": {@code [B, 1]}, the weight α of each example — not a target (DL4J
 * M2.1's SameDiff output layer needs a label array to backpropagate).
 *
 * <p>Loss: {@code Σ_b α_b (UFC_b + PFC_b + UPR_b)}; DL4J divides the score and the gradients by B, so the score is
 * the batch mean, like its own loss functions. The layer has no parameters; its output is its input.
 */
public class PgmObjectiveOutputLayer extends SameDiffOutputLayer {

    public PgmObjectiveOutputLayer() {
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> params) {
        SDVariable perExample = input.getShape().length == 3 ? input.mean(2).sum(true, 1) : input.sum(true, 1);
        SDVariable loss = perExample.mul(labels).sum();
        sd.setLossVariables(loss);
        return loss;
    }

    @Override
    public String activationsVertexName() {
        return "input";
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
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o);
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    /** The stock runtime, with a quiet gradient-function build ({@link org.dl4jpgm.impl.QuietSameDiffOutputLayer}). */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> trainingListeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, org.nd4j.linalg.api.buffer.DataType networkDataType) {
        org.dl4jpgm.impl.QuietSameDiffOutputLayer ret = new org.dl4jpgm.impl.QuietSameDiffOutputLayer(conf,
                networkDataType);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        ret.setConf(conf);
        return ret;
    }
}

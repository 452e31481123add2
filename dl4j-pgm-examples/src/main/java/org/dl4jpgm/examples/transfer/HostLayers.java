package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The pieces the hosts share: per-modality encoders and task outputs. */
final class HostLayers {

    private HostLayers() {
    }

    /**
     * One encoder per modality, each giving a vector {@code [B, D]}: a dense layer (ReLU) for a vector modality (the
     * hosts' text branch after BERT), an LSTM read at its last valid step for a sequence (their audio and vision
     * sub-networks; {@code LastTimeStepVertex} takes the step mask of the network input).
     *
     * @return the encoders' vertex names {@code enc_<modality>}, in input order
     */
    static String[] encoders(GraphBuilder b, HostInputs in, int d) {
        String[] enc = new String[in.size()];
        for (int m = 0; m < enc.length; m++) {
            String name = in.names().get(m);
            enc[m] = "enc_" + name;
            if (in.isSequence(m)) {
                b.addLayer("lstm_" + name, new LSTM.Builder().nOut(d).activation(Activation.TANH).build(), name);
                b.addVertex(enc[m], new LastTimeStepVertex(name), "lstm_" + name);
            } else {
                b.addLayer(enc[m], new DenseLayer.Builder().nOut(d).activation(Activation.RELU).build(), name);
            }
        }
        return enc;
    }

    /**
     * A task output: softmax + cross-entropy over the target's classes, or a single value with the L1 loss (the loss
     * of all three hosts on MOSI's sentiment score).
     */
    static OutputLayer output(TargetSpec target) {
        boolean classification = target.getTask() == TaskType.CLASSIFICATION;
        return new OutputLayer.Builder(classification ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.L1).nOut(target.labelWidth())
                .activation(classification ? Activation.SOFTMAX : Activation.IDENTITY).build();
    }
}

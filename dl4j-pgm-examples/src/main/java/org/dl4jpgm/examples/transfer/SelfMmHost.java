package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.nd4j.linalg.activations.Activation;

/**
 * The structure of Self-MM (Yu et al., AAAI 2021; MMSA's {@code SELF_MM}): per-modality encoders, the fusion
 * {@code concat -> dense (ReLU)} (Self-MM's {@code post_fusion_layer_1}, the vertex {@link HostModel#FUSION} fed by
 * the merge {@code fusionConcat}), {@code dense (ReLU) -> out} (the multimodal task), and one uni-modal task per
 * modality: {@code enc_<m> -> uni_<m> (dense, ReLU) -> out_<m>}. The uni-modal tasks learn from labels that
 * {@link Ulgm} generates during training (regression targets); {@code uni_<m>} and the fusion output are the
 * features it reads.
 */
final class SelfMmHost {

    /** Prefix of the uni-modal feature layers, {@code uni_<modality>}. */
    static final String UNI = "uni_";
    /** Prefix of the uni-modal task outputs, {@code out_<modality>}. */
    static final String UNI_OUT = "out_";

    private SelfMmHost() {
    }

    /** Adds the layers after the inputs; returns the outputs in order ({@code out}, then {@code out_<m>} per modality). */
    static String[] add(GraphBuilder b, HostInputs in, TargetSpec target, int d) {
        String[] enc = HostLayers.encoders(b, in, d);
        b.addVertex("fusionConcat", new MergeVertex(), enc);
        b.addLayer(HostModel.FUSION, new DenseLayer.Builder().nOut(d).activation(Activation.RELU).build(),
                "fusionConcat");
        b.addLayer("dense", new DenseLayer.Builder().nOut(d).activation(Activation.RELU).build(), HostModel.FUSION);
        b.addLayer(HostModel.OUT, HostLayers.output(target), "dense");
        String[] outs = new String[in.size() + 1];
        outs[0] = HostModel.OUT;
        for (int m = 0; m < in.size(); m++) {
            String name = in.names().get(m);
            b.addLayer(UNI + name, new DenseLayer.Builder().nOut(d).activation(Activation.RELU).build(), enc[m]);
            b.addLayer(UNI_OUT + name, HostLayers.output(target), UNI + name);
            outs[m + 1] = UNI_OUT + name;
        }
        return outs;
    }
}

package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.nd4j.linalg.activations.Activation;

import java.util.ArrayList;
import java.util.List;

/**
 * The structure of MMIM (Han et al., EMNLP 2021): per-modality encoders, the fusion network
 * {@code concat -> dense (tanh)} (the vertex {@link HostModel#FUSION} fed by the merge {@code fusionConcat}),
 * {@code dense (tanh) -> out}, and mutual-information terms as extra loss outputs, each a {@link CpcLoss}
 * (InfoNCE over the batch) behind a dense prediction:
 * <ul>
 *   <li>fusion to modality, {@code cpc_<m>}: x = {@code enc_<m>} predicted from the fusion output (MMIM's CPC terms);</li>
 *   <li>modality pairs, {@code cpc_<a>_<m>}: x = {@code enc_<m>} predicted from the anchor {@code enc_<a>}
 *   ({@link HostInputs#anchor()}, text). MMIM bounds these pairs' MI with a Gaussian (BA) estimator and entropy
 *   terms; here they get the same InfoNCE bound as the fusion terms (docs/transfer.md).</li>
 * </ul>
 */
final class MmimHost {

    /** Prefix of the CPC outputs. */
    static final String CPC = "cpc_";
    /** Suffix of the merge {@code [prediction, x]} in front of each CPC output. */
    static final String PAIR = "_pair";

    private MmimHost() {
    }

    /** Adds the layers after the inputs; returns the outputs in order ({@code out}, then the CPC terms). */
    static String[] add(GraphBuilder b, HostInputs in, TargetSpec target, int d, double eta) {
        String[] enc = HostLayers.encoders(b, in, d);
        b.addVertex("fusionConcat", new MergeVertex(), enc);
        b.addLayer(HostModel.FUSION, new DenseLayer.Builder().nOut(d).activation(Activation.TANH).build(),
                "fusionConcat");
        b.addLayer("dense", new DenseLayer.Builder().nOut(d).activation(Activation.TANH).build(), HostModel.FUSION);
        b.addLayer(HostModel.OUT, HostLayers.output(target), "dense");
        List<String> outs = new ArrayList<>(List.of(HostModel.OUT));
        for (int m = 0; m < in.size(); m++) {
            outs.add(cpc(b, CPC + in.names().get(m), HostModel.FUSION, enc[m], d, eta));
        }
        int a = in.anchor();
        for (int m = 0; m < in.size(); m++) {
            if (m != a) {
                outs.add(cpc(b, CPC + in.names().get(a) + "_" + in.names().get(m), enc[a], enc[m], d, eta));
            }
        }
        return outs.toArray(new String[0]);
    }

    /** {@code name}: the InfoNCE term of x = {@code target} predicted from {@code source} by a dense layer. */
    private static String cpc(GraphBuilder b, String name, String source, String target, int d, double eta) {
        b.addLayer(name + "_pred", new DenseLayer.Builder().nOut(d).activation(Activation.IDENTITY).build(), source);
        b.addVertex(name + PAIR, new MergeVertex(), name + "_pred", target);
        b.addLayer(name, new LossLayer.Builder().lossFunction(new CpcLoss(d, eta)).activation(Activation.IDENTITY)
                .build(), name + PAIR);
        return name;
    }
}

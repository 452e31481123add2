package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.AttentionVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.nd4j.linalg.activations.Activation;

/**
 * The structure of MulT (Tsai et al., ACL 2019): every modality projected to width D per step ({@code proj_<m>}, a
 * 1-D convolution of kernel 1 as in MulT; a vector modality through a dense layer, repeated along the steps of the
 * first sequence input, {@code seq_<m>}); for every ordered pair (α, β) of modalities a cross-modal block
 * {@code Z_{α→β}}: DL4J's multi-head {@link AttentionVertex} with queries from β and keys and values from α
 * ({@code cm_<α>_<β>}), a residual connection, a position-wise feed-forward layer with its residual
 * ({@code cmOut_<α>_<β>}); per target β the blocks into β concatenated and reduced over β's valid steps
 * ({@code pool_<β>}); the fusion {@link HostModel#FUSION}, a {@code MergeVertex} of the M reduced vectors (MulT's
 * concatenation); {@code dense (ReLU) -> out}. Simplified: one block per pair, no layer normalisation, positional
 * embeddings or self-attention layers after the blocks, and a masked mean over steps where MulT takes the last step.
 */
final class MultHost {

    private MultHost() {
    }

    /** Adds the layers after the inputs; returns the outputs ({@code out} only). */
    static String[] add(GraphBuilder b, HostInputs in, TargetSpec target, int d, int heads) {
        int reference = -1;
        for (int m = 0; m < in.size() && reference < 0; m++) {
            if (in.isSequence(m)) {
                reference = m;
            }
        }
        if (reference < 0) {
            throw new IllegalArgumentException("MultHost: the cross-modal attention blocks need at least one sequence "
                    + "modality; found only vectors " + in.names());
        }
        if (d % heads != 0) {
            throw new IllegalArgumentException("MultHost: width D = " + d + " must be a multiple of the attention heads "
                    + heads);
        }
        String[] seq = new String[in.size()];
        for (int m = 0; m < in.size(); m++) {
            String name = in.names().get(m);
            if (in.isSequence(m)) {
                seq[m] = "proj_" + name;
                b.addLayer(seq[m], new Convolution1DLayer.Builder(1).nOut(d).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), name);
            } else {
                b.addLayer("proj_" + name, new DenseLayer.Builder().nOut(d).activation(Activation.IDENTITY).build(),
                        name);
                seq[m] = "seq_" + name;
                b.addVertex(seq[m], new DuplicateToTimeSeriesVertex(in.names().get(reference)), "proj_" + name);
            }
        }
        String[] pooled = new String[in.size()];
        for (int t = 0; t < in.size(); t++) {
            String[] into = new String[in.size() - 1];
            int k = 0;
            for (int s = 0; s < in.size(); s++) {
                if (s != t) {
                    into[k++] = crossModalBlock(b, in.names().get(s), in.names().get(t), seq[s], seq[t], d, heads);
                }
            }
            String target2 = in.names().get(t);
            b.addVertex("cross_" + target2, new MergeVertex(), into);
            pooled[t] = "pool_" + target2;
            b.addLayer(pooled[t], new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "cross_" + target2);
        }
        b.addVertex(HostModel.FUSION, new MergeVertex(), pooled);
        b.addLayer("dense", new DenseLayer.Builder().nOut(d).activation(Activation.RELU).build(), HostModel.FUSION);
        b.addLayer(HostModel.OUT, HostLayers.output(target), "dense");
        return new String[]{HostModel.OUT};
    }

    /** {@code Z_{α→β}}: β attends to α; returns the block's output vertex, {@code [B, D, S_β]}. */
    private static String crossModalBlock(GraphBuilder b, String alpha, String beta, String za, String zb, int d,
                                          int heads) {
        String p = alpha + "_" + beta;
        b.addVertex("cm_" + p, new AttentionVertex.Builder().nInQueries(d).nInKeys(d).nInValues(d).nOut(d)
                .nHeads(heads).headSize(d / heads).projectInput(true).build(), zb, za, za);
        b.addVertex("cmRes_" + p, new ElementWiseVertex(ElementWiseVertex.Op.Add), "cm_" + p, zb);
        b.addLayer("cmFfn_" + p, new Convolution1DLayer.Builder(1).nOut(d).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.RELU).build(), "cmRes_" + p);
        b.addVertex("cmOut_" + p, new ElementWiseVertex(ElementWiseVertex.Op.Add), "cmFfn_" + p, "cmRes_" + p);
        return "cmOut_" + p;
    }
}

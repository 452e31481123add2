package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LinearFusionLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.dl4jpgm.conf.Layouts;
import org.dl4jpgm.conf.StepMeanPoolingLayer;
import org.nd4j.linalg.activations.Activation;

import java.util.Arrays;

/**
 * The Table 2 baselines, built the same way as PgM by {@link PgmFusion}: recurrent modalities are first reduced by a
 * masked average over steps ({@link StepMeanPoolingLayer}); modalities of unequal width are projected to a common width
 * (a linear dense layer each) where the fusion needs one width (ADD, MAX, LINEAR). With
 * {@link FusionSpec#getBaselineDropout()} a dropout layer follows the fused output.
 */
final class BaselineFusions {

    private BaselineFusions() {
    }

    static Fused add(GraphBuilder b, FusionSpec spec, InputType[] in, String[] inputs) {
        int modalities = inputs.length;
        String[] vectors = new String[modalities];
        long[] widths = new long[modalities];
        for (int m = 0; m < modalities; m++) {
            widths[m] = Layouts.width(in[m]);
            boolean used = spec.getType() != FusionType.UNIMODAL || m == spec.getUniModalIndex();
            if (used && in[m] instanceof InputType.InputTypeRecurrent) {
                vectors[m] = name(spec, "Pool" + m);
                b.addLayer(vectors[m], pooling(), inputs[m]);
            } else {
                vectors[m] = inputs[m];
            }
        }
        String out;
        long width;
        switch (spec.getType()) {
            case CONCAT -> {
                out = name(spec, "Concat");
                b.addVertex(out, new MergeVertex(), vectors);
                width = Arrays.stream(widths).sum();
            }
            case MLP -> {
                b.addVertex(name(spec, "Merge"), new MergeVertex(), vectors);
                width = spec.getMlpHidden() > 0 ? spec.getMlpHidden() : Arrays.stream(widths).sum();
                out = name(spec, "Mlp");
                b.addLayer(out, dense(spec, width, Activation.RELU).build(), name(spec, "Merge"));
            }
            case ADD, MAX, LINEAR -> {
                width = spec.getBaselineWidth() > 0 ? spec.getBaselineWidth() : Arrays.stream(widths).max().orElse(0);
                String[] same = new String[modalities];
                for (int m = 0; m < modalities; m++) {
                    if (widths[m] == width) {
                        same[m] = vectors[m];
                    } else {
                        same[m] = name(spec, "Proj" + m);
                        b.addLayer(same[m], dense(spec, width, Activation.IDENTITY).build(), vectors[m]);
                    }
                }
                out = name(spec, spec.getType() == FusionType.LINEAR ? "Linear"
                        : spec.getType() == FusionType.ADD ? "Add" : "Max");
                if (spec.getType() == FusionType.LINEAR) {
                    LinearFusionLayer l = new LinearFusionLayer(modalities);
                    l.setUpdater(spec.getModelUpdater());
                    b.addVertex(name(spec, "Merge"), new MergeVertex(), same);
                    b.addLayer(out, l, name(spec, "Merge"));
                } else {
                    b.addVertex(out, new ElementWiseVertex(spec.getType() == FusionType.ADD
                            ? ElementWiseVertex.Op.Add : ElementWiseVertex.Op.Max), same);
                }
            }
            case UNIMODAL -> {
                int k = spec.getUniModalIndex();
                if (k >= modalities) {
                    throw new IllegalArgumentException("PgmFusion: uniModalIndex " + k + " is out of range for "
                            + modalities + " modalities " + Arrays.toString(inputs));
                }
                out = name(spec, "Uni" + k);
                b.addVertex(out, identity(), vectors[k]);
                width = widths[k];
                b.allowDisconnected(true);
            }
            default -> throw new IllegalStateException("not a baseline: " + spec.getType());
        }
        if (spec.getBaselineDropout() > 0) {
            String dropped = name(spec, "Dropout");
            b.addLayer(dropped, PgmFusion.dropout(spec.getBaselineDropout()), out);
            out = dropped;
        }
        return new Fused(out, width, null);
    }

    /** The name of a vertex this class adds: the spec's prefix, then {@code what}. */
    private static String name(FusionSpec spec, String what) {
        return spec.getPrefix() + what;
    }

    private static DenseLayer.Builder dense(FusionSpec spec, long nOut, Activation activation) {
        DenseLayer.Builder d = new DenseLayer.Builder().nOut(nOut).activation(activation);
        if (spec.getModelUpdater() != null) {
            d.updater(spec.getModelUpdater());
        }
        return d;
    }

    private static StepMeanPoolingLayer pooling() {
        return new StepMeanPoolingLayer.Builder().build();
    }

    private static ScaleVertex identity() {
        return new ScaleVertex(1.0);
    }
}

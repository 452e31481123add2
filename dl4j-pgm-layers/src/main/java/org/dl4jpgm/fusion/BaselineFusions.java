package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.dl4jpgm.conf.Layouts;
import org.nd4j.linalg.activations.Activation;

import java.util.Arrays;

/**
 * The Table 2 baselines, built the same way as PgM by {@link PgmFusion}: recurrent modalities are first reduced by a
 * masked average over steps ({@link org.dl4jpgm.conf.StepMeanPoolingLayer}); modalities of unequal width are projected to a common width
 * (a linear dense layer each) where the fusion needs one width (ADD, MAX, LINEAR).
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
                vectors[m] = PgmFusion.name(spec, "Pool" + m);
                b.addLayer(vectors[m], PgmFusion.pooling(), inputs[m]);
            } else {
                vectors[m] = inputs[m];
            }
        }
        String out;
        long width;
        switch (spec.getType()) {
            case CONCAT -> {
                out = PgmFusion.name(spec, "Concat");
                b.addVertex(out, new MergeVertex(), vectors);
                width = Arrays.stream(widths).sum();
            }
            case MLP -> {
                b.addVertex(PgmFusion.name(spec, "Merge"), new MergeVertex(), vectors);
                width = spec.getMlpHidden() > 0 ? spec.getMlpHidden() : Arrays.stream(widths).sum();
                out = PgmFusion.name(spec, "Mlp");
                b.addLayer(out, PgmFusion.dense(spec, width, Activation.RELU).build(), PgmFusion.name(spec, "Merge"));
            }
            case ADD, MAX, LINEAR -> {
                width = spec.getBaselineWidth() > 0 ? spec.getBaselineWidth() : Arrays.stream(widths).max().orElse(0);
                String[] same = new String[modalities];
                for (int m = 0; m < modalities; m++) {
                    if (widths[m] == width) {
                        same[m] = vectors[m];
                    } else {
                        same[m] = PgmFusion.name(spec, "Proj" + m);
                        b.addLayer(same[m], PgmFusion.dense(spec, width, Activation.IDENTITY).build(), vectors[m]);
                    }
                }
                out = PgmFusion.name(spec, spec.getType() == FusionType.LINEAR ? "Linear"
                        : spec.getType() == FusionType.ADD ? "Add" : "Max");
                if (spec.getType() == FusionType.LINEAR) {
                    LinearFusionLayer l = new LinearFusionLayer(modalities);
                    l.setUpdater(spec.getModelUpdater());
                    b.addVertex(PgmFusion.name(spec, "Merge"), new MergeVertex(), same);
                    b.addLayer(out, l, PgmFusion.name(spec, "Merge"));
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
                out = PgmFusion.name(spec, "Uni" + k);
                b.addVertex(out, PgmFusion.identity(), vectors[k]);
                width = widths[k];
                b.allowDisconnected(true);
            }
            default -> throw new IllegalStateException("not a baseline: " + spec.getType());
        }
        return new Fused(out, width, null);
    }
}

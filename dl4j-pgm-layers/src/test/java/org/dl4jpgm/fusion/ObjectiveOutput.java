package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.PgmLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * For gradient checks: PgM's objective L_P as a graph output ({@link PgmObjectiveOutputLayer}, "labels" α per example)
 * next to the task outputs, so that the score DL4J's {@code GradientCheckUtil} differentiates numerically is
 * {@code L_T + α L_P}. The layer's own α is set to 0, so the objective enters the gradient once, through the output.
 */
final class ObjectiveOutput {

    private ObjectiveOutput() {
    }

    /** Adds {@code <prefix>Objectives} and {@code <prefix>Loss}, and sets the outputs: the task outputs, then the loss. */
    static void attach(GraphBuilder b, Fused f, String... taskOutputs) {
        String p = PgmFusion.prefixOf(f.pgmVertex());
        PgmLayer v = (PgmLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) b.getVertices().get(f.pgmVertex()))
                .getLayerConf().getLayer();
        int[] r = PgmLayer.objectiveRange(v.getModalities(), v.getOptions().getWidth());
        b.addVertex(p + "Objectives", new SubsetVertex(r[0], r[1]), f.pgmVertex());
        b.addLayer(p + "Loss", new PgmObjectiveOutputLayer(), p + "Objectives");
        v.setAlpha(0);
        List<String> outputs = new ArrayList<>(Arrays.asList(taskOutputs));
        outputs.add(p + "Loss");
        b.setOutputs(outputs.toArray(new String[0]));
    }
}

package org.dl4jpgm.impl;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;

/**
 * Puts a graph's updater on its fast paths: the same arithmetic as DL4J's, on the same memory, without DL4J
 * 1.0.0-M2.1's per-step views ({@link FlatGradientUpdater}), with Adam's update of float parameters computed in
 * Java ({@link JavaAdamUpdater}) and the optimizer's parameter step taken in the updater's pass
 * ({@link FusedParameterStep}). Each is installed only where it measures the DL4J / libnd4j behaviour it works
 * around. Called by the trainers and {@code PgmFusion.replace}; call it on any graph before {@code fit}.
 */
public final class GraphUpdaters {

    private GraphUpdaters() {
    }

    /**
     * Installs both on an initialised graph; the updater state (e.g. Adam's moments) is kept.
     *
     * @return the number of updater blocks whose Adam now runs in Java
     */
    public static int install(ComputationGraph graph) {
        if (graph.params() == null || graph.params().length() == 0) {
            return 0;
        }
        if (FlatGradientUpdater.install(graph)) {
            FusedParameterStep.install(graph);
        }
        ComputationGraphUpdater updater = graph.getUpdater(true);
        return JavaAdamUpdater.install(updater);
    }
}

package org.dl4jpgm.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.dl4jpgm.impl.FlatGradientUpdater;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Puts {@link FlatGradientUpdater} in place on each worker's graph before its first minibatch: dl4j-spark's workers
 * build their own graphs (from the broadcast configuration, parameters and updater state), which would otherwise
 * update through DL4J's own updater and its per-step views (docs/performance.md, "The updater's slow path"). The
 * updater state the worker received is kept; a graph that already has the updater is left as it is.
 */
public final class FlatGradientHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        install(model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        install(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        // nothing after the update
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        // nothing after the update
    }

    private static void install(Model model) {
        if (model instanceof ComputationGraph g) {
            FlatGradientUpdater.install(g);
        }
    }
}

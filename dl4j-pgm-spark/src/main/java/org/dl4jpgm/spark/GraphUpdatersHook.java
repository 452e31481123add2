package org.dl4jpgm.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.dl4jpgm.impl.GraphUpdaters;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Puts each worker's graph updater on its fast paths ({@link GraphUpdaters}) before its first minibatch: dl4j-spark's
 * workers build their own graphs (from the broadcast configuration, parameters and updater state), which would
 * otherwise update through DL4J's own updater, its per-step views and libnd4j's Adam kernel (docs/performance.md,
 * "The updater's slow path", "Adam's kernel"). The updater state the worker received is kept; a graph whose updater is
 * already on them is left as it is.
 */
public final class GraphUpdatersHook implements TrainingHook {

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
            GraphUpdaters.install(g);
        }
    }
}

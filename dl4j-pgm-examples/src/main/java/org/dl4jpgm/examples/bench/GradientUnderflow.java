package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jpgm.impl.JavaAdamUpdater;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

/**
 * How many of a training step's gradients Adam squares below the smallest normal float: a training listener that, at
 * DL4J's {@code onBackwardPass} (the flattened gradient complete, not yet divided by the minibatch size nor updated),
 * counts the elements with {@code 0 < |g / B| < T}, T being {@link JavaAdamUpdater#squareUnderflow} of the run's
 * {@code 1 - β2}, and the groups of 16 consecutive elements (one vector of AVX-512 floats) that hold one or more.
 * Those squares take the CPU's slow path unless the second moment absorbs them (docs/performance.md, "Squares the
 * second moment absorbs"). Counted in steps of their own, after the benchmark's timed ones.
 */
final class GradientUnderflow extends BaseTrainingListener {

    /** Consecutive elements counted as one vector. */
    static final int GROUP = 16;

    /** One step's counts: elements, zeros, underflowing squares and groups holding one or more. */
    record Counts(long elements, long zeros, long underflows, long groups, long groupsWithUnderflow) {
    }

    private final float bound;
    private final List<Counts> steps = new ArrayList<>();

    /**
     * @param minibatch    the minibatch size B that DL4J divides the gradient by before Adam
     * @param oneMinusBeta2 Adam's {@code 1 - β2} in float
     */
    GradientUnderflow(int minibatch, float oneMinusBeta2) {
        this.bound = JavaAdamUpdater.squareUnderflow(oneMinusBeta2) * minibatch;
    }

    /**
     * Runs {@code n} steps of {@code g} on {@code batch} with this listener added and returns each step's counts, the
     * bound taken from the β2 of the graph's first Adam block; empty where no block runs Adam.
     */
    static List<Counts> measure(ComputationGraph g, MultiDataSet batch, int n) {
        Float oneMinusBeta2 = null;
        for (UpdaterBlock b : g.getUpdater().getUpdaterBlocks()) {
            if (oneMinusBeta2 == null && b.getGradientUpdater().getConfig() instanceof Adam) {
                oneMinusBeta2 = 1 - (float) ((Adam) b.getGradientUpdater().getConfig()).getBeta2();
            }
        }
        if (oneMinusBeta2 == null) {
            return List.of();
        }
        GradientUnderflow u = new GradientUnderflow((int) batch.getFeatures(0).size(0), oneMinusBeta2);
        List<TrainingListener> before = new ArrayList<>(g.getListeners());
        g.addListeners(u);
        try {
            for (int i = 0; i < n; i++) {
                g.fit(batch);
            }
        } finally {
            g.setListeners(before);
        }
        return u.steps;
    }

    @Override
    public void onBackwardPass(Model model) {
        float[] grad = ((ComputationGraph) model).getFlattenedGradients().dup().data().asFloat();
        long zeros = 0;
        long under = 0;
        long groupsWith = 0;
        for (int s = 0; s < grad.length; s += GROUP) {
            boolean any = false;
            for (int i = s; i < Math.min(grad.length, s + GROUP); i++) {
                float a = Math.abs(grad[i]);
                if (a == 0) {
                    zeros++;
                } else if (a < bound) {
                    under++;
                    any = true;
                }
            }
            groupsWith += any ? 1 : 0;
        }
        steps.add(new Counts(grad.length, zeros, under, (grad.length + GROUP - 1) / GROUP, groupsWith));
    }
}

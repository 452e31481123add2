package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The thread CPU time of a training step's three phases, taken by a DL4J training listener at the hooks that
 * DL4J 1.0.0-M2.1's {@code ComputationGraph} calls: the forward pass (from the {@code fit} call to
 * {@code onForwardPass}), the backward pass (to {@code onBackwardPass}; it includes the output layers' score), and the
 * update (to {@code iterationDone}: the updater and the step of the parameters). The phases of {@code src/main/python/pgm_peer.py --phases}, whose
 * forward pass includes the loss.
 *
 * <p>A listener makes DL4J pass the activations to it after the forward pass, nothing else; the phases are taken in
 * steps of their own, after the benchmark's timed ones.
 */
final class StepPhases extends BaseTrainingListener {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Median thread CPU ms of the three phases. */
    record Medians(double forwardMs, double backwardMs, double updateMs) {
    }

    private long start;
    private long forwardEnd;
    private long backwardEnd;
    private final List<double[]> steps = new ArrayList<>();

    /** The medians of {@code n} steps of {@code g} on {@code batch} ({@link #run}). */
    static Medians measure(ComputationGraph g, MultiDataSet batch, int n) {
        StepPhases p = new StepPhases();
        p.run(g, batch, n);
        return new Medians(p.median(0), p.median(1), p.median(2));
    }

    /** Runs {@code n} steps of {@code g} on {@code batch} with this listener added, then gives back its listeners. */
    void run(ComputationGraph g, MultiDataSet batch, int n) {
        List<TrainingListener> before = new ArrayList<>(g.getListeners());
        g.addListeners(this);
        try {
            for (int i = 0; i < n; i++) {
                start = CPU.getCurrentThreadCpuTime();
                g.fit(batch);
            }
        } finally {
            g.setListeners(before);
        }
    }

    /** Per step run so far: thread CPU ms of the forward pass, the backward pass and the update. */
    List<double[]> steps() {
        return steps;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        forwardEnd = CPU.getCurrentThreadCpuTime();
    }

    @Override
    public void onBackwardPass(Model model) {
        backwardEnd = CPU.getCurrentThreadCpuTime();
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        long end = CPU.getCurrentThreadCpuTime();
        steps.add(new double[]{(forwardEnd - start) / 1e6, (backwardEnd - forwardEnd) / 1e6,
                (end - backwardEnd) / 1e6});
    }

    private double median(int phase) {
        double[] v = steps.stream().mapToDouble(s -> s[phase]).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }
}

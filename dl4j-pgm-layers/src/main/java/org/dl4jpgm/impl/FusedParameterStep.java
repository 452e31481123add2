package org.dl4jpgm.impl;

import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.ConvexOptimizer;
import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.IndexedTail;
import org.deeplearning4j.optimize.stepfunctions.NegativeGradientStepFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The optimizer's parameter step, {@code params ← params - update}, taken inside the updater's pass instead of in a
 * pass of its own, on a graph trained by DL4J's stochastic gradient descent.
 *
 * <p>Why: DL4J 1.0.0-M2.1's {@code StochasticGradientDescent.optimize} runs the updater, which turns the gradient into
 * the update, and then subtracts the update from the parameters ({@code NegativeGradientStepFunction}:
 * {@code params.subi(update)}), one more pass over both arrays. At the paper's size (42 M parameters, 168 MB per array)
 * that pass reads 336 MB and writes 168 MB; Adam's pass ({@link AdamKernels}) holds each update in a register already
 * and subtracts it there for the cost of the parameters' own read and write (docs/performance.md, "The parameter step
 * in Adam's pass").
 *
 * <p>How: DL4J's optimizer takes its step function from the configuration, one of four built-in classes
 * ({@code StepFunctions.createStepFunction}), and offers one public hook around the step: a
 * {@code GradientsAccumulator}, meant for sharing gradients between workers. With one set,
 * {@code StochasticGradientDescent.optimize} asks it {@link #hasAnything()} before the forward pass and hands it the
 * step ({@link #applyUpdate(StepFunction, INDArray, INDArray, boolean)}) instead of stepping. This accumulator shares
 * nothing: {@code hasAnything()} arms it for the iteration starting; {@link FlatGradientUpdater}, asked to update that
 * iteration while it is armed ({@link #armed}), steps the parameters in its pass ({@link UpdaterPass}) and says so
 * ({@link #taken()}); {@code applyUpdate} then skips the step, and takes DL4J's own step in every other case (DL4J's
 * update ran, another updater was set, the property is {@code false}). An update called outside the optimizer is never
 * armed, so it steps nothing, as DL4J's does not. The parameters, the updater state and the gradient array (the
 * update) end each step with the same bits as DL4J's (tested in {@code FusedParameterStepTest}).
 *
 * <p>{@link #install} sets it only on a graph of at least {@link #MIN_PARAMETERS} parameters (or as many as asked)
 * whose optimizer is stochastic gradient descent with DL4J's default step function and no accumulator of its own (a
 * graph sharing gradients through dl4j-parallel-wrapper or dl4j-spark keeps theirs). It is not saved with the graph
 * and not copied by {@code clone()}: those graphs take DL4J's step until it is installed on them.
 */
public final class FusedParameterStep implements GradientsAccumulator {

    private static final long serialVersionUID = 1L;

    /**
     * System property: {@code false} makes the updater leave the step to DL4J (read at each step, so that one process
     * can alternate the two); default true.
     */
    public static final String PROPERTY = "org.dl4jpgm.updater.fusedStep";

    /**
     * The fewest parameters for which {@link #install(ComputationGraph)} fuses the step: 2^22, 16 MiB per float array.
     * The fused step saves memory traffic, which pays where the update's arrays come from memory; where they stay in
     * the caches the pass's extra bounds-checked loads and stores cost about what ND4J's one subtraction does, more or
     * less from one JVM to the next (per update and step, fused / DL4J's step, {@code UpdaterBenchmark}: 1.06-1.14
     * at 80,879 parameters, 0.98-1.12 at 298,831, 0.91-1.28 at 1.2 M, 0.92-1.03 at 2.7 M, 0.88 at 3.6 M, 0.78 at
     * 4.7 M in three runs, 0.82 at 18.7 M, 0.90 at 42 M; docs/performance.md, "The parameter step in Adam's pass").
     */
    public static final long MIN_PARAMETERS = 1L << 22;

    /** The graph whose optimizer holds this accumulator; not serialised, as DL4J does not serialise optimizers. */
    private final transient ComputationGraph graph;

    /** The iteration the optimizer started ({@link #hasAnything()}), -1 where none is armed. */
    private int armedFor = -1;

    /** Whether the updater took this iteration's step. */
    private boolean taken;

    /** Steps the updater took, for tests and benchmarks. */
    private long stepsTaken;

    private FusedParameterStep(ComputationGraph graph) {
        this.graph = graph;
    }

    /**
     * {@link #install(ComputationGraph, long)} for graphs of at least {@link #MIN_PARAMETERS} parameters.
     *
     * @param graph an initialised graph
     * @return whether the graph's optimizer now holds a {@code FusedParameterStep} for it
     */
    public static boolean install(ComputationGraph graph) {
        return install(graph, MIN_PARAMETERS);
    }

    /**
     * Sets this accumulator on {@code graph}'s optimizer where its step can be fused: {@code minParameters} parameters
     * or more, stochastic gradient descent with DL4J's default step function, and no other accumulator set.
     *
     * @param graph         an initialised graph
     * @param minParameters the fewest parameters for which to fuse the step (0: any graph)
     * @return whether the graph's optimizer now holds a {@code FusedParameterStep} for it
     */
    public static boolean install(ComputationGraph graph, long minParameters) {
        if (minParameters < 0) {
            throw new IllegalArgumentException("FusedParameterStep.install: minParameters must be 0 or more, got "
                    + minParameters);
        }
        ConvexOptimizer optimizer = graph.getOptimizer();
        GradientsAccumulator current = optimizer.getGradientsAccumulator();
        if (current instanceof FusedParameterStep f && f.graph == graph) {
            return true;
        }
        if (current != null || graph.params() == null || graph.params().length() < minParameters
                || graph.conf().getOptimizationAlgo() != OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT
                || optimizer.getStepFunction() == null
                || optimizer.getStepFunction().getClass() != NegativeGradientStepFunction.class) {
            return false;
        }
        graph.setGradientsAccumulator(new FusedParameterStep(graph));
        return true;
    }

    /**
     * The graph's accumulator where it is a {@code FusedParameterStep} armed for {@code iteration} and the property
     * allows the fused step; null otherwise (the caller leaves the step to DL4J).
     */
    static FusedParameterStep armed(ComputationGraph graph, int iteration) {
        if (!FastPathSwitch.on(PROPERTY)) {
            return null;
        }
        ConvexOptimizer optimizer = graph.getOptimizer();
        if (optimizer != null && optimizer.getGradientsAccumulator() instanceof FusedParameterStep f
                && f.graph == graph && f.armedFor == iteration && f.armedFor >= 0 && !f.taken) {
            return f;
        }
        return null;
    }

    /** The updater stepped the parameters in its pass: the optimizer's step is skipped. */
    void taken() {
        taken = true;
        stepsTaken++;
    }

    /** How many steps the updater took in its pass since this accumulator was set. */
    public long stepsTaken() {
        return stepsTaken;
    }

    /** Arms the step for the iteration the optimizer starts; there is never anything to apply before it. */
    @Override
    public boolean hasAnything() {
        armedFor = graph == null ? -1 : graph.getIterationCount();
        taken = false;
        return false;
    }

    /** The optimizer's step: skipped where the updater took it, else DL4J's own, as the optimizer would take it. */
    @Override
    public void applyUpdate(StepFunction function, INDArray params, INDArray updates, boolean isFinalStep) {
        boolean skip = taken;
        taken = false;
        armedFor = -1;
        if (!skip) {
            function.step(params, updates);
        } else if (function.getClass() != NegativeGradientStepFunction.class) {
            throw new IllegalStateException("the updater subtracted the update from the parameters, but the optimizer's"
                    + " step function is " + function.getClass().getName());
        }
    }

    @Override
    public void applyUpdate(StepFunction function, INDArray params, INDArray updates, double alpha) {
        function.step(params, updates, alpha);
    }

    /** Nothing to store: the step comes through {@link #applyUpdate(StepFunction, INDArray, INDArray, boolean)}. */
    @Override
    public void storeUpdate(INDArray array, int iterationNumber, int epochNumber) {
        // the update stays where it is; there are no other workers to send it to
    }

    @Override
    public void receiveUpdate(INDArray array) {
        throw sharesNothing("receiveUpdate");
    }

    @Override
    public void setExternalSource(IndexedTail source) {
        throw sharesNothing("setExternalSource");
    }

    @Override
    public IndexedTail getExternalSource() {
        return null;
    }

    @Override
    public void markExternalUpdates(boolean updatesAvailable) {
        throw sharesNothing("markExternalUpdates");
    }

    @Override
    public void reset() {
        armedFor = -1;
        taken = false;
    }

    @Override
    public void touch() {
        // no workers to synchronise with
    }

    private static UnsupportedOperationException sharesNothing(String method) {
        return new UnsupportedOperationException("FusedParameterStep." + method + ": this accumulator only moves the "
                + "optimizer's step into the updater's pass and shares no gradients; set dl4j's own accumulator for "
                + "gradient sharing (it replaces this one)");
    }
}

package org.dl4jpgm.impl;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * A graph's updater that hands DL4J the network's own gradient array, so that it takes its standard path.
 *
 * <p>DL4J's updater ({@code BaseMultiLayerUpdater.update}) compares the gradient it is given with the network's
 * flattened gradient array by identity, and treats any other array as a gradient from another network ("external",
 * the RL4J case). In DL4J 1.0.0-M2.1 {@code DefaultGradient.gradient()} returns a new reshaped view of the flattened
 * gradient at each call, so every update of a {@code ComputationGraph} takes the external path: per step and per
 * parameter variable, new views of the whole parameter and gradient arrays, twice (before and after the updater,
 * {@code UpdaterBlock.applyRegularizationAllVariables}), and the minibatch division's subsets built again. Each new
 * view is a native shape-info allocation with JavaCPP's deallocator registration; for PgM's graphs (about 100
 * parameter variables) that is about 15 % of a main-config training step (docs/performance.md).
 *
 * <p>This updater passes a gradient whose {@code gradient()} is the network's array itself when the given one is a
 * view of exactly that memory and the network's parameter and gradient arrays are still those its views were built
 * on; DL4J then applies the same arithmetic to the same memory through the views it made once. In every other case
 * the gradient goes on unchanged (the external path, as before). {@link #install} puts it in place only where it
 * measures DL4J's behaviour ({@link #gradientViewLost()}), so it drops out when DL4J returns its array as such.
 *
 * <p>On that standard path it runs the update as {@link UpdaterPass} does (the minibatch division joined to Adam's
 * pass, each block's view made once) wherever that pass computes what DL4J's would, and takes the optimizer's step in
 * the same pass where the graph's {@link FusedParameterStep} is armed for the iteration.
 */
public final class FlatGradientUpdater extends ComputationGraphUpdater {

    private static volatile Boolean viewLost;

    /** The memory the updater's views were built on: [params address, length, gradient address, length]. */
    private final long[] builtOn;

    private transient UpdaterPass pass;
    private transient boolean passMade;

    private FlatGradientUpdater(ComputationGraph graph, INDArray updaterState) {
        super(graph, updaterState);
        this.builtOn = memoryOf(graph);
    }

    /**
     * Puts this updater in place of {@code graph}'s, keeping the updater state (e.g. Adam's moments) of the one it
     * replaces; nothing if DL4J does not lose the gradient's identity or this updater is already there.
     *
     * @param graph an initialised graph
     * @return whether the graph's updater is now a {@code FlatGradientUpdater}
     */
    public static boolean install(ComputationGraph graph) {
        ComputationGraphUpdater current = graph.getUpdater(false);
        if (current instanceof FlatGradientUpdater) {
            return true;
        }
        if (!gradientViewLost() || graph.params() == null || graph.params().length() == 0) {
            return false;
        }
        INDArray state = current == null ? null : current.getStateViewArray();
        graph.setUpdater(new FlatGradientUpdater(graph, state));
        return true;
    }

    /**
     * Measured once per JVM: whether {@code DefaultGradient.gradient()} returns another object than the rank-2
     * flattened array it was made with (it does in DL4J 1.0.0-M2.1: a reshape to rank 1 at each call).
     */
    public static boolean gradientViewLost() {
        if (viewLost == null) {
            synchronized (FlatGradientUpdater.class) {
                if (viewLost == null) {
                    INDArray flat = Nd4j.create(DataType.FLOAT, 1, 4);
                    viewLost = new DefaultGradient(flat).gradient() != flat;
                }
            }
        }
        return viewLost;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
                                    LayerWorkspaceMgr workspaceMgr) {
        Gradient own = asNetworkArray(gradient);
        UpdaterPass p = own.gradient() == getFlattenedGradientsView() ? pass() : null;
        if (p == null) {
            super.update(own, iteration, epoch, batchSize, workspaceMgr);
            return;
        }
        workspaceMgr.assertNotOpen(ArrayType.UPDATER_WORKING_MEM, "Updater working memory");
        FusedParameterStep step = FusedParameterStep.armed(network, iteration);
        if (p.run(iteration, epoch, batchSize, isMiniBatch(), workspaceMgr, step != null)) {
            step.taken();
        }
    }

    /**
     * The standard update as one pass per block ({@link UpdaterPass}), made at the first update and again when the
     * blocks change; null where DL4J's update does more (then DL4J's own runs).
     */
    private UpdaterPass pass() {
        if (!passMade || (pass != null && !pass.current(getUpdaterBlocks()))) {
            pass = UpdaterPass.of(getUpdaterBlocks(), getOrderedLayers(), getFlattenedGradientsView(), network.params(),
                    getMinibatchDivisionSubsets(getFlattenedGradientsView()));
            passMade = true;
        }
        return pass;
    }

    /**
     * A gradient whose {@code gradient()} is {@code flat} itself, the same object at each call: handed the network's
     * flattened gradient array, DL4J's updater takes its standard path.
     */
    public static DefaultGradient networkArrayGradient(INDArray flat) {
        return new NetworkArrayGradient(flat);
    }

    /** Whether the standard path runs as {@link UpdaterPass} (false: DL4J's own update). */
    boolean runsPass() {
        return pass() != null;
    }

    /** {@code gradient} with the network's own array as its flattened gradient, where that is the same memory. */
    Gradient asNetworkArray(Gradient gradient) {
        INDArray own = getFlattenedGradientsView();
        INDArray given = gradient.gradient();
        if (given == own || own == null || given == null
                || !java.util.Arrays.equals(builtOn, memoryOf(network))
                || HostMemory.address(given) != HostMemory.address(own) || given.length() != own.length()
                || !contiguous(given) || !contiguous(own)) {
            return gradient;
        }
        DefaultGradient same = networkArrayGradient(own);
        for (Map.Entry<String, INDArray> e : gradient.gradientForVariable().entrySet()) {
            same.setGradientFor(e.getKey(), e.getValue(), gradient.flatteningOrderForVariable(e.getKey()));
        }
        return same;
    }

    private static long[] memoryOf(ComputationGraph g) {
        INDArray p = g.params();
        INDArray d = g.getFlattenedGradients();
        return new long[]{p == null ? 0 : HostMemory.address(p), p == null ? 0 : p.length(),
                d == null ? 0 : HostMemory.address(d),
                d == null ? 0 : d.length()};
    }

    private static boolean contiguous(INDArray a) {
        return a.elementWiseStride() == 1 && a.ordering() == 'c';
    }

    /** A {@code DefaultGradient} whose {@code gradient()} is the array it was made with, the same object each call. */
    private static final class NetworkArrayGradient extends DefaultGradient {
        private final INDArray array;

        NetworkArrayGradient(INDArray array) {
            super(array);
            this.array = array;
        }

        @Override
        public INDArray gradient() {
            return array;
        }
    }
}

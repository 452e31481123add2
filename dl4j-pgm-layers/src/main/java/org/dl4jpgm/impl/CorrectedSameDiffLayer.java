package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.util.SameDiffUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DL4J's SameDiff layer runtime with these corrections for 1.0.0-M2.1:
 * <ol>
 *   <li>the error that reaches {@link #backpropGradient} is divided by {@link GradientScale#layerFactor()}, so that
 *   parameter and input gradients are the true ones (the stock runtime returns them doubled);</li>
 *   <li>the external-errors output is set as the loss variable explicitly (M2.1 guesses it otherwise, and a graph
 *   with another dangling variable then has no gradient placeholder);</li>
 *   <li>the mask placeholder has rank 2 ({@code [B, S]}, DL4J's own mask shape) instead of the input's rank;</li>
 *   <li>the input is validated before the SameDiff graph is built from its shape (the stock runtime validates after,
 *   so a wrong first input failed inside SameDiff with a message that did not name the layer);</li>
 *   <li>the gradient function is built without ND4J's line per op on standard output ({@link QuietGradFunction});</li>
 *   <li>a parameter the output does not reach (SameDiff's gradient function has no variable for it) gets a zero
 *   gradient, where the stock runtime fails with a NullPointerException.</li>
 * </ol>
 * and three changes of how the graph runs:
 * <ol>
 *   <li>the forward pass and the gradient run as {@link OpPlan}s, the same ops on the same arrays without SameDiff's
 *   per-op session work, one plan per shape of the input (SameDiff's session where a plan cannot run the graph, where
 *   listeners are set on the graph, or with {@code -D}{@value OpPlans#PROPERTY}{@code =false});</li>
 *   <li>a training forward pass ({@code activate(true, ..)}) runs the gradient plan's forward part, and the
 *   {@link #backpropGradient} that follows on the same input and mask arrays runs only the rest: the forward pass is
 *   computed once per training step, where the stock runtime computes it again for the gradient. As DL4J's own
 *   layers that keep forward results for their backward pass (LSTM, batch normalisation), the gradient is then that
 *   of the parameters the forward pass ran with; {@link #clear()} or another input array makes the next gradient
 *   compute its own forward pass.</li>
 *   <li>in DL4J's training step the plans' output and input gradient go to DL4J as they are, not copied into its
 *   workspaces ({@link OwnedArrays}; the output only where the gradient part does not read it, since DL4J's next layer
 *   may write into it), and the error the gradient reads is an array of the layer's own, so the plan's ops stay bound
 *   to it.</li>
 * </ol>
 */
public class CorrectedSameDiffLayer extends SameDiffLayer {

    /** The forward pass and the gradient as op plans (null until first used). */
    private transient OpPlans forward;
    private transient OpPlans backward;
    /** The gradient variable's name in the gradient function, by parameter name, in the parameter table's order. */
    private transient Map<String, String> paramGradients;
    /** The gradient variable's name of the input. */
    private transient String inputGradient;
    /** The input and mask arrays (identity) of the training forward pass whose gradient part is awaited. */
    private transient INDArray forwardInput;
    private transient INDArray forwardMask;
    /** How many gradients used the forward part of a training forward pass instead of computing their own. */
    private transient long forwardPassesReused;
    /** How many parameter gradients the last planned backward pass wrote into the gradient views itself. */
    private transient int gradientsInPlace;
    /** The all-ones mask of the last input shape without a mask, and that shape. */
    private transient INDArray onesMask;
    private transient long[] onesMaskShape;
    /** The error the gradient plan reads ({@link #planError}), the steps that make it and what they were made for. */
    private transient INDArray planError;
    private transient List<Runnable> planErrorSteps;
    private transient Object planErrorKey;
    private transient double planErrorFactor;
    private transient BoundCopies planErrorCopy;

    public CorrectedSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * Sets up a runtime as DL4J's {@code SameDiffLayer.instantiate} does (index, parameter view, parameter table from
     * the configuration's initializer, configuration); returns it.
     */
    public static <T extends CorrectedSameDiffLayer> T setUp(T layer, NeuralNetConfiguration conf, int layerIndex,
                                                             INDArray paramsView, boolean initializeParams) {
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(conf.getLayer().initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /** Checks the input against the configuration first, so a bad shape is reported by the layer, not by SameDiff. */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (input != null) {
            ((org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer) layerConf()).validateInput(input);
        }
        assertInputSet(false);
        if (sameDiff == null) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                doInit();
            }
        }
        if (!OpPlans.runFor(sameDiff)) {
            return super.activate(training, workspaceMgr);
        }
        if (training) {
            INDArray out = trainingForward();
            if (out != null) {
                // the plan's array as it is only where the gradient part does not read it: DL4J may write into it
                return backward.pendingReadsEarly() ? workspaceMgr.dup(ArrayType.ACTIVATIONS, out)
                        : OwnedArrays.activations(workspaceMgr, out);
            }
        }
        if (forward == null) {
            forward = new OpPlans(sameDiff, List.of(outputKey));
        }
        Map<String, INDArray> out = forward.run(placeholders(null));
        if (out == null) {
            return super.activate(training, workspaceMgr);
        }
        return OwnedArrays.inferenceActivations(workspaceMgr, out.get(outputKey));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (sameDiff == null) {
            doInit();
        }
        gradientFunction();
        double factor = GradientScale.layerFactor();
        if (OpPlans.runFor(sameDiff)) {
            Pair<Gradient, INDArray> planned = plannedBackprop(planError(epsilon, factor), workspaceMgr);
            if (planned != null) {
                return planned;
            }
        }
        INDArray error = externalError(epsilon);
        // in place where externalError made a copy of its own: DL4J's epsilon itself is not the layer's to change
        INDArray scaled = factor == 1.0 ? error : error == epsilon ? error.div(factor) : error.divi(factor);
        return sessionBackprop(scaled, workspaceMgr);
    }

    /**
     * The error the gradient plan reads: DL4J's {@code epsilon} with the layer's own terms added
     * ({@link #externalErrorSteps}) and divided by {@code factor}, the values {@link #externalError} and the division
     * give, in an array of the layer's own, kept while the shape holds, so the plan's ops that read it stay bound to
     * it; {@code epsilon} itself where neither changes it. The steps are the same native ops as {@code dup},
     * {@code addi} and {@code divi} (bound calls, {@link DirectLegacy}), so the values are the same bits.
     */
    private INDArray planError(INDArray epsilon, double factor) {
        Object key = externalErrorKey();
        if (key == null && factor == 1.0) {
            return epsilon;
        }
        if (planError == null || planError.dataType() != epsilon.dataType()
                || !java.util.Arrays.equals(planError.shape(), epsilon.shape())
                || !java.util.Objects.equals(planErrorKey, key) || planErrorFactor != factor) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                planError = Nd4j.createUninitialized(epsilon.dataType(), epsilon.shape(), 'c');
                List<Runnable> steps = new ArrayList<>(key == null ? List.of() : externalErrorSteps(planError));
                if (factor != 1.0) {
                    steps.add(BoundOps.legacy(new ScalarDivision(planError, null, planError, factor), planError,
                            planError));
                }
                planErrorSteps = steps;
                planErrorCopy = new BoundCopies();
            }
            planErrorKey = key;
            planErrorFactor = factor;
        }
        planErrorCopy.copy(epsilon, planError);   // bound once where DL4J hands over the same array at every step
        for (Runnable step : planErrorSteps) {
            step.run();
        }
        return planError;
    }

    /**
     * The stock runtime's backward pass in SameDiff's session, given only the parameters that have a gradient
     * variable (it fails on the others), then zeros written into the others' gradient views.
     */
    private Pair<Gradient, INDArray> sessionBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Map<String, String> names = OpPlans.parameterGradientNames(sameDiff, paramTable.keySet());
        if (!names.containsValue(null)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        Map<String, INDArray> all = paramTable;
        Pair<Gradient, INDArray> stock;
        paramTable = OpPlans.reached(all, names);   // the stock backward pass reads the parameters' names from it
        try {
            stock = super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            paramTable = all;
        }
        return new Pair<>(OpPlans.withZerosForUnreached(names, gradTable), stock.getSecond());
    }

    /**
     * The forward part of the gradient plan on the current input and mask: the layer's output (the plan's array), or
     * null where a plan cannot run the gradient function.
     */
    private INDArray trainingForward() {
        if (!backwardPlans()) {
            return null;
        }
        INDArray out = backward.runIndependent(placeholders(null));
        if (out != null) {
            forwardInput = input;
            forwardMask = maskArray;
        }
        return out;
    }

    /**
     * Builds the gradient function once, outside any workspace, as the stock runtime does: arrays it makes (the axis
     * arguments of reduction gradients) must not live in a workspace that DL4J reuses, and a training forward pass now
     * builds it too, inside the activations' workspace.
     */
    private void gradientFunction() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            QuietGradFunction.ensure(sameDiff, INPUT_KEY);
        }
    }

    /**
     * Makes the gradient's plans (once): false where the gradient function has no gradient for the input, which
     * SameDiff's session then computes.
     */
    private boolean backwardPlans() {
        if (backward != null) {
            return true;
        }
        gradientFunction();
        SDVariable in = sameDiff.getVariable(INPUT_KEY).getGradient();
        if (in == null) {
            return false;
        }
        Map<String, String> params = OpPlans.parameterGradientNames(sameDiff, paramTable.keySet());
        backward = OpPlans.forGradient(sameDiff, List.of(in.name()), params, fn.getGradPlaceholderName(), outputKey,
                gradTable);
        inputGradient = in.name();
        paramGradients = params;
        return true;
    }

    /**
     * The stock runtime's backward pass (the gradient function's outputs for the input and every parameter, copied
     * into DL4J's gradient views) run as an {@link OpPlan}; null where a plan cannot run the gradient function. After a
     * training forward pass on the same input and mask arrays, only the plan's gradient part runs.
     */
    private Pair<Gradient, INDArray> plannedBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!backwardPlans()) {
            return null;
        }
        Map<String, INDArray> m;
        if (backward.pending() && input == forwardInput && maskArray == forwardMask) {
            m = backward.runDependent(epsilon);
            forwardPassesReused++;
        } else {
            m = backward.run(placeholders(epsilon));
        }
        forwardInput = null;
        forwardMask = null;
        if (m == null) {
            return null;
        }
        gradientsInPlace = OpPlans.inPlace(paramGradients, gradTable, m);
        return new Pair<>(backward.copyToViews(paramGradients, gradTable, m),
                OwnedArrays.errors(workspaceMgr, m.get(inputGradient)));
    }

    /** The placeholders of the stock runtime: input, mask (ones if none) and, for the backward pass, the error. */
    private Map<String, INDArray> placeholders(INDArray epsilon) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(INPUT_KEY, input);
        ph.put(MASK_KEY, maskArray != null ? maskArray : onesMask());
        if (epsilon != null) {
            ph.put(fn.getGradPlaceholderName(), epsilon);
        }
        return ph;
    }

    /**
     * The configuration's all-ones mask for the current input, outside any workspace and kept while the input's shape
     * stays: a training forward pass's mask must still be valid when its gradient part runs, after DL4J has closed
     * the workspace the forward pass ran in.
     */
    private INDArray onesMask() {
        if (onesMask == null || onesMask.dataType() != input.dataType()
                || !java.util.Arrays.equals(onesMaskShape, input.shape())) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                onesMask = layerConf().onesMaskForInput(input);
            }
            onesMaskShape = input.shape().clone();
        }
        return onesMask;
    }

    /**
     * The error dL/d(output) that the backward pass propagates, given the one the graph delivered: {@code delivered}
     * itself where the layer adds nothing ({@link #externalErrorKey()} null), else a copy with
     * {@link #externalErrorSteps} run on it. Does not modify {@code delivered}: the caller scales a copy in place.
     */
    protected final INDArray externalError(INDArray delivered) {
        if (externalErrorKey() == null) {
            return delivered;
        }
        INDArray error = delivered.dup();
        for (Runnable step : externalErrorSteps(error)) {
            step.run();
        }
        return error;
    }

    /**
     * What the steps of {@link #externalErrorSteps} depend on besides their array (compared with {@code equals}; the
     * steps are made again when it changes), or null where the layer adds nothing to DL4J's error (the default).
     */
    protected Object externalErrorKey() {
        return null;
    }

    /**
     * Steps that add, in place on {@code error} (DL4J's error copied, {@code [B, C]} or {@code [B, C, S]}), the
     * gradient of a term of the loss that the layer computes itself; run at every backward pass on the same array.
     * Only called where {@link #externalErrorKey()} is not null.
     */
    protected List<Runnable> externalErrorSteps(INDArray error) {
        return List.of();
    }

    /**
     * {@code x.addi(value)} as a bound call on {@code x} (ND4J's {@code ScalarAdd}, the op {@code addi} runs), for
     * {@link #externalErrorSteps}.
     */
    protected static Runnable addInPlace(INDArray x, double value) {
        return BoundOps.legacy(new ScalarAdd(x, null, x, value), x, x);
    }

    /**
     * How this layer's graph runs: the op plans held for the forward pass and for the gradient (one per input shape
     * seen), and whether a plan was refused (the graph has an op only SameDiff's session runs).
     */
    public PlanUse planUse() {
        return PlanUse.of(forward, backward);
    }

    /**
     * The groups of ops (a layer normalisation, a GELU's gradient) that this layer's op plans run as one Java loop each
     * ({@link OpGroup}), summed over its forward and gradient plans; 0 before the plans' second runs.
     */
    public int fusedGroups() {
        return (forward == null ? 0 : forward.fusedGroups()) + (backward == null ? 0 : backward.fusedGroups());
    }

    /**
     * The sums of a weight's gradients (a weight in several products) that this layer's gradient plans compute in the
     * products themselves ({@link GradientAccumulation}); 0 before their second runs.
     */
    public int accumulatedSums() {
        return backward == null ? 0 : backward.accumulatedSums();
    }

    /**
     * @param forwardPlans  plans of the forward pass
     * @param backwardPlans plans of the gradient
     * @param refused       whether SameDiff's session runs (part of) the layer because a plan cannot
     */
    public record PlanUse(int forwardPlans, int backwardPlans, boolean refused) {

        /** The use of a runtime's forward and gradient plans (null: not run yet). */
        static PlanUse of(OpPlans forward, OpPlans backward) {
            return new PlanUse(forward == null ? 0 : forward.size(), backward == null ? 0 : backward.size(),
                    (forward != null && forward.refused()) || (backward != null && backward.refused()));
        }
    }

    /**
     * How many of the parameters' gradients the last planned backward pass wrote into DL4J's gradient views itself
     * (the others were copied there).
     */
    public int gradientsInPlace() {
        return gradientsInPlace;
    }

    /** How many gradients used the forward part of the training forward pass before them. */
    public long forwardPassesReused() {
        return forwardPassesReused;
    }

    /** Also drops the forward part of a training forward pass: the next gradient computes its own. */
    @Override
    public void clear() {
        super.clear();
        if (backward != null) {
            backward.cancel();
        }
        forwardInput = null;
        forwardMask = null;
    }

    /** The layer's SameDiff graph, for diagnostics and benchmarks; null before the first forward or backward call. */
    public SameDiff sameDiff() {
        return sameDiff;
    }

    @Override
    protected void doInit() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer bl =
                    (org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer) layerConf();
            sameDiff = SameDiff.create();
            sameDiff.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
            long[] inputShape = input.shape().clone();
            inputShape[0] = -1;
            SDVariable inputVar = sameDiff.placeHolder(INPUT_KEY, dataType, inputShape);
            Map<String, SDVariable> params = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : bl.getLayerParams().getParamShapes().entrySet()) {
                params.put(e.getKey(), sameDiff.var(e.getKey(), dataType, e.getValue()));
            }
            SDVariable mask = sameDiff.placeHolder(MASK_KEY, dataType, -1, -1);
            outputVar = bl.defineLayer(sameDiff, inputVar, params, mask);
            if (outputVar == null) {
                throw new IllegalStateException("Layer " + bl.getLayerName() + ": defineLayer returned null");
            }
            for (Map.Entry<String, INDArray> e : paramTable().entrySet()) {
                sameDiff.associateArrayWithVariable(e.getValue(), sameDiff.getVariable(e.getKey()));
            }
            fn = SameDiffUtils.externalErrors(sameDiff, null, outputVar);
            // The loss is the external-errors output. M2.1 infers it when none is set, and picks any other dangling
            // variable of the graph if there is one, which leaves the "-grad" placeholder undefined.
            SameDiffLoss.markExternalErrorsAsLoss(sameDiff, fn);
            outputKey = outputVar.name();
        }
    }
}

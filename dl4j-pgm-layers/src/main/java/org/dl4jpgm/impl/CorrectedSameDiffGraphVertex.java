package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
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
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DL4J's SameDiff vertex runtime with the corrections that 1.0.0-M2.1 needs (docs/dl4j-m2.1-notes.md):
 * <ol>
 *   <li>the incoming error is divided by {@link GradientScale#vertexFactor()} (the stock runtime doubles gradients);</li>
 *   <li>default masks and mask placeholders have DL4J's mask shape {@code [B, S]} for NCW and NWC inputs alike
 *   (the stock runtime takes the last axis as S);</li>
 *   <li>the external-errors output is set as the loss variable explicitly (M2.1 guesses it otherwise, and a graph
 *   with another dangling variable then has no gradient placeholder);</li>
 *   <li>masks are forgotten when the graph clears its state, so a call without masks after a masked call does not
 *   reuse the old masks;</li>
 *   <li>the gradient function is built outside any workspace (the stock runtime builds it inside the current one,
 *   and training with workspaces then reads overwritten arrays);</li>
 *   <li>a parameter the output does not reach (SameDiff's gradient function has no variable for it) gets a zero
 *   gradient, where the stock runtime fails with a NullPointerException.</li>
 * </ol>
 * and, as {@link CorrectedSameDiffLayer}, the forward pass and the gradient run as {@link OpPlan}s, one plan per
 * shape of the inputs (SameDiff's session where a plan cannot run the graph, where listeners are set on the graph, or
 * with {@code -D}{@value OpPlans#PROPERTY}{@code =false}), and a training step computes the forward pass once: a
 * training forward pass runs the gradient plan's forward part, and the backward pass that follows on the same input
 * and mask arrays runs only the rest ({@link #clearVertex()} or other arrays make it compute its own).
 */
public class CorrectedSameDiffGraphVertex extends SameDiffGraphVertex {

    private final RNNFormat format;
    /** The forward pass and the gradient as op plans (null until first used). */
    private transient OpPlans forward;
    private transient OpPlans backward;
    /** The gradient variable's name in the gradient function, by parameter name, in the parameter table's order. */
    private transient Map<String, String> paramGradients;
    /** The gradient variables' names of the inputs, in input order. */
    private transient List<String> inputGradients;
    /** The input and mask arrays (identity; masks as given, null for none) of the training forward pass. */
    private transient INDArray[] forwardInputs;
    private transient INDArray[] forwardMasks;
    /** How many backward passes used the forward part of a training forward pass instead of computing their own. */
    private transient long forwardPassesReused;

    public CorrectedSameDiffGraphVertex(SameDiffVertex config, ComputationGraph graph, String name, int vertexIndex,
                                        INDArray paramsView, boolean initParams, DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
        this.format = config instanceof FormatAware f ? f.getDataFormat() : RNNFormat.NCW;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (inputs != null) {
            config.validateInput(inputs);   // before the SameDiff graph is built from the input shapes
        }
        INDArray[] given = maskArrays;
        maskArrays = withDefaultMasks(given);
        try {
            if (sameDiff == null) {
                try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    doInit();
                }
            }
            if (OpPlans.runFor(sameDiff)) {
                if (training && backwardPlans()) {
                    INDArray out = backward.runIndependent(placeholders(null));
                    if (out != null) {
                        forwardInputs = inputs.clone();
                        forwardMasks = given == null ? null : given.clone();
                        return workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
                    }
                }
                if (forward == null) {
                    forward = new OpPlans(sameDiff, List.of(outputKey));
                }
                Map<String, INDArray> out = forward.run(placeholders(null));
                if (out != null) {
                    return OwnedArrays.inferenceActivations(workspaceMgr, out.get(outputKey));
                }
            }
            return super.doForward(training, workspaceMgr);
        } finally {
            maskArrays = given;
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        INDArray[] given = maskArrays;
        maskArrays = withDefaultMasks(given);
        if (sameDiff == null) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                doInit();
            }
        }
        gradientFunction();
        epsilon = externalError(epsilon);
        double factor = GradientScale.vertexFactor();
        if (factor != 1.0) {
            epsilon = epsilon.div(factor);
        }
        try {
            if (OpPlans.runFor(sameDiff)) {
                Pair<Gradient, INDArray[]> planned = plannedBackprop(given, workspaceMgr);
                if (planned != null) {
                    return planned;
                }
            }
            return sessionBackward(tbptt, workspaceMgr);
        } finally {
            maskArrays = given;
        }
    }

    /**
     * The stock runtime's backward pass in SameDiff's session, given only the parameters that have a gradient
     * variable (it fails on the others), then zeros written into the others' gradient views.
     */
    private Pair<Gradient, INDArray[]> sessionBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        Map<String, String> names = OpPlans.parameterGradientNames(sameDiff, paramTable.keySet());
        if (!names.containsValue(null)) {
            return super.doBackward(tbptt, workspaceMgr);
        }
        Map<String, INDArray> all = paramTable;
        Pair<Gradient, INDArray[]> stock;
        paramTable = OpPlans.reached(all, names);   // the stock backward pass reads the parameters' names from it
        try {
            stock = super.doBackward(tbptt, workspaceMgr);
        } finally {
            paramTable = all;
        }
        return new Pair<>(OpPlans.withZerosForUnreached(names, gradTable), stock.getSecond());
    }

    /** Builds the gradient function once, outside any workspace. */
    private void gradientFunction() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // the stock runtime builds the gradient function inside the current workspace, so that the arrays it
            // creates (e.g. the axis arguments of reduction gradients) are overwritten when the workspace is
            // reused: "Axis array [1073742000] contains values above array rank" on the second fit step
            QuietGradFunction.ensure(sameDiff, config.getVertexParams().getInputs().toArray(new String[0]));
        }
    }

    /**
     * Makes the gradient's plans (once): false where an input has no gradient variable (the output does not depend on
     * it), which SameDiff's session then computes.
     */
    private boolean backwardPlans() {
        if (backward != null) {
            return true;
        }
        gradientFunction();
        Map<String, String> ins = OpPlans.gradientNames(sameDiff, config.getVertexParams().getInputs());
        Map<String, String> params = OpPlans.parameterGradientNames(sameDiff, paramTable.keySet());
        if (ins == null) {
            return false;
        }
        backward = OpPlans.forGradient(sameDiff, List.copyOf(ins.values()), params, fn.getGradPlaceholderName(),
                outputKey, gradTable);
        inputGradients = List.copyOf(ins.values());
        paramGradients = params;
        return true;
    }

    /**
     * The stock runtime's backward pass (the gradient function's outputs for every input and parameter, the
     * parameters' copied into DL4J's gradient views) run as an {@link OpPlan}; null where a plan cannot run it. After a
     * training forward pass on the same input and mask arrays ({@code given}: the masks as given), only the plan's
     * gradient part runs.
     */
    private Pair<Gradient, INDArray[]> plannedBackprop(INDArray[] given, LayerWorkspaceMgr workspaceMgr) {
        if (!backwardPlans()) {
            return null;
        }
        Map<String, INDArray> m;
        if (backward.pending() && OpPlan.sameArrays(inputs, forwardInputs)
                && OpPlan.sameArrays(given, forwardMasks)) {
            m = backward.runDependent(epsilon);
            forwardPassesReused++;
        } else {
            m = backward.run(placeholders(epsilon));
        }
        forwardInputs = null;
        forwardMasks = null;
        if (m == null) {
            return null;
        }
        Gradient g = backward.copyToViews(paramGradients, gradTable, m);
        INDArray[] dLdIn = new INDArray[inputGradients.size()];
        for (int i = 0; i < dLdIn.length; i++) {
            dLdIn[i] = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, m.get(inputGradients.get(i)));
        }
        return new Pair<>(g, dLdIn);
    }

    /** The stock runtime's placeholders: every input and its mask and, for the backward pass, the error. */
    private Map<String, INDArray> placeholders(INDArray error) {
        Map<String, INDArray> ph = new HashMap<>();
        List<String> names = config.getVertexParams().getInputs();
        for (int i = 0; i < names.size(); i++) {
            ph.put(names.get(i), inputs[i]);
            ph.put(names.get(i) + "_mask", maskArrays[i]);
        }
        if (error != null) {
            ph.put(fn.getGradPlaceholderName(), error);
        }
        return ph;
    }

    /**
     * How this vertex's graph runs: the op plans held for the forward pass and for the gradient (one per input shapes
     * seen), and whether a plan was refused.
     */
    public CorrectedSameDiffLayer.PlanUse planUse() {
        return CorrectedSameDiffLayer.PlanUse.of(forward, backward);
    }

    /**
     * The error dL/d(output) that the backward pass propagates, given the one the graph delivered; subclasses add the
     * gradient of a term of the loss that the vertex computes itself (default: unchanged). Must not modify
     * {@code delivered} in place.
     */
    protected INDArray externalError(INDArray delivered) {
        return delivered;
    }

    /**
     * The vertex's SameDiff graph (forward ops, and the gradient function under {@code "grad"} once a backward pass
     * has run), for diagnostics and benchmarks; null before the first forward or backward call.
     */
    public SameDiff sameDiff() {
        return sameDiff;
    }

    /** How many backward passes used the forward part of the training forward pass before them. */
    public long forwardPassesReused() {
        return forwardPassesReused;
    }

    /** Also drops the forward part of a training forward pass: the next backward pass computes its own. */
    @Override
    public void clearVertex() {
        super.clearVertex();
        maskArrays = null;
        if (backward != null) {
            backward.cancel();
        }
        forwardInputs = null;
        forwardMasks = null;
    }

    /** The given masks, with all-ones masks (outside any workspace) of DL4J's shape where none was given. */
    private INDArray[] withDefaultMasks(INDArray[] given) {
        INDArray[] filled = new INDArray[inputs.length];
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int i = 0; i < inputs.length; i++) {
                filled[i] = given != null && i < given.length && given[i] != null
                        ? given[i]
                        : SequenceMasks.ones(dataType, inputs[i].shape(), format);
            }
        }
        return filled;
    }

    @Override
    protected void doInit() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            sameDiff = SameDiff.create();
            sameDiff.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
            inputVars = new LinkedHashMap<>();
            Map<String, SDVariable> maskVars = new LinkedHashMap<>();
            List<String> names = config.getVertexParams().getInputs();
            for (int i = 0; i < names.size(); i++) {
                long[] shape = inputs[i].shape().clone();
                shape[0] = -1;
                inputVars.put(names.get(i), sameDiff.placeHolder(names.get(i), dataType, shape));
                maskVars.put(names.get(i), sameDiff.placeHolder(names.get(i) + "_mask", dataType, -1, -1));
            }
            Map<String, SDVariable> params = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : config.getVertexParams().getParamShapes().entrySet()) {
                params.put(e.getKey(), sameDiff.var(e.getKey(), dataType, e.getValue()));
            }
            outputVar = config.defineVertex(sameDiff, inputVars, params, maskVars);
            if (outputVar == null) {
                throw new IllegalStateException("Vertex " + getVertexName() + ": defineVertex returned null");
            }
            for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
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

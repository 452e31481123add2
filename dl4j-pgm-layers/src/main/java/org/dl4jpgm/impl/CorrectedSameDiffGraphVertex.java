package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
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
 *   and training with workspaces then reads overwritten arrays).</li>
 * </ol>
 */
public class CorrectedSameDiffGraphVertex extends SameDiffGraphVertex {

    private final RNNFormat format;

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
            return super.doForward(training, workspaceMgr);
        } finally {
            maskArrays = given;
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        INDArray[] given = maskArrays;
        maskArrays = withDefaultMasks(given);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
            // the stock runtime builds the gradient function inside the current workspace, so that the arrays it
            // creates (e.g. the axis arguments of reduction gradients) are overwritten when the workspace is
            // reused: "Axis array [1073742000] contains values above array rank" on the second fit step
            QuietGradFunction.ensure(sameDiff, config.getVertexParams().getInputs().toArray(new String[0]));
        }
        epsilon = externalError(epsilon);
        double factor = GradientScale.vertexFactor();
        if (factor != 1.0) {
            epsilon = epsilon.div(factor);
        }
        try {
            return super.doBackward(tbptt, workspaceMgr);
        } finally {
            maskArrays = given;
        }
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

    @Override
    public void clearVertex() {
        super.clearVertex();
        maskArrays = null;
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

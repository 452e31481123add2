package org.dl4jpgm.conf;

import org.dl4jpgm.impl.BoundCopies;
import org.dl4jpgm.impl.OwnedArrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The runtime of a {@link ModalityPackVertex}: copies each input and its step mask into its channels of the packed
 * array (forward) and hands each input the error of its feature channels (backward; the mask channels are data, not
 * functions of the inputs, so their error is dropped). In DL4J's training step the errors of vector inputs are the
 * vertex's own arrays, not copies in DL4J's workspace ({@link OwnedArrays}).
 */
public class ModalityPackGraphVertex extends BaseGraphVertex {

    private final long[] widths;
    private final RNNFormat[] formats;
    /** S_m from the configuration, 0 for a vector input. */
    private final long[] seqLengths;
    /** The inputs' DL4J masks, as {@link #feedForwardMaskArrays} received them (null = none). */
    private INDArray[] maskArrays;
    /** The mask column of vector inputs without a mask ({@link #onesColumn}). */
    private INDArray ones;
    /** The errors of vector inputs handed to DL4J's training step, and their copies ({@link #ownVectorErrors}). */
    private transient INDArray[] ownErrors;
    private transient BoundCopies errorCopies;

    public ModalityPackGraphVertex(ModalityPackVertex config, ComputationGraph graph, String name, int vertexIndex,
                                   DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.widths = config.getWidths();
        this.formats = config.getFormats();
        this.seqLengths = config.getSeqLengths();
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException(this + ": cannot do forward pass, inputs not set");
        }
        check();
        long batch = inputs[0].size(0);
        if (allVectors()) {
            return packVectors(batch, workspaceMgr);
        }
        long steps = 1;
        for (int m = 0; m < inputs.length; m++) {
            steps = Math.max(steps, steps(m));
        }
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType,
                new long[]{batch, ModalityPackVertex.channels(widths), steps}, 'c');
        out.assign(0);
        for (int m = 0; m < inputs.length; m++) {
            long s = steps(m);
            long o = ModalityPackVertex.featureOffset(widths, m);
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(o, o + widths[m]), NDArrayIndex.interval(0, s))
                    .assign(ncw(m).castTo(dataType));
            INDArray mask = maskArrays == null || m >= maskArrays.length ? null : maskArrays[m];
            INDArray maskChannel = out.get(NDArrayIndex.all(),
                    NDArrayIndex.point(ModalityPackVertex.maskChannel(widths, m)), NDArrayIndex.interval(0, s));
            if (mask == null) {
                maskChannel.assign(1);
            } else {
                if (mask.size(0) != batch || mask.length() != batch * s) {
                    throw new IllegalArgumentException(this + ": the mask of input " + m + " has shape "
                            + Arrays.toString(mask.shape()) + ", expected [" + batch + ", " + s + "] for input shape "
                            + Arrays.toString(inputs[m].shape()));
                }
                maskChannel.assign(mask.reshape(batch, s).castTo(dataType));
            }
        }
        return out;
    }

    /**
     * The packing of M vectors (every input {@code [B, D_m]}, so S = 1): the output {@code [B, ΣD_m + M, 1]} is, row by
     * row, the inputs' features then their mask columns, in modality order, so one {@code concat} along the channels
     * of {@code x_1, .., x_M, mask_1, .., mask_M} (a column of ones where a modality has no mask) writes all of it: one
     * op where the general packing takes a zero fill and two copies per modality, each into a view made by index.
     */
    private INDArray packVectors(long batch, LayerWorkspaceMgr workspaceMgr) {
        int modalities = inputs.length;
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType,
                new long[]{batch, ModalityPackVertex.channels(widths), 1}, 'c');
        INDArray[] parts = new INDArray[2 * modalities];
        for (int m = 0; m < modalities; m++) {
            parts[m] = inputs[m].castTo(dataType);
            INDArray mask = maskArrays == null || m >= maskArrays.length ? null : maskArrays[m];
            if (mask == null) {
                parts[modalities + m] = onesColumn(batch);
            } else {
                if (mask.size(0) != batch || mask.length() != batch) {
                    throw new IllegalArgumentException(this + ": the mask of input " + m + " has shape "
                            + Arrays.toString(mask.shape()) + ", expected [" + batch + ", 1] for input shape "
                            + Arrays.toString(inputs[m].shape()));
                }
                parts[modalities + m] = mask.reshape(batch, 1).castTo(dataType);
            }
        }
        Nd4j.exec(DynamicCustomOp.builder("concat").addInputs(parts)
                .addOutputs(out.reshape('c', batch, out.size(1))).addIntegerArguments(1).build());
        return out;
    }

    /** A {@code [B, 1]} column of ones of the network's type, made once per batch size outside any workspace. */
    private INDArray onesColumn(long batch) {
        if (ones == null || ones.size(0) != batch) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(dataType, batch, 1);
            }
        }
        return ones;
    }

    private boolean allVectors() {
        for (INDArray x : inputs) {
            if (x.rank() != 2) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException(this + ": cannot do backward pass, errors not set");
        }
        if (allVectors() && epsilon.ordering() == 'c' && epsilon.size(2) == 1 && sameTypes(epsilon)
                && OwnedArrays.lendable(workspaceMgr, ArrayType.ACTIVATION_GRAD)) {
            return new Pair<>(null, ownVectorErrors());
        }
        INDArray[] errors = new INDArray[inputs.length];
        for (int m = 0; m < inputs.length; m++) {
            INDArray e;
            if (inputs[m].rank() == 2 && epsilon.ordering() == 'c' && epsilon.size(2) == 1) {
                e = vectorError(m);
            } else if (inputs[m].rank() == 2) {
                long o = ModalityPackVertex.featureOffset(widths, m);
                e = epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(o, o + widths[m]), NDArrayIndex.point(0));
            } else {
                long o = ModalityPackVertex.featureOffset(widths, m);
                e = epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(o, o + widths[m]),
                        NDArrayIndex.interval(0, steps(m)));
                if (formats[m] == RNNFormat.NWC) {
                    e = e.permute(0, 2, 1);
                }
            }
            errors[m] = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, e.castTo(inputs[m].dataType()), 'c');
        }
        return new Pair<>(null, errors);
    }

    /**
     * x_m's channels of each row of the error {@code [B, ΣD_m + M, 1]} ('c' order) as a view {@code [B, D_m]}, made
     * from the strides, not by index.
     */
    private INDArray vectorError(int m) {
        long o = ModalityPackVertex.featureOffset(widths, m);
        return Nd4j.create(epsilon.data(), new long[]{epsilon.size(0), widths[m]},
                new long[]{epsilon.stride(0), epsilon.stride(1)}, epsilon.offset() + o * epsilon.stride(1), 'c',
                epsilon.dataType());
    }

    /**
     * The errors of vector inputs in arrays of the vertex's own, kept while the batch size holds, the copies from the
     * error bound to it and to them ({@link BoundCopies}): where DL4J's training step is their only reader
     * ({@link OwnedArrays}), it makes no array and runs no op through ND4J's executioner.
     */
    private INDArray[] ownVectorErrors() {
        if (ownErrors == null || ownErrors[0].size(0) != epsilon.size(0) || ownErrors[0].dataType() != dataType) {
            ownErrors = new INDArray[inputs.length];
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                for (int m = 0; m < inputs.length; m++) {
                    ownErrors[m] = Nd4j.createUninitialized(dataType, new long[]{epsilon.size(0), widths[m]}, 'c');
                }
            }
            errorCopies = new BoundCopies();
        }
        INDArray[] key = new INDArray[inputs.length + 1];
        key[0] = epsilon;
        System.arraycopy(ownErrors, 0, key, 1, inputs.length);
        errorCopies.run(key, () -> {
            INDArray[] from = new INDArray[inputs.length];
            for (int m = 0; m < inputs.length; m++) {
                from[m] = vectorError(m);
            }
            return new INDArray[][]{from, ownErrors};
        });
        return ownErrors.clone();
    }

    /** Whether the error and every input are of the vertex's type (no cast is needed). */
    private boolean sameTypes(INDArray error) {
        if (error.dataType() != dataType) {
            return false;
        }
        for (INDArray x : inputs) {
            if (x.dataType() != dataType) {
                return false;
            }
        }
        return true;
    }

    /** S_m of the current input m (1 for a vector). */
    private long steps(int m) {
        return Layouts.seqLength(inputs[m].shape(), formats[m]);
    }

    /** Input m as {@code [B, D_m, S_m]}. */
    private INDArray ncw(int m) {
        INDArray x = inputs[m];
        if (x.rank() == 2) {
            return x.reshape(x.size(0), x.size(1), 1);
        }
        return formats[m] == RNNFormat.NWC ? x.permute(0, 2, 1) : x;
    }

    private void check() {
        if (inputs.length != widths.length) {
            throw new IllegalArgumentException(this + ": expected " + widths.length + " inputs, found " + inputs.length);
        }
        for (int m = 0; m < inputs.length; m++) {
            long[] shape = inputs[m].shape();
            long width = shape.length == 2 || shape.length == 3 ? Layouts.featureWidth(shape, formats[m]) : -1;
            if (width != widths[m] || shape[0] != inputs[0].size(0)) {
                throw new IllegalArgumentException(this + ": input " + m + " has shape " + Arrays.toString(shape)
                        + ", expected [" + inputs[0].size(0) + ", " + widths[m] + "] or "
                        + (formats[m] == RNNFormat.NWC ? "[B, S, " + widths[m] + "] (NWC)"
                        : "[B, " + widths[m] + ", S] (NCW)"));
            }
        }
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalStateException(this + " has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        this.maskArrays = maskArrays;
        if (maskArrays == null) {
            return new Pair<>(null, currentMaskState);
        }
        INDArray union = null;
        for (int m = 0; m < maskArrays.length; m++) {
            if (isVector(m)) {
                continue;
            }
            if (maskArrays[m] == null) {
                return new Pair<>(null, currentMaskState);
            }
            INDArray mask = maskArrays[m].castTo(dataType);
            if (union != null && union.size(1) != mask.size(1)) {
                return new Pair<>(null, currentMaskState);   // lengths differ: no one step mask for the packed steps
            }
            union = union == null ? mask.dup() : org.nd4j.linalg.ops.transforms.Transforms.max(union, mask, false);
        }
        return new Pair<>(union, union == null ? null : currentMaskState);
    }

    private boolean isVector(int m) {
        return seqLengths[m] == 0;
    }

    /** Forgets the masks when the graph clears its state, so a call without masks does not reuse the last ones. */
    @Override
    public void clearVertex() {
        super.clearVertex();
        maskArrays = null;
    }

    @Override
    public String toString() {
        return "ModalityPackVertex '" + vertexName + "'";
    }
}

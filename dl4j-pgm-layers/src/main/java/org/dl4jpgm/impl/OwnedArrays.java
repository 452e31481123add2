package org.dl4jpgm.impl;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's own arrays (an op plan's outputs, the arrays of a bound pass: outside any workspace, overwritten by the
 * layer's next pass) handed to DL4J as activations or errors: as they are where DL4J's own training step is their only
 * reader, else copied into the array type's workspace as DL4J's layers do ({@code workspaceMgr.dup}).
 *
 * <p>Why: the copy makes a new array in the workspace (a shape info in native memory, JavaCPP's memory check) and runs
 * an op through ND4J's executioner, about 35 us at the main job's sizes, where the array is read once by the next
 * layer of the same step and then dropped with the workspace (docs/performance.md, "Own arrays handed to DL4J, and the
 * batch variance in Java").
 *
 * <p>When an array is handed as it is, DL4J's step may write into it (a consumer's dropout or mask in place, the sum of
 * the errors of a vertex with several consumers): the layer must not read it again in this pass, and its next pass
 * must write it before reading it. Where the caller could hold the array past the layer's next pass it is copied:
 * <ul>
 *   <li>an array type DL4J scopes out of workspaces (a detached result: {@code feedForward}, {@code output}'s outputs,
 *   no workspaces at all);</li>
 *   <li>a workspace that is not the one DL4J itself uses for the type in that pass (a workspace the user passes, as
 *   {@code output(.., outputWorkspace)} or {@code MultiLayerNetwork.backpropGradient(.., workspaceMgr)} may):
 *   {@value #TRAINING_ACTIVATIONS} for the activations of a training forward pass, {@value #BACKWARD_ERRORS}N for the
 *   errors of a backward pass, {@value #INFERENCE_ACTIVATIONS}N for the activations of an inference forward pass
 *   ({@code output}, {@code rnnTimeStep}: the ones the next layers of the same call read, dropped with the
 *   workspace at the end of the call).</li>
 * </ul>
 */
public final class OwnedArrays {

    /** DL4J's workspace of the activations of a training forward pass (ComputationGraph, MultiLayerNetwork). */
    public static final String TRAINING_ACTIVATIONS = "WS_ALL_LAYERS_ACT";
    /** The prefix of DL4J's workspaces of the errors of a backward pass ({@code WS_LAYER_ACT_1}, ..). */
    public static final String BACKWARD_ERRORS = "WS_LAYER_ACT_";
    /**
     * The prefix of DL4J's workspaces of the activations of an inference forward pass ({@code WS_LAYER_ACT_0}, ..;
     * the same names as {@link #BACKWARD_ERRORS}, for another array type).
     */
    public static final String INFERENCE_ACTIVATIONS = "WS_LAYER_ACT_";

    private OwnedArrays() {
    }

    /**
     * Activations of a training forward pass: {@code own} where DL4J's training step is its only reader, else a copy
     * in the activations' workspace.
     */
    public static INDArray activations(LayerWorkspaceMgr workspaceMgr, INDArray own) {
        return lendable(workspaceMgr, ArrayType.ACTIVATIONS) ? own : workspaceMgr.dup(ArrayType.ACTIVATIONS, own);
    }

    /**
     * Activations of an inference forward pass: {@code own} where they go to one of DL4J's workspaces of the pass (read
     * by the next layers of the same call), else a copy in the activations' workspace.
     */
    public static INDArray inferenceActivations(LayerWorkspaceMgr workspaceMgr, INDArray own) {
        return lendableInInference(workspaceMgr) ? own : workspaceMgr.dup(ArrayType.ACTIVATIONS, own);
    }

    /**
     * Whether the activations of an inference forward pass go to one of DL4J's own workspaces of the pass (see the
     * class comment).
     */
    public static boolean lendableInInference(LayerWorkspaceMgr workspaceMgr) {
        String name = workspace(workspaceMgr, ArrayType.ACTIVATIONS);
        return name != null && name.startsWith(INFERENCE_ACTIVATIONS);
    }

    /**
     * Errors of a backward pass (the gradient for the layer's input): {@code own} where DL4J's training step is its
     * only reader, else a copy in the errors' workspace.
     */
    public static INDArray errors(LayerWorkspaceMgr workspaceMgr, INDArray own) {
        return lendable(workspaceMgr, ArrayType.ACTIVATION_GRAD) ? own
                : workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, own);
    }

    /** Whether arrays of {@code type} go to the workspace of DL4J's own training step (see the class comment). */
    public static boolean lendable(LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        String name = workspace(workspaceMgr, type);
        if (name == null) {
            return false;
        }
        return switch (type) {
            case ACTIVATIONS -> name.equals(TRAINING_ACTIVATIONS);
            case ACTIVATION_GRAD -> name.startsWith(BACKWARD_ERRORS);
            default -> false;
        };
    }

    /** The name of the workspace that arrays of {@code type} go to, or null where they go to none. */
    private static String workspace(LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        if (workspaceMgr.isScopedOut(type) || !workspaceMgr.hasConfiguration(type)) {
            return null;
        }
        return workspaceMgr.getWorkspaceName(type);
    }
}

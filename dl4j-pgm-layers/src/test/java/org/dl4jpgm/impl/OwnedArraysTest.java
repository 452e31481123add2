package org.dl4jpgm.impl;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer's own arrays go to DL4J as they are only in DL4J's own workspaces of a pass: the activations of a training
 * forward pass, the errors of a backward pass, the activations of an inference forward pass that the next layers of
 * the call read; a copy everywhere else.
 */
class OwnedArraysTest {

    private static final WorkspaceConfiguration CONF = WorkspaceConfiguration.builder().build();

    private static LayerWorkspaceMgr with(ArrayType type, String workspace) {
        return LayerWorkspaceMgr.builder().with(type, workspace, CONF).build();
    }

    @Test
    void lentOnlyToDl4jsOwnWorkspacesOfAPass() {
        assertTrue(OwnedArrays.lendable(with(ArrayType.ACTIVATIONS, "WS_ALL_LAYERS_ACT"), ArrayType.ACTIVATIONS));
        assertTrue(OwnedArrays.lendable(with(ArrayType.ACTIVATION_GRAD, "WS_LAYER_ACT_0"), ArrayType.ACTIVATION_GRAD));
        assertTrue(OwnedArrays.lendable(with(ArrayType.ACTIVATION_GRAD, "WS_LAYER_ACT_12"),
                ArrayType.ACTIVATION_GRAD));

        // inference's alternating activation workspaces, and a workspace of the user's (output(.., workspace))
        assertFalse(OwnedArrays.lendable(with(ArrayType.ACTIVATIONS, "WS_LAYER_ACT_1"), ArrayType.ACTIVATIONS));
        assertFalse(OwnedArrays.lendable(with(ArrayType.ACTIVATIONS, "mine"), ArrayType.ACTIVATIONS));
        assertFalse(OwnedArrays.lendable(with(ArrayType.ACTIVATION_GRAD, "WS_ALL_LAYERS_ACT"),
                ArrayType.ACTIVATION_GRAD));
        // detached results: no workspaces at all, or the type scoped out of them
        assertFalse(OwnedArrays.lendable(LayerWorkspaceMgr.noWorkspaces(), ArrayType.ACTIVATIONS));
        assertFalse(OwnedArrays.lendable(LayerWorkspaceMgr.noWorkspaces(), ArrayType.ACTIVATION_GRAD));
        LayerWorkspaceMgr scopedOut = with(ArrayType.ACTIVATIONS, "WS_ALL_LAYERS_ACT");
        scopedOut.setScopedOutFor(ArrayType.ACTIVATIONS);
        assertFalse(OwnedArrays.lendable(scopedOut, ArrayType.ACTIVATIONS));
        // inference: DL4J's per-layer activation workspaces only, never a result the caller keeps
        assertTrue(OwnedArrays.lendableInInference(with(ArrayType.ACTIVATIONS, "WS_LAYER_ACT_0")));
        assertTrue(OwnedArrays.lendableInInference(with(ArrayType.ACTIVATIONS, "WS_LAYER_ACT_3")));
        assertFalse(OwnedArrays.lendableInInference(with(ArrayType.ACTIVATIONS, "WS_ALL_LAYERS_ACT")));
        assertFalse(OwnedArrays.lendableInInference(with(ArrayType.ACTIVATIONS, "mine")));
        assertFalse(OwnedArrays.lendableInInference(with(ArrayType.ACTIVATION_GRAD, "WS_LAYER_ACT_0")));
        assertFalse(OwnedArrays.lendableInInference(LayerWorkspaceMgr.noWorkspaces()));
        LayerWorkspaceMgr required = with(ArrayType.ACTIVATIONS, "WS_LAYER_ACT_0");
        required.setScopedOutFor(ArrayType.ACTIVATIONS);   // what output does for the outputs it returns
        assertFalse(OwnedArrays.lendableInInference(required));
        // a type the manager has no workspace for, and the other array types
        assertFalse(OwnedArrays.lendable(with(ArrayType.INPUT, "WS_ALL_LAYERS_ACT"), ArrayType.ACTIVATIONS));
        assertFalse(OwnedArrays.lendable(with(ArrayType.INPUT, "WS_ALL_LAYERS_ACT"), ArrayType.INPUT));
    }
}

package org.dl4jpgm.impl;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * A custom op on an op context whose arrays and arguments are set, run as the one native call that ND4J's CPU
 * executioner makes for it: {@code NativeOps.execCustomOp2} with the op's hash and the context's pointer.
 *
 * <p>Why: around that call {@code NativeOpExecutioner.exec(CustomOp, OpContext)} runs its profiling hook (in ND4J's
 * default mode, {@code SCOPE_PANIC}, a workspace check of every array, through the context's maps), asks libnd4j
 * whether oneDNN is in use, looks the op's hash up by name and copies the context's outputs into a new Java array: 4.6
 * % of a main-config training step for the custom ops the plans still run (docs/performance.md, "Custom ops as direct
 * calls"). The call is the same native call on the same context, so the bits are the same; the plans make an op's first
 * run through the executioner (which checks the arrays' types) and the later ones here, where the arrays are the
 * plan's own or DL4J's inputs of the same shapes.
 *
 * <p>CPU backend only ({@link HostMemory#hasNativeBuffers()}): the CUDA executioner also prepares and registers the
 * device buffers around the call.
 */
final class DirectCustomOp {

    private static final NativeOps NATIVE = HostMemory.hasNativeBuffers()
            ? NativeOpsHolder.getInstance().getDeviceNativeOps() : null;

    private final CustomOp op;
    private final long hash;

    private DirectCustomOp(CustomOp op) {
        this.op = op;
        this.hash = op.opHash();
    }

    /** The direct form of {@code op}, or null on a backend without it (the executioner runs the op). */
    static DirectCustomOp of(CustomOp op) {
        return NATIVE == null ? null : new DirectCustomOp(op);
    }

    /**
     * Runs the op on {@code context} (its arrays and arguments set).
     *
     * @throws IllegalStateException naming the op, its type and libnd4j's message where libnd4j reports a failure
     */
    void run(OpContext context) {
        int status = NATIVE.execCustomOp2(null, hash, context.contextPointer());
        if (status != 0 || NATIVE.lastErrorCode() != 0) {
            String name = op instanceof DifferentialFunction ? ((DifferentialFunction) op).getOwnName() : op.opName();
            throw new IllegalStateException("DirectCustomOp: op '" + name + "' (" + op.opName()
                    + ") failed with status " + status + ": " + NATIVE.lastErrorMessage());
        }
    }
}

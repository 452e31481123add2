package org.dl4jpgm.examples.bench;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A SameDiff listener that adds up the floating-point operations of the matrix products a graph executes: a product
 * {@code C = A B} (any transposes, any batch of G products) costs {@code 2 |C| k} with the contracted size
 * {@code k = sqrt(|A| |B| / (|C| G))}; its backward op ({@code matmul_bp}, both input gradients) twice that. Other ops
 * are not counted, so this is a lower bound of the graph's work, and the one that dominates at large widths.
 *
 * <p>Only the gradient's ops are counted (SameDiff's {@link Operation#TRAINING}: its forward pass and backward pass):
 * with listeners a SameDiff layer runs in SameDiff's session, which computes a training step's forward pass twice
 * (once for the layer's output, {@link Operation#INFERENCE}, and again for the gradient), where the op plans that run
 * without listeners compute it once.
 */
final class MatmulFlops extends BaseListener {

    private double flops;

    /** Floating-point operations counted since construction. */
    double flops() {
        return flops;
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                            INDArray[] outputs) {
        if (at.operation() != Operation.TRAINING) {
            return;
        }
        if (op.getOp() instanceof Mmul) {
            flops += productFlops(opContext.getInputArray(0), opContext.getInputArray(1), outputs[0]);
        } else if (op.getOp() instanceof MmulBp) {
            // inputs: A, B, dL/dC
            flops += 2 * productFlops(opContext.getInputArray(0), opContext.getInputArray(1), opContext.getInputArray(2));
        }
    }

    /** {@code 2 |C| k} for {@code C = A B} (batched over the leading axes of C). */
    static double productFlops(INDArray a, INDArray b, INDArray c) {
        long[] cs = c.shape();
        double m = cs.length >= 2 ? cs[cs.length - 2] : 1;
        double n = cs[cs.length - 1];
        double groups = c.length() / (m * n);
        double k = Math.sqrt((double) a.length() * b.length() / ((double) c.length() * groups));
        return 2.0 * c.length() * k;
    }
}

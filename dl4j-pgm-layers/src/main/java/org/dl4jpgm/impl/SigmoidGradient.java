package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * The gradient op of a {@code sigmoid} computed from the forward pass's output {@code s = sigmoid(x)}:
 * {@code eps * (s * (1 - s))}, three elementwise ops bound to their arrays as direct calls ({@link BoundOps#legacy},
 * {@link BoundOps#elementwise}), instead of libnd4j's {@code sigmoid_bp}, which computes the sigmoid of {@code x}
 * again.
 *
 * <p>Why: ND4J 1.0.0-M2.1's sigmoid costs about 3.4 ns per element on one core against 0.3-0.5 for a product, so its
 * gradient op took 205 us on {@code [384, 64]} (a GELU of the main job's encoder blocks) and 9 ms per paper-config
 * step (docs/performance.md, "The sigmoid's gradient from the forward pass, and broadcast gradients on bound ops").
 * The result is libnd4j's bit for bit: its {@code sigmoid_bp} computes {@code eps * (s * (1 - s))} in that order with
 * the same sigmoid ({@code impl/SigmoidGradientTest}).
 *
 * <p>Shapes: {@code s}, {@code eps} and the output alike, any rank.
 */
final class SigmoidGradient {

    /** The gradient op this class replaces. */
    static final String OP = "sigmoid_bp";
    /** The forward op whose output it reads. */
    static final String FORWARD = "sigmoid";

    /** {@code s * (1 - s)}, allocated at the first run. */
    private INDArray derivative;
    /** The three ops, bound to the arrays (s, eps, out) of the last run. */
    private final BoundOps ops = new BoundOps();

    private SigmoidGradient() {
    }

    /** The replacement for arrays of these shapes and type, or null where they differ (libnd4j's op then runs). */
    static SigmoidGradient of(INDArray s, INDArray eps, INDArray out) {
        if (s == null || s.dataType() != eps.dataType() || s.dataType() != out.dataType()
                || !Arrays.equals(s.shape(), eps.shape()) || !Arrays.equals(s.shape(), out.shape())) {
            return null;
        }
        return new SigmoidGradient();
    }

    /**
     * Writes {@code eps * (s * (1 - s))} into {@code out}.
     *
     * @param s   the forward pass's {@code sigmoid(x)}
     * @param eps the gradient of the sigmoid's output
     * @param out out: the gradient of {@code x}
     */
    void run(INDArray s, INDArray eps, INDArray out) {
        ops.run(new INDArray[]{s, eps, out}, () -> {
            if (derivative == null) {
                derivative = Nd4j.createUninitialized(s.dataType(), s.shape());
            }
            INDArray d = derivative;
            ScalarReverseSubtraction oneMinus = new ScalarReverseSubtraction(s, d, 1.0);
            return List.of(BoundOps.legacy(oneMinus, s, d), BoundOps.elementwise(new MulOp(s, d, d), s, d, d),
                    BoundOps.elementwise(new MulOp(eps, d, out), eps, d, out));
        });
    }
}

package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

import java.util.function.Supplier;

/**
 * Elementary SameDiff operations shared by all PgM blocks, written from primitive ops whose gradients are exact
 * in ND4J 1.0.0-M2.1 (so that every block passes DL4J's gradient check in double precision).
 *
 * <p>Tensors inside the blocks use the layout {@code [B, S, D]}: batch, sequence (S = 1 for utterance-level
 * vectors), features. The "last axis" below is always the feature (or token-width) axis.
 */
public final class SdOps {

    /** Layer normalisation epsilon, as in the original Transformer implementations. */
    public static final double LAYER_NORM_EPS = 1e-5;

    private SdOps() {
    }

    /**
     * Affine map over the last axis: {@code x W + b}.
     *
     * @param x   {@code [B, S, in]}
     * @param w   {@code [in, out]}
     * @param b   {@code [1, out]}, may be null
     * @param seq S (fixed once the graph is defined)
     * @return {@code [B, S, out]}
     */
    public static SDVariable linear(SDVariable x, SDVariable w, SDVariable b, long seq) {
        SDVariable rows = x.reshape(-1, w.getShape()[0]);
        return (b == null ? rows.mmul(w) : affineRows(rows, w, b)).reshape(-1, seq, w.getShape()[1]);
    }

    /**
     * Affine map of rows: {@code x W + b}, {@code [N, in] -> [N, out]}. Chains of maps on {@code [B, S, in]} reshape to
     * rows once ({@code N = B S}) and back once, not around every map (each reshape is an op in the graph and in its
     * gradient).
     *
     * @param w {@code [in, out]}
     * @param b {@code [1, out]}
     */
    public static SDVariable affineRows(SDVariable x, SDVariable w, SDVariable b) {
        return x.mmul(w).add(b);
    }

    /**
     * Multiplies the last axis of {@code x} with a constant matrix: {@code x C}.
     *
     * @param x   {@code [B, S, in]}
     * @param c   constant {@code [in, out]}
     * @param seq S
     * @return {@code [B, S, out]}
     */
    public static SDVariable mulLastAxis(SDVariable x, INDArray c, long seq) {
        SDVariable cv = x.getSameDiff().constant(c.castTo(x.dataType()));
        return x.reshape(-1, c.size(0)).mmul(cv).reshape(-1, seq, c.size(1));
    }

    /**
     * Features {@code [from, to)} of the last axis of a rank-3 tensor.
     *
     * @param x {@code [B, S, D]}
     * @return {@code [B, S, to - from]}
     */
    public static SDVariable sliceLastAxis(SDVariable x, long from, long to) {
        return x.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(from, to));
    }

    /** Identity in the forward pass, zero gradient in the backward pass. */
    public static SDVariable stopGradient(SDVariable x) {
        return new StopGradient(x.getSameDiff(), x).outputVariable();
    }

    /**
     * An array of {@code x}'s shape filled with {@code value}, constant in the backward pass:
     * {@code stopGradient(x) * 0 + value}. Why not a fill op: {@code x}'s batch size is only known when the graph runs,
     * and deriving the shape from {@code x} keeps it. A NaN or infinite entry of {@code x} gives NaN there.
     *
     * @param x any shape
     * @return {@code x}'s shape
     */
    public static SDVariable constantLike(SDVariable x, double value) {
        return stopGradient(x).mul(0.0).add(value);
    }

    /**
     * Numerically stable softmax over the last axis: {@code exp(x - max) / sum(exp(x - max))}. The maximum is
     * held constant in the backward pass (softmax is shift invariant, so the gradient stays exact).
     *
     * @param x    any rank
     * @param axis the axis to normalise over (the last one, as a non-negative index)
     */
    public static SDVariable softmax(SDVariable x, int axis) {
        SDVariable max = stopGradient(x.max(true, axis));
        SDVariable e = x.getSameDiff().math().exp(x.sub(max));
        return e.div(e.sum(true, axis));
    }

    /**
     * The width T from which {@link #cumsoftmax} takes its running sum as a scan ({@link #runningSumByScan}) instead of
     * a product with a T x T matrix of ones ({@link #runningSumByProduct}): the product costs {@code 2 R T^2} FLOPs
     * forward and twice that backward for R rows (in BLAS), the scan {@code R T} (in libnd4j's slower loops) and two
     * more ops each way (the transposes). Measured on one core: the product is cheaper up to T = 256 at 384 rows, the
     * scan from T = 384 at 96 to 384 rows (at the paper's T = 768, 96 rows: 1.3 against 8.4 ms forward and backward);
     * docs/performance.md, "cumsoftmax as a scan".
     */
    public static final long SCAN_MIN_WIDTH = 384;

    /**
     * {@code cumsoftmax(x) = cumsum(softmax(x))} over the last axis (the "master gate" of ON-LSTM, used by PgM's
     * Eq. 1). The running sum is a product with a matrix of ones below {@value #SCAN_MIN_WIDTH} features and a scan
     * from there; both are exact in value and gradient, and equal up to the rounding of a sum's order.
     *
     * <p>The result is monotone non-decreasing along the axis, lies in [0, 1] and ends in 1 (up to rounding).
     *
     * @param x      logits {@code [N, T]} (groups = 1) or {@code [G, N, T]} (groups = G)
     * @param t      T
     * @param groups 1 or G
     * @return gates, the shape of x
     */
    public static SDVariable cumsoftmax(SDVariable x, long t, int groups) {
        SDVariable p = softmax(x, groups == 1 ? 1 : 2);
        return t >= SCAN_MIN_WIDTH ? runningSumByScan(p, t, groups) : runningSumByProduct(p, t, groups);
    }

    /**
     * The running sum over the last axis as a product with an upper-triangular matrix of ones ({@code p U}; G copies
     * of the matrix for G groups, one batched product). A product because ND4J M2.1's {@code cumsum} backpropagates
     * along the wrong axis except for axis 0 of a matrix (docs/dl4j-m2.1-notes.md, SameDiff 2).
     *
     * @param p {@code [N, T]} (groups = 1) or {@code [G, N, T]}
     * @return the shape of p
     */
    public static SDVariable runningSumByProduct(SDVariable p, long t, int groups) {
        INDArray ones = upperTriangularOnes(t).castTo(p.dataType());
        SDVariable u = p.getSameDiff().constant(groups == 1 ? ones : Nd4j.tile(ones.reshape(1, t, t), groups, 1, 1));
        return p.mmul(u);
    }

    /**
     * The running sum over the last axis as a scan: {@code cumsum} along axis 0 of the transposed rows
     * {@code [T, N G]}, transposed back; axis 0 of a matrix is the one axis along which ND4J M2.1's {@code cumsum}
     * backpropagates correctly (docs/dl4j-m2.1-notes.md, SameDiff 2).
     *
     * @param p {@code [N, T]} (groups = 1) or {@code [G, N, T]}
     * @return the shape of p
     */
    public static SDVariable runningSumByScan(SDVariable p, long t, int groups) {
        SDVariable rows = groups == 1 ? p : p.reshape(-1, t);
        SDVariable sums = p.getSameDiff().cumsum(rows.permute(1, 0), false, false, 0).permute(1, 0);
        return groups == 1 ? sums : sums.reshape(groups, -1, t);
    }

    /** {@code U[j][k] = 1} where {@code j <= k}: {@code p U} is the running sum of the row vector p. */
    public static INDArray upperTriangularOnes(long n) {
        INDArray u = Nd4j.zeros(DataType.DOUBLE, n, n);
        for (int j = 0; j < n; j++) {
            for (int k = j; k < n; k++) {
                u.putScalar(j, k, 1.0);
            }
        }
        return u;
    }

    /**
     * {@code E[t][d] = 1} where feature d lies in chunk t (chunks of {@code chunkSize} consecutive features):
     * {@code g E} broadcasts chunk-level gates {@code [.., T]} to feature-level gates {@code [.., T * chunkSize]}.
     */
    public static INDArray chunkExpansion(long chunks, int chunkSize) {
        INDArray e = Nd4j.zeros(DataType.DOUBLE, chunks, chunks * chunkSize);
        for (int t = 0; t < chunks; t++) {
            for (int i = 0; i < chunkSize; i++) {
                e.putScalar(t, (long) t * chunkSize + i, 1.0);
            }
        }
        return e;
    }

    /**
     * Layer normalisation over the last axis: {@code (x - mean) / sqrt(var + eps) * gain + bias}.
     *
     * @param x    {@code [.., E]}
     * @param gain {@code [1, E]}
     * @param bias {@code [1, E]}
     * @param axis the last axis index
     */
    public static SDVariable layerNorm(SDVariable x, SDVariable gain, SDVariable bias, int axis) {
        SameDiff sd = x.getSameDiff();
        SDVariable centred = x.sub(x.mean(true, axis));
        SDVariable var = centred.mul(centred).mean(true, axis);
        SDVariable inv = sd.math().rsqrt(var.add(LAYER_NORM_EPS));
        return centred.mul(inv).mul(gain).add(bias);
    }

    /**
     * GELU, tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, from elementary ops. Computed
     * as {@code x sigmoid(x (k + 0.044715 k x^2))} with {@code k = 2 sqrt(2/pi)}, the same function
     * ({@code (1 + tanh z) / 2 = sigmoid(2 z)}), in 6 ops instead of 9. ND4J M2.1's native {@code PreciseGELU} is not
     * this function (docs/design.md, "Encoder blocks").
     */
    public static SDVariable gelu(SDVariable x) {
        double k = 2.0 * Math.sqrt(2.0 / Math.PI);
        SDVariable inner = x.mul(x).mul(0.044715 * k).add(k).mul(x);
        return x.mul(x.getSameDiff().nn().sigmoid(inner));
    }

    /**
     * Broadcasts a sequence mask {@code [B, S]} (1 = keep) to {@code [B, S, 1]}, ready to multiply {@code [B, S, D]};
     * defined once per mask and graph (see {@link #once}).
     */
    public static SDVariable maskBSD(SDVariable seqMask, long seq) {
        return once(seqMask, "-bsd", () -> seqMask.reshape(-1, seq, 1));
    }

    /**
     * The valid steps per row of a sequence mask, at least 1 (the divisor of a masked mean) {@code [B, 1]}; defined
     * once per mask and graph.
     */
    private static SDVariable validSteps(SDVariable seqMask, long seq) {
        // no reduction over an axis of length 1: ND4J M2.1's reduce ops fail on one inside SameDiff
        return once(seqMask, "-steps",
                () -> atLeastOne(seq == 1 ? seqMask.reshape(-1, 1) : seqMask.sum(true, 1)));
    }

    /**
     * The variable {@code of.name() + suffix} if {@code of}'s graph has it, else {@code make}'s, given that name: values
     * derived from a mask that several blocks use (every learner, the decoder, the objectives) are defined once, not
     * once per use (each definition is ops executed at every step).
     */
    private static SDVariable once(SDVariable of, String suffix, Supplier<SDVariable> make) {
        String name = of.name() + suffix;
        SameDiff sd = of.getSameDiff();
        return sd.hasVariable(name) ? sd.getVariable(name) : make.get().rename(name);
    }

    /**
     * Masked mean over the sequence axis. A row without any valid step (a modality missing for that example) has
     * the mean 0 and passes no gradient: the sum over no step is divided by 1 instead of 0.
     *
     * @param x       {@code [B, S, D]}
     * @param seqMask {@code [B, S]} (1 = real step) or null for a plain mean
     * @param seq     S
     * @return {@code [B, D]}
     */
    public static SDVariable maskedMeanOverSteps(SDVariable x, SDVariable seqMask, long seq) {
        if (seqMask == null) {
            return x.mean(1);
        }
        SDVariable masked = x.mul(maskBSD(seqMask, seq));
        if (seq == 1) {
            // no reduction over an axis of length 1: ND4J M2.1's reduce ops fail on one inside SameDiff
            return x.getSameDiff().squeeze(masked, 1).div(validSteps(seqMask, seq));
        }
        return masked.sum(1).div(validSteps(seqMask, seq));
    }

    /**
     * Masked sum over the sequence axis: the sum over the valid steps (a row without any is 0).
     *
     * @param x       {@code [B, S, D]}
     * @param seqMask {@code [B, S]} (1 = real step) or null for a plain sum
     * @param seq     S
     * @return {@code [B, D]}
     */
    public static SDVariable maskedSumOverSteps(SDVariable x, SDVariable seqMask, long seq) {
        SDVariable masked = seqMask == null ? x : x.mul(maskBSD(seqMask, seq));
        if (seq == 1) {
            // no reduction over an axis of length 1: ND4J M2.1's reduce ops fail on one inside SameDiff
            return x.getSameDiff().squeeze(masked, 1);
        }
        return masked.sum(1);
    }

    /**
     * 1 where a row of a step mask has a valid step, 0 where it has none (the modality is missing for that example).
     *
     * @param seqMask {@code [B, S]}, entries >= 0
     * @param seq     S
     * @return {@code [B]}
     */
    public static SDVariable present(SDVariable seqMask, long seq) {
        SDVariable count = seq == 1 ? seqMask.reshape(-1) : seqMask.sum(1);
        return seqMask.getSameDiff().math().step(count, 0.0);
    }

    /**
     * A count (entries >= 0) with 0 replaced by 1, to divide by: {@code n + 1[n <= 0]}. The replacement is constant
     * in the backward pass (counts come from masks, which carry no gradient).
     */
    public static SDVariable atLeastOne(SDVariable count) {
        return count.add(count.getSameDiff().math().step(count, 0.0).rsub(1.0));
    }

    /** Numerically stable log-softmax over {@code axis}. */
    public static SDVariable logSoftmax(SDVariable x, int axis) {
        SameDiff sd = x.getSameDiff();
        SDVariable shifted = x.sub(stopGradient(x.max(true, axis)));
        return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, axis)));
    }

    /**
     * Cross-entropy of G stacked groups of logits, each group against its own fixed class:
     * {@code -log softmax(z_{g,b})[k_g]}.
     *
     * @param logits     {@code [G B, K]}, group-major (rows {@code g B .. (g + 1) B - 1} belong to group g)
     * @param classes    k_g, the true class of each group (length G)
     * @param numClasses K
     * @return {@code [G, B]}
     */
    public static SDVariable crossEntropyToClasses(SDVariable logits, int[] classes, int numClasses) {
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, classes.length, 1, numClasses);
        for (int g = 0; g < classes.length; g++) {
            oneHot.putScalar(new long[]{g, 0, classes[g]}, 1.0);
        }
        SDVariable target = logits.getSameDiff().constant(oneHot.castTo(logits.dataType()));
        return logSoftmax(logits, 1).reshape(classes.length, -1, numClasses).mul(target).sum(2).neg();
    }
}

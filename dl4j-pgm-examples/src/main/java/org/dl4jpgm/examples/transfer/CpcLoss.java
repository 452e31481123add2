package org.dl4jpgm.examples.transfer;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * MMIM's CPC term (Han et al. 2021, Sec. 3.3, "Maximizing MI between modalities and fusion"; their {@code CPC}
 * module): an InfoNCE lower bound on the mutual information of a representation x and a prediction of it,
 * {@code x̂ = W y + b}, from another representation y (the projection is the dense layer in front of this loss). For
 * example i of a batch of B, with u = x / ‖x‖ and v = x̂ / ‖x̂‖ row by row:
 * <pre>
 *   s_ij  = u_i · v_j                                   (score matrix S = U Vᵀ, [B, B])
 *   nce_i = η ( log Σ_j exp s_ij − s_ii )               (MMIM: nce = −(pos − neg).mean())
 * </pre>
 * the batch's other examples being the negatives. Minimising it maximises the bound. Input {@code [B, 2W]}: x̂ in
 * columns {@code [0, W)}, x in {@code [W, 2W)} (a {@code MergeVertex} of the projection and the representation);
 * gradients reach both. The labels are not read (a {@code LossLayer} needs some: any {@code [B, 2W]} array).
 *
 * <p>Gradient, in closed form (each term depends on the whole batch): with {@code G = η (softmax_row(S) − I)},
 * {@code ∂L/∂U = G V}, {@code ∂L/∂V = Gᵀ U}, then through the normalisation, for u = x / (n + ε), n = ‖x‖:
 * {@code ∂L/∂x = g / (n + ε) − x (x · g) / (n (n + ε)²)}. Written by hand because SameDiff's backward pass of the
 * row reductions fails inside DL4J 1.0.0-M2.1's {@code SameDiffLoss}.
 */
public class CpcLoss implements ILossFunction {

    /** Guards the normalisation of an all-zero row. */
    static final double EPS = 1e-8;

    @JsonProperty("width")
    private long width;
    @JsonProperty("weight")
    private double weight;

    /** For Jackson. */
    protected CpcLoss() {
    }

    /**
     * @param width  W, the width of x and of its prediction
     * @param weight η, the term's weight in the loss
     */
    public CpcLoss(@JsonProperty("width") long width, @JsonProperty("weight") double weight) {
        if (width < 1 || !(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("CpcLoss: expected width >= 1 and a finite weight >= 0, found width = "
                    + width + ", weight = " + weight);
        }
        this.width = width;
        this.weight = weight;
    }

    /** W. */
    public long getWidth() {
        return width;
    }

    /** η. */
    public double getWeight() {
        return weight;
    }

    /** The per-example terms {@code nce_i}, {@code [B, 1]}, of an input {@code [B, 2W]}. */
    INDArray terms(INDArray in) {
        Parts p = parts(in);
        INDArray pos = p.u.mul(p.v).sum(true, 1);
        INDArray max = p.s.max(true, 1);
        INDArray lse = Transforms.log(Transforms.exp(p.s.subColumnVector(max)).sum(true, 1)).addi(max);
        return lse.subi(pos).muli(weight);
    }

    /** ∂(Σ_i nce_i)/∂input, {@code [B, 2W]}. */
    INDArray gradient(INDArray in) {
        Parts p = parts(in);
        INDArray max = p.s.max(true, 1);
        INDArray e = Transforms.exp(p.s.subColumnVector(max));
        INDArray g = e.diviColumnVector(e.sum(true, 1)).subi(Nd4j.eye(p.s.rows()).castTo(in.dataType())).muli(weight);
        INDArray gu = g.mmul(p.v);
        INDArray gv = g.transpose().mmul(p.u);
        return Nd4j.hstack(normalisationBackward(p.pred, gv), normalisationBackward(p.x, gu));
    }

    private record Parts(INDArray pred, INDArray x, INDArray u, INDArray v, INDArray s) {
    }

    private Parts parts(INDArray in) {
        if (in.rank() != 2 || in.size(1) != 2 * width) {
            throw new IllegalArgumentException("CpcLoss: expected an input [B, 2W] = [B, " + 2 * width + "], found "
                    + java.util.Arrays.toString(in.shape()));
        }
        INDArray pred = in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width));
        INDArray x = in.get(NDArrayIndex.all(), NDArrayIndex.interval(width, 2 * width));
        INDArray u = x.divColumnVector(x.norm2(true, 1).addi(EPS));
        INDArray v = pred.divColumnVector(pred.norm2(true, 1).addi(EPS));
        return new Parts(pred, x, u, v, u.mmul(v.transpose()));
    }

    /** ∂L/∂x from ∂L/∂u for u = x / (‖x‖ + ε). */
    private static INDArray normalisationBackward(INDArray x, INDArray gu) {
        INDArray n = x.norm2(true, 1);
        INDArray ne = n.add(EPS);
        INDArray dot = x.mul(gu).sum(true, 1);
        INDArray coef = dot.div(n.mul(ne).muli(ne).addi(1e-30));
        return gu.divColumnVector(ne).subi(x.mulColumnVector(coef));
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray s = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = s.sumNumber().doubleValue();
        return average ? sum / s.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray t = terms(activationFn.getActivation(preOutput.dup(), true));
        if (mask != null) {
            LossUtil.applyMask(t, mask);
        }
        return t;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray g = gradient(activationFn.getActivation(preOutput.dup(), true));
        INDArray dz = activationFn.backprop(preOutput.dup(), g).getFirst();
        if (mask != null) {
            LossUtil.applyMask(dz, mask);
        }
        return dz;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpcLoss c && c.width == width && c.weight == weight;
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(width) + Double.hashCode(weight);
    }

    @Override
    public String toString() {
        return "CpcLoss(W = " + width + ", η = " + weight + ")";
    }
}

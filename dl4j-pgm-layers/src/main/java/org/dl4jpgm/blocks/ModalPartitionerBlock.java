package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The modal partitioner of PgM (Eq. 1-3), as a SameDiff building block.
 *
 * <p>For one modality with representation {@code I} of shape {@code [B, S, D]}, iteration i computes
 * <pre>
 *   g_u = 1 - cumsoftmax(u W_u + b_u)          (Eq. 1; over the feature axis, chunk-wise)
 *   g_p =     cumsoftmax(p W_p + b_p)          (Eq. 1)
 *   g_s = g_u * g_p ; upper = g_u - g_s ; downer = g_p - g_s             (Eq. 2)
 *   I_s = g_s * I ; u' = upper * u + I_s ; p' = downer * p + I_s          (Eq. 3)
 * </pre>
 * starting from {@code u = p = I}, with the same weights at every iteration. The paper writes
 * {@code cumsoftmax(u_m)}; as in ON-LSTM's master gates (the paper's reference [26]) the logits here are an affine
 * map of the features (docs/model-spec.md).
 *
 * <p>Chunking (ON-LSTM): with {@code chunkSize = c > 1} the gates are computed over {@code T = D / c} chunks and
 * broadcast to the c features of each chunk; {@code c = 1} is the paper's form. Parameters:
 * {@code W_u, W_p: [D, T]}, {@code b_u, b_p: [1, T]}: {@code 2 (D T + T)}.
 */
public final class ModalPartitionerBlock implements SdBlock {

    /** Parameter key suffixes (the block's prefix goes in front). */
    public static final String W_UNI = "partWu";
    public static final String B_UNI = "partBu";
    public static final String W_PAIRED = "partWp";
    public static final String B_PAIRED = "partBp";

    private final String prefix;
    private final long width;
    private final int chunkSize;

    /**
     * @param prefix    prefix of the parameter keys (distinguishes several partitioners in one graph)
     * @param width     D, the feature width
     * @param chunkSize c, features per gate chunk; D must be divisible by c
     */
    public ModalPartitionerBlock(String prefix, long width, int chunkSize) {
        if (width <= 0 || chunkSize <= 0 || width % chunkSize != 0) {
            throw new IllegalArgumentException("ModalPartitionerBlock: width D must be positive and divisible by "
                    + "chunkSize; found D = " + width + ", chunkSize = " + chunkSize);
        }
        this.prefix = ParamInit.checkPrefix(prefix);
        this.width = width;
        this.chunkSize = chunkSize;
    }

    /** T = D / chunkSize, the number of gate chunks. */
    public long chunks() {
        return width / chunkSize;
    }

    public String key(String suffix) {
        return prefix + suffix;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(key(W_UNI), width, chunks());
        params.addBiasParam(key(B_UNI), 1, chunks());
        params.addWeightParam(key(W_PAIRED), width, chunks());
        params.addBiasParam(key(B_PAIRED), 1, chunks());
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        ParamInit.weights(params, key(W_UNI), weightInit);
        ParamInit.weights(params, key(W_PAIRED), weightInit);
        ParamInit.constant(params, key(B_UNI), 0.0);
        ParamInit.constant(params, key(B_PAIRED), 0.0);
    }

    /** This partitioner's gate weights, for one modality. */
    public Weights weights(Map<String, SDVariable> p) {
        return new Weights(p.get(key(W_UNI)), p.get(key(B_UNI)), p.get(key(W_PAIRED)), p.get(key(B_PAIRED)), 1);
    }

    /**
     * The gate weights of G partitioners (one per modality, same D and chunking) stacked for G modalities whose
     * inputs are stacked along the batch axis ({@code [G B, S, D]}, modality-major): {@code W: [G, D, T]},
     * {@code b: [G, 1, T]}. The gate logits of all G modalities are then one batched product.
     */
    public static Weights stacked(List<ModalPartitionerBlock> blocks, Map<String, SDVariable> p) {
        if (blocks.size() == 1) {
            return blocks.get(0).weights(p);
        }
        SDVariable[][] parts = new SDVariable[4][blocks.size()];
        for (int k = 0; k < blocks.size(); k++) {
            Weights w = blocks.get(k).weights(p);
            parts[0][k] = w.uni();
            parts[1][k] = w.uniBias();
            parts[2][k] = w.paired();
            parts[3][k] = w.pairedBias();
        }
        org.nd4j.autodiff.samediff.SameDiff sd = parts[0][0].getSameDiff();
        return new Weights(sd.stack(0, parts[0]), sd.stack(0, parts[1]), sd.stack(0, parts[2]), sd.stack(0, parts[3]),
                blocks.size());
    }

    /**
     * Gate weights {@code W_u, b_u, W_p, b_p} for G stacked modalities: {@code [D, T]} and {@code [1, T]} when G = 1
     * or when one partitioner is shared by all; {@code [G, D, T]} and {@code [G, 1, T]} when each has its own.
     */
    public record Weights(SDVariable uni, SDVariable uniBias, SDVariable paired, SDVariable pairedBias, int groupSize) {
    }

    /**
     * {@code cumsoftmax(x W + b)} of {@code x: [G B, S, D]}, broadcast from chunks to features: {@code [G B, S, D]}.
     * Computed on the rows {@code [B S, D]} (G = 1) or {@code [G, B S, D]} (G > 1, batched products), with one reshape
     * in and one out.
     */
    private SDVariable cumGate(Weights weights, SDVariable x, SDVariable w, SDVariable b, long seq) {
        int g = weights.groupSize();
        SDVariable rows = g == 1 ? x.reshape(-1, width) : x.reshape(g, -1, width);
        SDVariable gates = SdOps.cumsoftmax(rows.mmul(w).add(b), chunks(), g);         // [.., T]
        if (chunkSize > 1) {
            INDArray e = SdOps.chunkExpansion(chunks(), chunkSize).castTo(x.dataType());
            gates = gates.mmul(x.getSameDiff().constant(g == 1 ? e : Nd4j.tile(e.reshape(1, chunks(), width), g, 1, 1)));
        }
        return gates.reshape(-1, seq, width);
    }

    /**
     * Eq. 1: the uni gate {@code 1 - cumsoftmax(u W_u + b_u)}, broadcast from chunks to features.
     *
     * @param u   {@code [G B, S, D]} (G = 1: one modality; see {@link #stacked})
     * @param seq S
     * @return {@code [G B, S, D]}
     */
    public SDVariable uniGate(Weights w, SDVariable u, long seq) {
        return cumGate(w, u, w.uni(), w.uniBias(), seq).rsub(1.0);
    }

    /** Eq. 1: the paired gate {@code cumsoftmax(p W_p + b_p)}, broadcast to features; shapes as in {@link #uniGate}. */
    public SDVariable pairedGate(Weights w, SDVariable paired, long seq) {
        return cumGate(w, paired, w.paired(), w.pairedBias(), seq);
    }

    /**
     * One iteration, Eq. 1-3.
     *
     * @param input I, {@code [B, S, D]}
     * @param u     u(i), {@code [B, S, D]}
     * @param p     p(i), {@code [B, S, D]}
     * @param seq   S
     */
    public Step step(Map<String, SDVariable> params, SDVariable input, SDVariable u, SDVariable p, long seq) {
        return step(weights(params), input, u, p, seq);
    }

    /** One iteration, Eq. 1-3, for G modalities stacked along the batch axis ({@code [G B, S, D]}, see {@link #stacked}). */
    public Step step(Weights w, SDVariable input, SDVariable u, SDVariable p, long seq) {
        SDVariable gu = uniGate(w, u, seq);
        SDVariable gp = pairedGate(w, p, seq);
        SDVariable gs = gu.mul(gp);
        SDVariable upper = gu.sub(gs);
        SDVariable downer = gp.sub(gs);
        SDVariable shared = gs.mul(input);
        return new Step(upper.mul(u).add(shared), downer.mul(p).add(shared), gu, gp);
    }

    /**
     * N iterations with shared weights, from {@code u(1) = p(1) = I}.
     *
     * @param input      I, {@code [B, S, D]}
     * @param iterations N >= 1
     * @param seq        S
     * @return u(N+1), p(N+1) (the partitions after N iterations) and the gates of every iteration
     */
    public Result run(Map<String, SDVariable> params, SDVariable input, int iterations, long seq) {
        if (iterations < 1) {
            throw new IllegalArgumentException("ModalPartitionerBlock: iterations must be >= 1, found " + iterations);
        }
        SDVariable u = input;
        SDVariable p = input;
        List<SDVariable> uniGates = new ArrayList<>();
        List<SDVariable> pairedGates = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            Step s = step(params, input, u, p, seq);
            u = s.uni();
            p = s.paired();
            uniGates.add(s.uniGate());
            pairedGates.add(s.pairedGate());
        }
        return new Result(u, p, uniGates, pairedGates);
    }

    /**
     * One iteration's outputs: u(i+1), p(i+1) and the soft gates g_u(i), g_p(i), all {@code [B, S, D]}. Hard gates
     * and masks (Eq. 4, 6) come from {@link GateMasks}.
     */
    public record Step(SDVariable uni, SDVariable paired, SDVariable uniGate, SDVariable pairedGate) {
    }

    /** u(N+1), p(N+1) and the soft gates of iterations 1..N, all {@code [B, S, D]}. */
    public record Result(SDVariable uni, SDVariable paired, List<SDVariable> uniGates, List<SDVariable> pairedGates) {
    }
}

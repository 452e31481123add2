package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;
import java.util.function.Supplier;

/**
 * PgM's objective, Eq. 11, per example b:
 * <pre>
 *   L_P(b) = Σ_{i = 1..N} ( L_UFC(i, b) + L_PFC(i, b) + L_UPR(i, b) )
 * </pre>
 * from the learned features ũ(i), p̃(i) and the reconstructions Î(i) of every iteration: UFC (Eq. 8,
 * {@link UfcObjective}), PFC (Eq. 9, {@link PfcObjective}), UPR (Eq. 10, {@link UprObjective}). The three terms stay
 * separate ({@link Terms}) so that they can be monitored one by one; a term an ablation switches off
 * ({@link PgmOptions#isUseUfc()} etc.) is zero and its classifier defines no parameters. Its children are the two
 * classifiers, UFC's first.
 *
 * <p>A modality is missing for example b when its step mask has no valid step; it adds nothing to b's terms, which are
 * normalised by the M_b present modalities (the plain forms when all are present; zero when none is).
 *
 * <p>Three penalties that are not in the paper act on the gradient of L_P only (docs/results.md, "Partition recovery"):
 * <ul>
 *   <li>paired share, weight λ_s ({@link PgmOptions#getPairedShareWeight()}):
 *       {@code s(b) = (1 / M_b) Σ_m Σ_i mean_{valid steps, channels} g_p(i)}, the mean soft paired gate of Eq. 1;</li>
 *   <li>gate exclusivity, weight λ_x ({@link PgmOptions#getGateExclusivityWeight()}): x(b), the same mean of
 *       {@code g_u(i) g_p(i) + (1 - g_u(i)) (1 - g_p(i))}, the soft share of channels that Eq. 2-3 give to both
 *       streams or to neither;</li>
 *   <li>stream decorrelation, weight λ_d ({@link PgmOptions#getStreamDecorrelationWeight()}):
 *       {@code c = (1 / M) Σ_m Σ_i mean_{j, k} r_jk(m, i)²}, r_jk the correlation over the batch's examples (those
 *       where m is present) of channel j of ū_m(i) and channel k of p̄_m(i), the pooled features of Eq. 8-9; one
 *       number per batch, the same for every example.</li>
 * </ul>
 * Each is carried by PFC's channel as {@code λ (s - stopGradient(s))}, whose value is exactly 0, so the monitored
 * objectives keep the values of Eq. 8-10 and the gradient gains λ ds.
 */
public final class PgmObjective extends CompositeBlock {

    private final UfcObjective ufc;
    private final PfcObjective pfc;
    private final UprObjective upr;
    /** λ_s of the paired-share penalty ({@link PgmOptions#getPairedShareWeight()}); 0 = off. */
    private final double pairedShareWeight;
    /** λ_x of the gate-exclusivity penalty ({@link PgmOptions#getGateExclusivityWeight()}); 0 = off. */
    private final double gateExclusivityWeight;
    /** λ_d of the stream-decorrelation penalty ({@link PgmOptions#getStreamDecorrelationWeight()}); 0 = off. */
    private final double streamDecorrelationWeight;
    private final long width;
    private final int modalities;

    /**
     * @param options    which terms are on
     * @param width      D
     * @param modalities M
     */
    public PgmObjective(PgmOptions options, long width, int modalities) {
        this.ufc = options.isUseUfc() ? addChild(new UfcObjective(width, modalities)) : null;
        this.pfc = options.isUsePfc() ? addChild(new PfcObjective(width, modalities)) : null;
        this.upr = options.isUseUpr() ? new UprObjective(width, modalities, options.getUprSteps()) : null;
        this.pairedShareWeight = options.isUsePartitioner() ? options.getPairedShareWeight() : 0.0;
        this.gateExclusivityWeight = options.isUsePartitioner() ? options.getGateExclusivityWeight() : 0.0;
        this.streamDecorrelationWeight = options.getStreamDecorrelationWeight();
        this.modalities = modalities;
        this.width = width;
    }

    /** Whether the paired-share penalty is on (it needs the soft paired gates, {@link Sum#addPairedShare}). */
    public boolean penalisesPairedShare() {
        return pairedShareWeight > 0;
    }

    /** Whether the gate-exclusivity penalty is on (it needs both soft gates, {@link Sum#addGateExclusivity}). */
    public boolean penalisesGateExclusivity() {
        return gateExclusivityWeight > 0;
    }

    /** Eq. 8's classifier and loss; null when switched off. */
    public UfcObjective ufc() {
        return ufc;
    }

    /** Eq. 9's classifier and loss; null when switched off. */
    public PfcObjective pfc() {
        return pfc;
    }

    /** Whether the model needs the decoder's reconstructions (Eq. 10). */
    public boolean usesReconstructions() {
        return upr != null;
    }

    /** A new running sum, for one definition of the model. */
    public Sum start() {
        return new Sum();
    }

    /** UFC, PFC and UPR per example {@code [B]}, each summed over the iterations; their sum is L_P. */
    public record Terms(SDVariable ufc, SDVariable pfc, SDVariable upr) {
        /** L_P, Eq. 11, {@code [B]}. */
        public SDVariable total() {
            return ufc.add(pfc).add(upr);
        }
    }

    /**
     * The terms of Eq. 11 summed over iterations and groups of stacked modalities ({@code [G B, ..]}, modality-major,
     * see {@link ModalityGroups}), then normalised by the present modalities in {@link #terms}.
     */
    public final class Sum {

        private SDVariable ufcSum;
        private SDVariable pfcSum;
        private SDVariable uprSum;
        private SDVariable pairedShareSum;
        private SDVariable exclusivitySum;
        private SDVariable decorrelationSum;
        /** M_b, the present modalities per example {@code [B]}; null while no modality has a step mask. */
        private SDVariable presentCount;

        private Sum() {
        }

        /**
         * Counts the present modalities of a group; called for every group as soon as any modality has a step mask.
         *
         * @param present    {@code [G B]} (1 = a valid step), or null: the group has no mask, all present
         * @param groupInput any {@code [B, S, D]} input of the group (the batch size of the count)
         */
        public void countPresent(SDVariable present, int groupSize, SDVariable groupInput) {
            SDVariable groupCount = present != null ? ModalityGroups.sumOverGroup(present, groupSize)
                    : SdOps.constantLike(groupInput.sum(2).sum(1), groupSize);
            presentCount = presentCount == null ? groupCount : presentCount.add(groupCount);
        }

        /**
         * UFC and PFC of one iteration on one group.
         *
         * @param pooledU ū, the masked mean over steps of ũ {@code [G B, D]}
         * @param pooledP p̄, the same of p̃ {@code [G B, D]}
         * @param present {@code [G B]} or null
         */
        public void addClassifications(Map<String, SDVariable> p, int[] group, SDVariable pooledU, SDVariable pooledP,
                                       SDVariable present) {
            if (ufc != null) {
                ufcSum = add(ufcSum, ufc.groupSum(p, pooledU, group, present));
            }
            if (pfc != null) {
                pfcSum = add(pfcSum, pfc.groupSum(p, pooledU, pooledP, group.length, present));
            }
            if (streamDecorrelationWeight > 0) {
                decorrelationSum = add(decorrelationSum, meanSquaredCorrelation(pooledU, pooledP, group.length, present));
            }
        }

        /** Whether UFC, PFC or the stream decorrelation is on (they need the pooled features of every iteration). */
        public boolean classifies() {
            return ufc != null || pfc != null || streamDecorrelationWeight > 0;
        }

        /**
         * Σ over the group's modalities of {@code mean_{j, k} r_jk²}, r the correlation over present examples between
         * the channels of ū and those of p̄: a scalar.
         *
         * @param pooledU ū {@code [G B, D]}
         * @param pooledP p̄ {@code [G B, D]}
         * @param present {@code [G B]} or null (every example)
         */
        private SDVariable meanSquaredCorrelation(SDVariable pooledU, SDVariable pooledP, int groupSize,
                                                  SDVariable present) {
            SDVariable weights = (present != null ? present : SdOps.constantLike(pooledU.sum(true, 1), 1.0))
                    .reshape(groupSize, -1, 1);                                                   // [G, B, 1]
            // a batch where the modality is present once or never has no correlation: 0, not 0 / 0
            SDVariable count = SdOps.atLeastOne(weights.sum(true, 1));                             // [G, 1, 1]
            SDVariable u = standardise(pooledU.reshape(groupSize, -1, width), weights, count);
            SDVariable p = standardise(pooledP.reshape(groupSize, -1, width), weights, count);
            SDVariable r = u.permute(0, 2, 1).mmul(p).div(count);                                   // [G, D, D]
            return r.mul(r).mean(1, 2).sum();
        }

        /**
         * Channels of {@code x [G, B, D]} centred and scaled over the examples of weight 1 (weight 0: set to 0); the
         * variance gains 1e-5 so that a constant channel gives 0 rather than 0 / 0.
         */
        private SDVariable standardise(SDVariable x, SDVariable weights, SDVariable count) {
            SDVariable centred = x.sub(x.mul(weights).sum(true, 1).div(count)).mul(weights);
            SDVariable variance = centred.mul(centred).sum(true, 1).div(count);
            return centred.div(variance.add(1e-5).pow(0.5));
        }

        /**
         * UPR of one iteration on one group.
         *
         * @param target I {@code [G B, S, D]}
         * @param rec    Î {@code [G B, S, D]}
         */
        public void addReconstruction(SDVariable target, SDVariable rec, SDVariable mask, long seq, int groupSize,
                                      SDVariable present) {
            uprSum = add(uprSum, upr.groupSum(target, rec, mask, seq, groupSize, present));
        }

        /**
         * The paired share of one iteration on one group: per example, the mean soft paired gate over channels and
         * valid steps, summed over the group's present modalities (normalised by the present modalities in
         * {@link #terms}, as UFC is).
         *
         * @param pairedGate g_p {@code [G B, S, D]} (Eq. 1)
         * @param mask       step mask {@code [G B, S]} or null
         * @param present    {@code [G B]} or null
         */
        public void addPairedShare(SDVariable pairedGate, SDVariable mask, long seq, int groupSize, SDVariable present) {
            pairedShareSum = add(pairedShareSum, meanOverChannels(pairedGate, mask, seq, groupSize, present));
        }

        /**
         * The gate exclusivity of one iteration on one group: per example, the mean of
         * {@code g_u g_p + (1 - g_u) (1 - g_p)} over channels and valid steps, summed over the group's present
         * modalities.
         *
         * @param uniGate    g_u {@code [G B, S, D]} (Eq. 1)
         * @param pairedGate g_p {@code [G B, S, D]}
         * @param mask       step mask {@code [G B, S]} or null
         * @param present    {@code [G B]} or null
         */
        public void addGateExclusivity(SDVariable uniGate, SDVariable pairedGate, SDVariable mask, long seq,
                                       int groupSize, SDVariable present) {
            SDVariable bothOrNeither = uniGate.mul(pairedGate).add(uniGate.rsub(1.0).mul(pairedGate.rsub(1.0)));
            exclusivitySum = add(exclusivitySum, meanOverChannels(bothOrNeither, mask, seq, groupSize, present));
        }

        /** Per example {@code [B]}: the mean of {@code x [G B, S, D]} over channels and valid steps, summed over the group. */
        private SDVariable meanOverChannels(SDVariable x, SDVariable mask, long seq, int groupSize, SDVariable present) {
            SDVariable share = SdOps.maskedMeanOverSteps(x, mask, seq).mean(1);     // [G B]
            return ModalityGroups.sumOverGroup(ModalityGroups.onlyPresent(share, present, 1), groupSize);
        }

        /**
         * The normalised terms.
         *
         * @param zeros {@code [B]} zeros for the terms that are switched off (asked for only if one is)
         */
        public Terms terms(Supplier<SDVariable> zeros) {
            // with a mask anywhere, divide by the present modalities M_b (1 where none is: the sums are 0 there)
            SDVariable present = presentCount == null ? null : SdOps.atLeastOne(presentCount);
            SDVariable u = ufcSum == null ? null : ufc.mean(ufcSum, present);
            SDVariable pf = pfcSum == null ? null : pfc.mean(pfcSum, present);
            SDVariable r = uprSum == null ? null : upr.scaled(uprSum, present);
            SDVariable zero = u != null && pf != null && r != null ? null : zeros.get();
            pf = pf != null ? pf : zero;
            pf = withGradientOnly(pf, pairedShareSum, pairedShareWeight, present);
            pf = withGradientOnly(pf, exclusivitySum, gateExclusivityWeight, present);
            // one number per batch: normalised by M, not by each example's M_b
            pf = withGradientOnly(pf, decorrelationSum, streamDecorrelationWeight, null);
            return new Terms(u != null ? u : zero, pf, r != null ? r : zero);
        }

        /**
         * {@code term + λ (s - stopGradient(s))}, s the penalty's sum divided by the present modalities (M when
         * {@code present} is null): exactly {@code term} in value, so PFC's value stays Eq. 9's, and λ ds in gradient;
         * the penalty reaches the parameters with L_P's weight without appearing among the objectives. {@code term}
         * itself when the penalty is off.
         */
        private SDVariable withGradientOnly(SDVariable term, SDVariable sum, double weight, SDVariable present) {
            if (sum == null) {
                return term;
            }
            SDVariable s = present == null ? sum.div(modalities) : sum.div(present);
            return term.add(s.sub(SdOps.stopGradient(s)).mul(weight));
        }

        private static SDVariable add(SDVariable acc, SDVariable x) {
            return acc == null ? x : acc.add(x);
        }
    }
}

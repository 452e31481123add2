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
 * <p>With a paired-share weight λ_s > 0 ({@link PgmOptions#getPairedShareWeight()}, not in the paper) the gradient of
 * L_P gains that of {@code λ_s s(b)}, {@code s(b) = (1 / M_b) Σ_m Σ_i mean_{valid steps, channels} g_p(i)}, the mean
 * soft paired gate: the term is carried by PFC's channel as {@code λ_s (s - stopGradient(s))}, whose value is exactly
 * 0, so the monitored objectives keep the values of Eq. 8-10.
 */
public final class PgmObjective extends CompositeBlock {

    private final UfcObjective ufc;
    private final PfcObjective pfc;
    private final UprObjective upr;
    /** λ_s of the paired-share penalty ({@link PgmOptions#getPairedShareWeight()}); 0 = off. */
    private final double pairedShareWeight;
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
        this.modalities = modalities;
    }

    /** Whether the paired-share penalty is on (it needs the soft paired gates, {@link Sum#addPairedShare}). */
    public boolean penalisesPairedShare() {
        return pairedShareWeight > 0;
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
                    : SdOps.stopGradient(groupInput.sum(2).sum(1)).mul(0.0).add(groupSize);
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
        }

        /** Whether UFC or PFC is on (they need the pooled features of every iteration). */
        public boolean classifies() {
            return ufc != null || pfc != null;
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
            SDVariable share = SdOps.maskedMeanOverSteps(pairedGate, mask, seq).mean(1);     // [G B]
            pairedShareSum = add(pairedShareSum, ModalityGroups.sumOverGroup(
                    ModalityGroups.onlyPresent(share, present, 1), groupSize));
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
            if (pairedShareSum != null) {
                // λ_s (s - stopGradient(s)) is exactly 0, so PFC's value stays Eq. 9's, and its gradient is λ_s ds:
                // the penalty reaches the parameters with L_P's weight without appearing among the objectives
                SDVariable share = present == null ? pairedShareSum.div(modalities) : pairedShareSum.div(present);
                pf = pf.add(share.sub(SdOps.stopGradient(share)).mul(pairedShareWeight));
            }
            return new Terms(u != null ? u : zero, pf, r != null ? r : zero);
        }

        private static SDVariable add(SDVariable acc, SDVariable x) {
            return acc == null ? x : acc.add(x);
        }
    }
}

package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The composite PgM model over M modalities (Eq. 1-11), as one SameDiff building block, so that weights can be
 * shared across modalities and iterations (DL4J cannot share weights between layers).
 *
 * <p>Per modality m with input {@code X_m [B, S_m, D_m]} (and optional step mask {@code [B, S_m]}, 1 = real step):
 * <ol>
 *   <li>{@code I_m = X_m W_m + b_m} if {@code D_m != D} (a per-modality projection), else {@code I_m = X_m};</li>
 *   <li>{@code u = p = I_m}; for i = 1..N: one partitioner step (Eq. 1-3, {@link ModalPartitionerBlock}; one per
 *   modality, or shared), hard gates (Eq. 4, {@link GateMasks}), the uni learner on u with ĝ_u and the paired
 *   learner on p with ĝ_p (Eq. 5-6, {@link MaskedLearnerBlock}, both shared by all modalities), the decoder
 *   {@code Î_m = Decoder(ũ, p̃)} (Eq. 7, {@link UniPairedDecoderBlock}, shared), the objectives of iteration i,
 *   and {@code u, p = ũ, p̃} (or the partitioner's own u, p, see {@link PgmOptions.Carry});</li>
 *   <li>outputs {@code u_m = ũ(N)}, {@code p_m = p̃(N)}, {@code [B, S_m, D]}.</li>
 * </ol>
 * Components that an ablation switches off ({@link PgmOptions}) define no parameters: the decoder exists only with
 * UPR (it serves nothing else), the classifiers only with UFC / PFC, the partitioners only with the partitioner.
 * Objectives, per example b, summed over the N iterations (Eq. 11):
 * <ul>
 *   <li>UFC (Eq. 8): one classifier {@code D -> M}, shared by all modalities, on the masked mean over steps of ũ_m,
 *   with target m (made here; the user supplies no label); cross-entropy averaged over the M modalities;</li>
 *   <li>PFC (Eq. 9): one classifier {@code D -> 2} on the pooled ũ_m (target 0) and p̃_m (target 1); cross-entropy
 *   averaged over the 2M inputs;</li>
 *   <li>UPR (Eq. 10): {@code Σ_m ||I_m - Î_m||² / D}, the squared norm averaged over valid steps. The target I_m is
 *   held constant in the backward pass ({@link PgmOptions#isDetachUprTarget()}), so that a learned projection cannot
 *   shrink it to cheat the loss.</li>
 * </ul>
 * <b>Missing modalities.</b> A modality whose step mask has no valid step for example b (a row of zeros; a vector
 * modality's mask {@code [B, 1]} with 0) is missing for b: its u_m, p_m and pooled features for b are exactly 0, and
 * it adds nothing to b's objectives. UFC and PFC are then averaged over the M_b present modalities (2 M_b inputs for
 * PFC), and UPR is {@code M / M_b} times the sum over them (M times their mean, the sum's scale when all are present);
 * with every modality present this is the plain form above. An example with no modality present has zero objectives.
 * Every output and gradient stays finite (docs/design.md, "Missing modalities and degenerate inputs").
 */
public final class PgmBlock extends CompositeBlock {

    public static final String PROJ_W = "projW";
    public static final String PROJ_B = "projB";
    public static final String UFC_W = "ufcW";
    public static final String UFC_B = "ufcB";
    public static final String PFC_W = "pfcW";
    public static final String PFC_B = "pfcB";
    /** Prefixes of the components, for per-component updaters. */
    public static final String UNI_PREFIX = "uni";
    public static final String PAIRED_PREFIX = "pair";
    public static final String DECODER_PREFIX = "dec";
    public static final String PARTITIONER_PREFIX = "part";

    private final PgmOptions options;
    private final long[] inputWidths;
    private final long width;
    /** I_m = X_m W_m + b_m of each modality; null where D_m = D. */
    private final LinearBlock[] projections;
    private final List<ModalPartitionerBlock> partitioners = new ArrayList<>();
    private final MaskedLearnerBlock uniLearner;
    private final MaskedLearnerBlock pairedLearner;
    private final UniPairedDecoderBlock decoder;
    private final LinearBlock ufcClassifier;
    private final LinearBlock pfcClassifier;
    private final boolean stackModalities;

    /**
     * @param options     hyperparameters; {@code options.getWidth()} must be set (> 0)
     * @param inputWidths D_m of each modality, M >= 2
     */
    public PgmBlock(PgmOptions options, long[] inputWidths) {
        this(options, inputWidths, true);
    }

    /**
     * @param stackModalities false runs the learners, the decoder and the objectives once per modality (the reference
     *                        that tests compare the stacked computation of {@link #define} with)
     */
    PgmBlock(PgmOptions options, long[] inputWidths, boolean stackModalities) {
        if (inputWidths.length < 2) {
            throw new IllegalArgumentException("PgmBlock: PgM needs M >= 2 modalities, found M = " + inputWidths.length);
        }
        if (options.getWidth() <= 0) {
            throw new IllegalArgumentException("PgmBlock: the common width D must be set, found " + options.getWidth());
        }
        options.checkWidth(options.getWidth());
        this.options = options;
        this.stackModalities = stackModalities;
        this.inputWidths = inputWidths.clone();
        this.width = options.getWidth();
        // children in the order of the flat parameter vector that saved models hold
        this.projections = new LinearBlock[inputWidths.length];
        for (int m = 0; m < inputWidths.length; m++) {
            projections[m] = projected(m) ? addChild(new LinearBlock(PROJ_W + m, PROJ_B + m, inputWidths[m], width)) : null;
        }
        int nPart = options.isSharedPartitioner() ? 1 : inputWidths.length;
        for (int m = 0; m < nPart; m++) {
            partitioners.add(new ModalPartitionerBlock(PARTITIONER_PREFIX + (options.isSharedPartitioner() ? "" : m),
                    width, options.getPartitionerChunkSize()));
        }
        this.uniLearner = new MaskedLearnerBlock(UNI_PREFIX, width, options.learnerSpec());
        this.pairedLearner = new MaskedLearnerBlock(PAIRED_PREFIX, width, options.learnerSpec());
        long decFfn = options.getDecoderFfnSize() > 0 ? options.getDecoderFfnSize() : 4 * width;
        this.decoder = new UniPairedDecoderBlock(DECODER_PREFIX, width, options.getDecoderHeads(), decFfn,
                options.getMaskConstant());
        this.ufcClassifier = new LinearBlock(UFC_W, UFC_B, width, inputWidths.length);
        this.pfcClassifier = new LinearBlock(PFC_W, PFC_B, width, 2);
        // components an ablation switches off define no parameters
        if (options.isUsePartitioner()) {
            partitioners.forEach(this::addChild);
        }
        addChild(uniLearner);
        addChild(pairedLearner);
        if (options.isUseUpr()) {
            addChild(decoder);
        }
        if (options.isUseUfc()) {
            addChild(ufcClassifier);
        }
        if (options.isUsePfc()) {
            addChild(pfcClassifier);
        }
    }

    public int modalities() {
        return inputWidths.length;
    }

    public long width() {
        return width;
    }

    private boolean projected(int m) {
        return inputWidths[m] != width;
    }

    private ModalPartitionerBlock partitioner(int m) {
        return partitioners.get(options.isSharedPartitioner() ? 0 : m);
    }

    /** Parameter count per component: projections, partitioners, uni learner, paired learner, decoder, UFC, PFC. */
    public Map<String, Long> parameterCounts() {
        Map<String, Long> c = new LinkedHashMap<>();
        long proj = 0;
        for (LinearBlock projection : projections) {
            proj += projection == null ? 0 : projection.numParams();
        }
        c.put("projections", proj);
        c.put("partitioners", options.isUsePartitioner()
                ? partitioners.stream().mapToLong(ModalPartitionerBlock::numParams).sum() : 0L);
        c.put("uniLearner", uniLearner.numParams());
        c.put("pairedLearner", pairedLearner.numParams());
        c.put("decoder", options.isUseUpr() ? decoder.numParams() : 0L);
        c.put("ufcClassifier", options.isUseUfc() ? ufcClassifier.numParams() : 0L);
        c.put("pfcClassifier", options.isUsePfc() ? pfcClassifier.numParams() : 0L);
        return c;
    }

    /**
     * Defines the model.
     *
     * <p>After the projections, all modalities of equal sequence length S are stacked along the batch axis
     * ({@code [G B, S, D]} for a group of G modalities, modality-major) and stay stacked through every iteration:
     * the partitioners (their per-modality weights stacked into one batched product), the shared learners, the decoder
     * and the objectives each run once per iteration, not once per modality. The result is the same (every op acts
     * per example), but the graph has about M times fewer ops, and a SameDiff call in ND4J M2.1 costs roughly in
     * proportion to its op count, almost whatever the tensor sizes (docs/results.md, "Cost of a training step").
     * Modalities of different S form separate groups.
     *
     * @param inputs X_m, {@code [B, S_m, D_m]}
     * @param masks  step masks {@code [B, S_m]} (entries may be null: no padding)
     * @param seqs   S_m
     */
    public Outputs define(Map<String, SDVariable> p, List<SDVariable> inputs, List<SDVariable> masks, long[] seqs) {
        int mCount = modalities();
        Outputs out = new Outputs(mCount);
        SDVariable[] in = new SDVariable[mCount];
        SDVariable[] target = new SDVariable[mCount];
        for (int m = 0; m < mCount; m++) {
            in[m] = projected(m) ? projections[m].apply(p, inputs.get(m), seqs[m]) : inputs.get(m);
            target[m] = projected(m) && options.isUseUpr() && options.isDetachUprTarget()
                    ? SdOps.stopGradient(in[m]) : in[m];
        }
        SDVariable ufc = null;
        SDVariable pfc = null;
        SDVariable upr = null;
        SDVariable[] finalU = new SDVariable[mCount];
        SDVariable[] finalP = new SDVariable[mCount];
        // number of present modalities per example [B] (null: every modality present, no mask anywhere)
        SDVariable presentCount = null;
        boolean anyMask = masks.stream().anyMatch(java.util.Objects::nonNull);
        for (int[] g : groupsBySequenceLength(seqs, stackModalities)) {
            long seq = seqs[g[0]];
            SDVariable mask = stackMasks(masks, g, in, seq);
            // [G B]: 1 where the modality has a valid step for the example, 0 where it is missing
            SDVariable present = mask == null ? null : SdOps.present(mask, seq);
            if (anyMask) {
                SDVariable groupCount = present != null ? sumOverGroup(present, g.length)
                        : SdOps.stopGradient(batchVector(in[g[0]])).mul(0.0).add(g.length);
                presentCount = add(presentCount, groupCount);
            }
            SDVariable input = stack(in, g);
            SDVariable uprTarget = options.isUseUpr() ? stack(target, g) : null;
            // the group's partitioners differ only in their weights (stacked below); the first one's shape serves all
            ModalPartitionerBlock partitioner = partitioner(g[0]);
            ModalPartitionerBlock.Weights weights = options.isUsePartitioner() ? partitionerWeights(p, g) : null;
            // without partitioner both learners see every feature: one all-ones gate for all iterations
            SDVariable allFeatures = options.isUsePartitioner() ? null : input.mul(0.0).add(1.0);
            SDVariable u = input;
            SDVariable pr = input;
            SDVariable[] us = null;
            SDVariable[] ps = null;
            for (int i = 0; i < options.getIterations(); i++) {
                SDVariable nextU = u;
                SDVariable nextP = pr;
                SDVariable hardU = allFeatures;
                SDVariable hardP = allFeatures;
                if (options.isUsePartitioner()) {
                    ModalPartitionerBlock.Step step = partitioner.step(weights, input, u, pr, seq);
                    nextU = step.uni();
                    nextP = step.paired();
                    addPerModality(out.uniGates, g, unstack(step.uniGate(), g.length, seq));
                    addPerModality(out.pairedGates, g, unstack(step.pairedGate(), g.length, seq));
                    hardU = GateMasks.hard(step.uniGate(), options.getGateGradient());
                    hardP = GateMasks.hard(step.pairedGate(), options.getGateGradient());
                }
                SDVariable learnedU = uniLearner.apply(p, nextU, hardU, mask, seq);
                SDVariable learnedP = pairedLearner.apply(p, nextP, hardP, mask, seq);
                us = unstack(learnedU, g.length, seq);
                ps = unstack(learnedP, g.length, seq);
                addPerModality(out.uniIterates, g, us);
                addPerModality(out.pairedIterates, g, ps);
                SDVariable pooledU = options.isUseUfc() || options.isUsePfc()
                        ? SdOps.maskedMeanOverSteps(learnedU, mask, seq) : null;
                if (options.isUseUfc()) {
                    ufc = add(ufc, ufcLoss(p, pooledU, g, present));
                }
                if (options.isUsePfc()) {
                    pfc = add(pfc, pfcLoss(p, pooledU, SdOps.maskedMeanOverSteps(learnedP, mask, seq), g.length,
                            present));
                }
                if (options.isUseUpr()) {
                    SDVariable rec = decoder.apply(p, learnedU, learnedP, mask, seq);
                    addPerModality(out.reconstructions, g, unstack(rec, g.length, seq));
                    upr = add(upr, uprLoss(uprTarget, rec, mask, seq, g.length, present));
                }
                boolean learned = options.getCarry() == PgmOptions.Carry.LEARNED;
                u = learned ? learnedU : nextU;
                pr = learned ? learnedP : nextP;
            }
            for (int k = 0; k < g.length; k++) {
                finalU[g[k]] = us[k];
                finalP[g[k]] = ps[k];
            }
        }
        for (int m = 0; m < mCount; m++) {
            out.uni.add(finalU[m]);
            out.paired.add(finalP[m]);
            out.projected.add(in[m]);
        }
        if (presentCount != null) {
            // per-example means over the present modalities: UFC and PFC divide by M_present instead of M, UPR (a sum
            // over modalities) is M times the mean over the present ones; equal to the plain forms when all are present
            SDVariable denominator = SdOps.atLeastOne(presentCount);
            ufc = ufc == null ? null : ufc.div(denominator);
            pfc = pfc == null ? null : pfc.div(denominator.mul(2.0));
            upr = upr == null ? null : upr.mul(mCount).div(denominator);
        } else {
            ufc = ufc == null ? null : ufc.div(mCount);
            pfc = pfc == null ? null : pfc.div(2.0 * mCount);
        }
        SDVariable batchZeros = ufc != null && pfc != null && upr != null ? null
                : SdOps.maskedMeanOverSteps(out.uni.get(0), null, seqs[0]).sum(1).mul(0.0);
        out.ufc = ufc != null ? ufc : batchZeros;
        out.pfc = pfc != null ? pfc : batchZeros;
        out.upr = upr != null ? upr : batchZeros;
        return out;
    }

    /** The partitioner weights of a group: the shared partitioner's, or each member's own stacked (Eq. 1). */
    private ModalPartitionerBlock.Weights partitionerWeights(Map<String, SDVariable> p, int[] group) {
        if (options.isSharedPartitioner()) {
            return partitioners.get(0).weights(p);
        }
        List<ModalPartitionerBlock> members = new ArrayList<>();
        for (int m : group) {
            members.add(partitioner(m));
        }
        return ModalPartitionerBlock.stacked(members, p);
    }

    /** Appends {@code values[k]} to the list of modality {@code group[k]}. */
    private static void addPerModality(List<List<SDVariable>> perModality, int[] group, SDVariable[] values) {
        for (int k = 0; k < group.length; k++) {
            perModality.get(group[k]).add(values[k]);
        }
    }

    /**
     * UFC of one group (Eq. 8): the classifier {@code D -> M} on each modality's pooled ũ, against the modality's own
     * index, cross-entropy summed over the group's present modalities (divided by the number of present modalities
     * in {@link #define}).
     *
     * @param pooled  {@code [G B, D]}, modality-major
     * @param group   the modality indices of the G stacked modalities
     * @param present {@code [G B]} (1 = the modality has a valid step), or null: all present
     * @return {@code [B]}
     */
    private SDVariable ufcLoss(Map<String, SDVariable> p, SDVariable pooled, int[] group, SDVariable present) {
        int mCount = modalities();
        SDVariable logits = ufcClassifier.apply(p, pooled.reshape(-1, 1, width), 1).reshape(-1, mCount);
        return sumOverGroup(onlyPresent(SdOps.crossEntropyToClasses(logits, group, mCount), present, 1), group.length);
    }

    /**
     * PFC of one group (Eq. 9): the classifier {@code D -> 2} on the pooled ũ (class 0) and p̃ (class 1) of each
     * modality, cross-entropy summed over the group's present modalities (divided by twice the number of present
     * modalities in {@link #define}).
     *
     * @param pooledUni    {@code [G B, D]}
     * @param pooledPaired {@code [G B, D]}
     * @param present      {@code [G B]} or null
     * @return {@code [B]}
     */
    private SDVariable pfcLoss(Map<String, SDVariable> p, SDVariable pooledUni, SDVariable pooledPaired, int groupSize,
                               SDVariable present) {
        SameDiff sd = pooledUni.getSameDiff();
        SDVariable pooled = sd.concat(0, pooledUni, pooledPaired);                      // [2 G B, D]
        SDVariable logits = pfcClassifier.apply(p, pooled.reshape(-1, 1, width), 1).reshape(-1, 2);
        int[] classes = new int[2 * groupSize];
        java.util.Arrays.fill(classes, groupSize, classes.length, 1);
        return sumOverGroup(onlyPresent(SdOps.crossEntropyToClasses(logits, classes, 2), present, 2), classes.length);
    }

    /**
     * UPR of one group (Eq. 10): {@code ||I_m - Î_m||² / D} per step, averaged over the valid steps, summed over the
     * group's modalities (a missing modality has no valid step and adds 0).
     *
     * @param target  {@code [G B, S, D]} (I_m, stacked)
     * @param rec     {@code [G B, S, D]} (Î_m, stacked)
     * @param mask    {@code [G B, S]} or null
     * @param present {@code [G B]} or null
     * @return {@code [B]}
     */
    private SDVariable uprLoss(SDVariable target, SDVariable rec, SDVariable mask, long seq, int groupSize,
                               SDVariable present) {
        SDVariable diff = target.sub(rec);
        SDVariable perStep = diff.mul(diff).sum(true, 2).div(width).reshape(-1, seq, 1);
        return sumOverGroup(onlyPresent(SdOps.maskedMeanOverSteps(perStep, mask, seq).reshape(-1), present, 1),
                groupSize);
    }

    /**
     * Per-(modality, example) terms with those of missing modalities set to 0 (multiplied by {@code present}).
     *
     * @param terms   {@code [R G, B]} or {@code [R G B]} (R stacked repeats of the group, e.g. ũ and p̃ for PFC)
     * @param present {@code [G B]} or null (returns {@code terms})
     * @return {@code [R G B]}
     */
    private static SDVariable onlyPresent(SDVariable terms, SDVariable present, int repeats) {
        if (present == null) {
            return terms;
        }
        SDVariable flat = terms.reshape(-1);
        SDVariable weights = repeats == 1 ? present : present.getSameDiff().concat(0, present, present);
        return flat.mul(weights);
    }

    /** {@code [G, B]} or {@code [G B]} (modality-major) summed over the G stacked modalities: {@code [B]}. */
    private static SDVariable sumOverGroup(SDVariable x, int groupSize) {
        return groupSize == 1 ? x.reshape(-1) : x.reshape(groupSize, -1).sum(0);
    }

    /**
     * Modality indices grouped by equal S, each group in modality order, groups in order of first appearance; one
     * group per modality when {@code stack} is false.
     */
    static List<int[]> groupsBySequenceLength(long[] seqs, boolean stack) {
        Map<Long, List<Integer>> bySeq = new LinkedHashMap<>();
        for (int m = 0; m < seqs.length; m++) {
            bySeq.computeIfAbsent(stack ? seqs[m] : -1L - m, k -> new ArrayList<>()).add(m);
        }
        List<int[]> groups = new ArrayList<>();
        bySeq.values().forEach(l -> groups.add(l.stream().mapToInt(Integer::intValue).toArray()));
        return groups;
    }

    /** {@code [B, S, D]} of each modality in {@code group}, concatenated along the batch axis: {@code [G B, S, D]}. */
    private static SDVariable stack(SDVariable[] perModality, int[] group) {
        if (group.length == 1) {
            return perModality[group[0]];
        }
        SDVariable[] parts = new SDVariable[group.length];
        for (int k = 0; k < group.length; k++) {
            parts[k] = perModality[group[k]];
        }
        return parts[0].getSameDiff().concat(0, parts);
    }

    /** The inverse of {@link #stack}: {@code [G B, S, D]} to G tensors {@code [B, S, D]}. */
    private SDVariable[] unstack(SDVariable stacked, int groupSize, long seq) {
        if (groupSize == 1) {
            return new SDVariable[]{stacked};
        }
        return stacked.getSameDiff().unstack(stacked.reshape(groupSize, -1, seq, width), 0, groupSize);
    }

    /**
     * The step masks of a group stacked like the features ({@code [G B, S]}); null when no modality of the group has
     * one; an all-ones mask stands in for a missing one when others have one.
     */
    private static SDVariable stackMasks(List<SDVariable> masks, int[] group, SDVariable[] in, long seq) {
        boolean any = false;
        for (int m : group) {
            any |= masks.get(m) != null;
        }
        if (!any) {
            return null;
        }
        SDVariable[] filled = new SDVariable[masks.size()];
        for (int m : group) {
            filled[m] = masks.get(m) != null ? masks.get(m)
                    : SdOps.stopGradient(in[m].sum(2).reshape(-1, seq)).mul(0.0).add(1.0);
        }
        return stack(filled, group);
    }

    /** A {@code [B]} tensor of the batch of {@code x: [B, S, D]}. */
    private static SDVariable batchVector(SDVariable x) {
        return x.sum(2).sum(1);
    }

    private static SDVariable add(SDVariable acc, SDVariable x) {
        return acc == null ? x : acc.add(x);
    }

    /**
     * What {@link #define} returns: per modality the uni and paired features after N iterations
     * ({@code [B, S_m, D]}), the projected inputs I_m, the soft gates of every iteration (empty without partitioner),
     * and the per-example objectives {@code [B]}, each summed over iterations (zeros when switched off).
     */
    public static final class Outputs {
        public final List<SDVariable> uni = new ArrayList<>();
        public final List<SDVariable> paired = new ArrayList<>();
        public final List<SDVariable> projected = new ArrayList<>();
        public final List<List<SDVariable>> uniGates = new ArrayList<>();
        public final List<List<SDVariable>> pairedGates = new ArrayList<>();
        /** ũ_m(i) and p̃_m(i) of every iteration, and the decoder's Î_m(i) (empty without UPR). */
        public final List<List<SDVariable>> uniIterates = new ArrayList<>();
        public final List<List<SDVariable>> pairedIterates = new ArrayList<>();
        public final List<List<SDVariable>> reconstructions = new ArrayList<>();
        public SDVariable ufc;
        public SDVariable pfc;
        public SDVariable upr;

        Outputs(int modalities) {
            for (int m = 0; m < modalities; m++) {
                uniGates.add(new ArrayList<>());
                pairedGates.add(new ArrayList<>());
                uniIterates.add(new ArrayList<>());
                pairedIterates.add(new ArrayList<>());
                reconstructions.add(new ArrayList<>());
            }
        }
    }
}

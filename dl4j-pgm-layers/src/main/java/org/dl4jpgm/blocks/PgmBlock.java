package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * The objectives of every iteration, per example b and summed over the N iterations, are PgM's objective L_P (Eq. 11,
 * {@link PgmObjective}): UFC (Eq. 8, {@link UfcObjective}), PFC (Eq. 9, {@link PfcObjective}) and UPR (Eq. 10,
 * {@link UprObjective}). UPR's target I_m is held constant in the backward pass
 * ({@link PgmOptions#isDetachUprTarget()}), so that a learned projection cannot shrink it to cheat the loss.
 *
 * <p><b>Missing modalities.</b> A modality whose step mask has no valid step for example b (a row of zeros; a vector
 * modality's mask {@code [B, 1]} with 0) is missing for b: its u_m, p_m and pooled features for b are exactly 0, and
 * it adds nothing to b's objectives, which {@link PgmObjective} normalises by the present modalities. Every output and
 * gradient stays finite (docs/design.md, "Missing modalities and degenerate inputs").
 */
public final class PgmBlock extends CompositeBlock {

    public static final String PROJ_W = "projW";
    public static final String PROJ_B = "projB";
    public static final String UFC_W = UfcObjective.WEIGHT;
    public static final String UFC_B = UfcObjective.BIAS;
    public static final String PFC_W = PfcObjective.WEIGHT;
    public static final String PFC_B = PfcObjective.BIAS;
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
    private final PgmObjective objective;
    private final boolean stackModalities;

    /**
     * @param options     hyperparameters; a width of 0 is resolved from the inputs ({@link PgmOptions#resolveWidth})
     * @param inputWidths D_m of each modality, M >= 2
     */
    public PgmBlock(PgmOptions options, long[] inputWidths) {
        this(options, inputWidths, true);
    }

    /**
     * @param stackModalities false runs the learners, the decoder and the objectives once per modality (the reference
     *                        that tests compare the stacked computation of {@link #define} with)
     */
    PgmBlock(PgmOptions configured, long[] inputWidths, boolean stackModalities) {
        if (inputWidths.length < 2) {
            throw new IllegalArgumentException("PgmBlock: PgM needs M >= 2 modalities, found M = " + inputWidths.length);
        }
        this.options = configured.resolveWidth(inputWidths);
        this.stackModalities = stackModalities;
        this.inputWidths = inputWidths.clone();
        this.width = options.getWidth();
        // children in the order of the flat parameter vector that saved models hold
        this.projections = new LinearBlock[inputWidths.length];
        for (int m = 0; m < inputWidths.length; m++) {
            projections[m] = projected(m)
                    ? addChild(new LinearBlock(PROJ_W + m, PROJ_B + m, inputWidths[m], width)) : null;
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
        // components an ablation switches off define no parameters
        if (options.isUsePartitioner()) {
            partitioners.forEach(this::addChild);
        }
        addChild(uniLearner);
        addChild(pairedLearner);
        if (options.isUseUpr()) {
            addChild(decoder);
        }
        this.objective = addChild(new PgmObjective(options, width, inputWidths.length));
    }

    private int modalities() {
        return inputWidths.length;
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
        c.put("ufcClassifier", objective.ufc() == null ? 0L : objective.ufc().numParams());
        c.put("pfcClassifier", objective.pfc() == null ? 0L : objective.pfc().numParams());
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
        PgmObjective.Sum objectives = objective.start();
        SDVariable[] finalU = new SDVariable[mCount];
        SDVariable[] finalP = new SDVariable[mCount];
        SDVariable[] finalPooledU = new SDVariable[mCount];
        SDVariable[] finalPooledP = new SDVariable[mCount];
        boolean anyMask = masks.stream().anyMatch(Objects::nonNull);
        for (int[] g : ModalityGroups.bySequenceLength(seqs, stackModalities)) {
            long seq = seqs[g[0]];
            SDVariable mask = ModalityGroups.stackMasks(masks, g, in, seq);
            // [G B]: 1 where the modality has a valid step for the example, 0 where it is missing
            SDVariable present = mask == null ? null : SdOps.present(mask, seq);
            if (anyMask) {
                objectives.countPresent(present, g.length, in[g[0]]);
            }
            SDVariable input = ModalityGroups.stack(in, g);
            SDVariable uprTarget = options.isUseUpr() ? ModalityGroups.stack(target, g) : null;
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
                    if (objective.penalisesPairedShare()) {
                        objectives.addPairedShare(step.pairedGate(), mask, seq, g.length, present);
                    }
                    if (objective.penalisesGateExclusivity()) {
                        objectives.addGateExclusivity(step.uniGate(), step.pairedGate(), mask, seq, g.length,
                                present);
                    }
                    hardU = GateMasks.hard(step.uniGate(), options.getGateGradient());
                    hardP = GateMasks.hard(step.pairedGate(), options.getGateGradient());
                }
                SDVariable learnedU = uniLearner.apply(p, nextU, hardU, mask, seq);
                SDVariable learnedP = pairedLearner.apply(p, nextP, hardP, mask, seq);
                us = unstack(learnedU, g.length, seq);
                ps = unstack(learnedP, g.length, seq);
                addPerModality(out.uniIterates, g, us);
                addPerModality(out.pairedIterates, g, ps);
                boolean last = i == options.getIterations() - 1;
                if (last || objectives.classifies()) {
                    SDVariable pooledU = SdOps.maskedMeanOverSteps(learnedU, mask, seq);
                    SDVariable pooledP = SdOps.maskedMeanOverSteps(learnedP, mask, seq);
                    objectives.addClassifications(p, g, pooledU, pooledP, present);
                    if (last) {
                        SDVariable[] pu = ModalityGroups.unstackRows(pooledU, g.length, width);
                        SDVariable[] pp = ModalityGroups.unstackRows(pooledP, g.length, width);
                        for (int k = 0; k < g.length; k++) {
                            finalPooledU[g[k]] = pu[k];
                            finalPooledP[g[k]] = pp[k];
                        }
                    }
                }
                if (objective.usesReconstructions()) {
                    SDVariable rec = decoder.apply(p, learnedU, learnedP, mask, seq);
                    addPerModality(out.reconstructions, g, unstack(rec, g.length, seq));
                    objectives.addReconstruction(uprTarget, rec, mask, seq, g.length, present);
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
            out.pooledUni.add(finalPooledU[m]);
            out.pooledPaired.add(finalPooledP[m]);
        }
        PgmObjective.Terms terms = objectives.terms(
                () -> SdOps.maskedMeanOverSteps(out.uni.get(0), null, seqs[0]).sum(1).mul(0.0));
        out.ufc = terms.ufc();
        out.pfc = terms.pfc();
        out.upr = terms.upr();
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

    /** {@link ModalityGroups#unstack} at this block's width. */
    private SDVariable[] unstack(SDVariable stacked, int groupSize, long seq) {
        return ModalityGroups.unstack(stacked, groupSize, seq, width);
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
        /**
         * The masked means over steps of u_m and p_m {@code [B, D]} (0 where the modality is missing), taken from the
         * stacked means the objectives use, not computed again per modality.
         */
        public final List<SDVariable> pooledUni = new ArrayList<>();
        public final List<SDVariable> pooledPaired = new ArrayList<>();
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

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Uni-modal feature classification, Eq. 8: one classifier {@code D -> M}, shared by the M modalities, tells from the
 * pooled uni feature which modality it came from; the target is the modality's own index, made here (the user
 * supplies no label). Per example b:
 * <pre>
 *   L_UFC(b) = (1 / M) Σ_m CE(softmax(ū_m(b) W_ufc + b_ufc), m)      ū_m = masked mean over steps of ũ_m  [B, D]
 * </pre>
 * With modalities missing for b (no valid step), the sum runs over the M_b present ones and divides by M_b.
 * Parameters {@code W_ufc: [D, M]}, {@code b_ufc: [1, M]} ({@value #WEIGHT}, {@value #BIAS}).
 */
public final class UfcObjective implements SdBlock {

    public static final String WEIGHT = "ufcW";
    public static final String BIAS = "ufcB";

    private final LinearBlock classifier;
    private final int modalities;

    /**
     * @param width      D
     * @param modalities M
     */
    public UfcObjective(long width, int modalities) {
        this.classifier = new LinearBlock(WEIGHT, BIAS, width, modalities);
        this.modalities = modalities;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        classifier.defineParameters(params);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        classifier.initializeParameters(params, weightInit);
    }

    /**
     * The cross-entropies of one group of stacked modalities, summed over its present modalities (before the mean
     * over modalities, {@link #mean}).
     *
     * @param pooled  ū {@code [G B, D]}, modality-major
     * @param group   the modality indices m of the G stacked modalities (the targets)
     * @param present {@code [G B]} (1 = the modality has a valid step), or null: all present
     * @return {@code [B]}
     */
    public SDVariable groupSum(Map<String, SDVariable> p, SDVariable pooled, int[] group, SDVariable present) {
        SDVariable logits = classifier.applyToRows(p, pooled);
        return ModalityGroups.sumOverGroup(ModalityGroups.onlyPresent(
                SdOps.crossEntropyToClasses(logits, group, modalities), present, 1), group.length);
    }

    /**
     * The mean over modalities of Eq. 8.
     *
     * @param sum     the {@link #groupSum}s of every group {@code [B]}
     * @param present M_b, the present modalities per example ({@code [B]}, at least 1), or null: all M present
     * @return {@code [B]}
     */
    public SDVariable mean(SDVariable sum, SDVariable present) {
        return present == null ? sum.div(modalities) : sum.div(present);
    }
}

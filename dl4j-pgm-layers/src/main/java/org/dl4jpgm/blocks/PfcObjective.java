package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/**
 * Paired-modal feature classification, Eq. 9: one binary classifier {@code D -> 2} tells the pooled uni features
 * (class 0) from the pooled paired features (class 1) of every modality. Per example b:
 * <pre>
 *   L_PFC(b) = (1 / 2M) Σ_m [ CE(softmax(ū_m(b) W_pfc + b_pfc), 0) + CE(softmax(p̄_m(b) W_pfc + b_pfc), 1) ]
 * </pre>
 * with ū_m, p̄_m the masked means over steps of ũ_m, p̃_m {@code [B, D]}. With modalities missing for b, the sum
 * runs over the M_b present ones and divides by 2 M_b. Parameters {@code W_pfc: [D, 2]}, {@code b_pfc: [1, 2]}
 * ({@value #WEIGHT}, {@value #BIAS}).
 */
public final class PfcObjective implements SdBlock {

    public static final String WEIGHT = "pfcW";
    public static final String BIAS = "pfcB";

    private final LinearBlock classifier;
    private final int modalities;

    /**
     * @param width      D
     * @param modalities M
     */
    public PfcObjective(long width, int modalities) {
        this.classifier = new LinearBlock(WEIGHT, BIAS, width, 2);
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
     * The cross-entropies of one group of G stacked modalities, summed over its present modalities (before the mean,
     * {@link #mean}).
     *
     * @param pooledUni    ū {@code [G B, D]}, modality-major
     * @param pooledPaired p̄ {@code [G B, D]}
     * @param present      {@code [G B]} or null: all present
     * @return {@code [B]}
     */
    public SDVariable groupSum(Map<String, SDVariable> p, SDVariable pooledUni, SDVariable pooledPaired, int groupSize,
                               SDVariable present) {
        SDVariable pooled = pooledUni.getSameDiff().concat(0, pooledUni, pooledPaired);      // [2 G B, D]
        SDVariable logits = classifier.applyToRows(p, pooled);
        int[] classes = new int[2 * groupSize];
        Arrays.fill(classes, groupSize, classes.length, 1);
        return ModalityGroups.sumOverGroup(ModalityGroups.onlyPresent(
                SdOps.crossEntropyToClasses(logits, classes, 2), present, 2), classes.length);
    }

    /**
     * The mean over the 2M inputs of Eq. 9.
     *
     * @param sum     the {@link #groupSum}s of every group {@code [B]}
     * @param present M_b ({@code [B]}, at least 1), or null: all M present
     * @return {@code [B]}
     */
    public SDVariable mean(SDVariable sum, SDVariable present) {
        return present == null ? sum.div(2.0 * modalities) : sum.div(present.mul(2.0));
    }
}

package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The labels of a host's auxiliary outputs, batch by batch ({@link IndexedBatches.Labeller}):
 * <ul>
 *   <li>Self-MM, regression target: each uni-modal task's labels from {@link Ulgm}, its per-example weights
 *   {@code tanh |y_s − y_m|} (times {@link HostOptions#uniTaskWeight()}) as label masks. ULGM reads the batch's fused
 *   and uni-modal features from a forward pass in inference mode before the training step (Self-MM reads those of
 *   the training step's own forward pass: the same parameters, without dropout here);</li>
 *   <li>Self-MM, classification target: ULGM is defined for signed sentiment scores, so each uni-modal task learns
 *   the multimodal class (Self-MM's "M" ablation labels), weighted by {@link HostOptions#uniTaskWeight()};</li>
 *   <li>MMIM: any array for each CPC output (the loss reads none);</li>
 *   <li>MulT: no auxiliary output.</li>
 * </ul>
 * A monitor that measures the losses on the training split after each epoch reads the training labeller's
 * {@link Labellers#readOnly() read-only view}: for Self-MM on a regression target, the labels and weights of the one
 * ULGM that training moves, with neither a forward pass nor an update of its own.
 */
final class HostLabels {

    private HostLabels() {
    }

    /**
     * The labeller of training batches and its read-only view, for a monitor of the training split (both null for
     * MulT; the same labeller where labelling changes no state).
     */
    record Labellers(IndexedBatches.Labeller training, IndexedBatches.Labeller readOnly) {
    }

    /**
     * The labellers of {@code host}.
     *
     * @param trainTargets the multimodal targets of the training split's N examples (Self-MM's ULGM)
     */
    static Labellers of(HostGraph host, TargetSpec target, double[] trainTargets, HostOptions options) {
        if (host.model() == HostModel.SELF_MM && target.getTask() == TaskType.REGRESSION) {
            Ulgm ulgm = new Ulgm(trainTargets, host.inputs().size(), options.ulgmBound(), options.ulgmExcludeZero());
            return new Labellers(ulgm(host, ulgm, options.uniTaskWeight(), true),
                    ulgm(host, ulgm, options.uniTaskWeight(), false));
        }
        IndexedBatches.Labeller stateless = stateless(host, options);
        return new Labellers(stateless, stateless);
    }

    private static IndexedBatches.Labeller stateless(HostGraph host, HostOptions options) {
        return switch (host.model()) {
            case MULT -> null;
            case MMIM -> {
                Map<String, InputType> types = host.graph().getConfiguration().clone()
                        .getLayerActivationTypes(host.inputs().types());
                long[] widths = host.auxiliaryOutputs().stream()
                        .mapToLong(o -> types.get(o + MmimHost.PAIR).arrayElementsPerExample()).toArray();
                yield (batch, rows, epoch) -> {
                    INDArray[] labels = new INDArray[1 + widths.length];
                    labels[0] = batch.getLabels(0);
                    for (int i = 1; i < labels.length; i++) {
                        labels[i] = Nd4j.zeros(labels[0].dataType(), rows.length, widths[i - 1]);
                    }
                    return new org.nd4j.linalg.dataset.MultiDataSet(batch.getFeatures(), labels,
                            batch.getFeaturesMaskArrays(), null);
                };
            }
            case SELF_MM -> (batch, rows, epoch) -> copies(batch, host.inputs().size(), options.uniTaskWeight());
        };
    }

    private static MultiDataSet copies(MultiDataSet batch, int modalities, double weight) {
        INDArray[] labels = new INDArray[modalities + 1];
        INDArray[] masks = weight == 1.0 ? null : new INDArray[modalities + 1];
        for (int k = 0; k <= modalities; k++) {
            labels[k] = batch.getLabels(0);
            if (masks != null && k > 0) {
                masks[k] = Nd4j.valueArrayOf(new long[]{labels[0].size(0), 1}, weight, labels[0].dataType());
            }
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(batch.getFeatures(), labels, batch.getFeaturesMaskArrays(),
                masks);
    }

    /**
     * Labels from {@code ulgm}; with {@code updating}, then a forward pass and {@link Ulgm#update} (training batches),
     * else nothing more (a monitor's view of the labels training uses).
     */
    private static IndexedBatches.Labeller ulgm(HostGraph host, Ulgm ulgm, double weight, boolean updating) {
        int modalities = host.inputs().size();
        return (batch, rows, epoch) -> {
            INDArray[] labels = new INDArray[modalities + 1];
            INDArray[] masks = new INDArray[modalities + 1];
            labels[0] = batch.getLabels(0);
            for (int s = 0; s < modalities; s++) {
                labels[s + 1] = ulgm.labels(s, rows).castTo(labels[0].dataType());
                masks[s + 1] = ulgm.weights(s, rows).mul(weight).castTo(labels[0].dataType());
            }
            if (updating) {
                Map<String, INDArray> acts = features(host.graph(), batch);
                INDArray[] uni = new INDArray[modalities];
                for (int s = 0; s < modalities; s++) {
                    uni[s] = acts.get(SelfMmHost.UNI + host.inputs().names().get(s));
                }
                ulgm.update(rows, acts.get(host.fused().output()), uni, epoch + 1);
            }
            return new org.nd4j.linalg.dataset.MultiDataSet(batch.getFeatures(), labels, batch.getFeaturesMaskArrays(),
                    masks);
        };
    }

    /** Every vertex's activations on a batch, inference mode, step masks applied. */
    private static Map<String, INDArray> features(ComputationGraph g, MultiDataSet batch) {
        g.setLayerMaskArrays(batch.getFeaturesMaskArrays(), null);
        try {
            return g.feedForward(batch.getFeatures(), false, false);
        } finally {
            g.clearLayerMaskArrays();
        }
    }
}

package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.dl4jpgm.impl.CorrectedSameDiffLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

/**
 * The runtime of a {@link PgmLayer}: the corrected SameDiff layer runtime, whose backward pass also carries PgM's
 * objective. Eq. 12 trains on {@code α L_P + β L_T} with {@code L_P} the batch mean of the per-example
 * {@code UFC + PFC + UPR} (Eq. 11), which the layer computes in its objective channels. DL4J builds the gradient of
 * the graph from its output layers only, so the layer adds {@code α} to the error of each objective channel of each
 * example ({@code α / S} at each step when the objectives are repeated along S): the backward pass then yields
 * {@code α ∇L_P} on top of the task's gradient, for the layer's parameters and, through its input error, for every
 * encoder before it. (DL4J's backward pass carries the gradient of the batch <em>sum</em> of the losses, which its
 * updater divides by B; the output layers' errors are per example, not divided by B, and so is this one.) No output
 * layer and no label array is needed for {@code L_P}; the graph keeps the outputs of the graph it replaced. α is read
 * from the configuration at every backward pass ({@link PgmLayer#getAlpha()}), so {@link org.dl4jpgm.fusion.PgmGraph#setLossWeights}
 * switches stages on a built graph.
 */
public class PgmLayerRuntime extends CorrectedSameDiffLayer {

    public PgmLayerRuntime(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** α (null where it is 0: nothing is added). */
    @Override
    protected Object externalErrorKey() {
        double alpha = ((PgmLayer) layerConf()).getAlpha();
        return alpha == 0 ? null : alpha;
    }

    /** {@code α / S} added to the error of each objective channel of each example (and step). */
    @Override
    protected List<Runnable> externalErrorSteps(INDArray error) {
        double alpha = ((PgmLayer) layerConf()).getAlpha();
        long channels = error.size(1);
        INDArray objectives = error.get(NDArrayIndex.all(),
                NDArrayIndex.interval(channels - PgmLayer.OBJECTIVES, channels));
        long steps = error.rank() == 3 ? error.size(2) : 1;
        return List.of(addInPlace(objectives, alpha / steps));
    }
}

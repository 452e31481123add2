package org.dl4jpgm.conf;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dl4jpgm.impl.BoundBatchNormalizationRuntime;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Collection;
import java.util.Map;

/**
 * DL4J's {@link BatchNormalization} (the same settings, parameters, JSON fields and results) whose runtime keeps its
 * arrays between steps and runs DL4J's ops on them as calls bound once ({@link BoundBatchNormalizationRuntime}):
 * the same outputs and gradients bit for bit, at a fraction of the cost for features {@code [B, F]}. PgM's head
 * standardises its features with it ({@link org.dl4jpgm.fusion.FusionSpec#isHeadInputNormalized()}); a saved model
 * whose configuration names DL4J's own class loads and trains with DL4J's runtime, with the same results.
 */
public class BoundBatchNormalization extends BatchNormalization {

    /** DL4J's defaults (its builder's: decay 0.9, eps 1e-5, log10 of the standard deviation kept). */
    public BoundBatchNormalization() {
        super();
    }

    /** With the defaults and {@code updater} for its parameters (null: the network's). */
    public static BoundBatchNormalization withUpdater(IUpdater updater) {
        BoundBatchNormalization n = new BoundBatchNormalization();
        n.setIUpdater(updater);
        return n;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        LayerValidation.assertNOutSet("BoundBatchNormalization", getLayerName(), layerIndex, getNOut());
        BoundBatchNormalizationRuntime ret = new BoundBatchNormalizationRuntime(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ParamInitializer initializer = initializer();
        Map<String, INDArray> paramTable = initializer.init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public BoundBatchNormalization clone() {
        return (BoundBatchNormalization) super.clone();
    }

    /** Equal to another of this class with equal settings (not to DL4J's own, whose runtime differs). */
    @Override
    public boolean equals(Object o) {
        return o instanceof BoundBatchNormalization && super.equals(o);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof BoundBatchNormalization;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + "BoundBatchNormalization".hashCode();
    }
}

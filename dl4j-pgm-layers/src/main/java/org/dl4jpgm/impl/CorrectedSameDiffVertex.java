package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of this project's SameDiff vertex configurations: they run on {@link CorrectedSameDiffGraphVertex} (the stock
 * M2.1 runtime with its corrections), and {@link #copyBaseTo} copies what DL4J's base class holds (name, updaters)
 * into a clone. Holds no configuration of its own (nothing for JSON).
 */
public abstract class CorrectedSameDiffVertex extends SameDiffVertex {

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        setName(name);
        return new CorrectedSameDiffGraphVertex(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    /** Copies the name and (cloned) updaters of this vertex into {@code copy}; returns it. */
    protected <T extends CorrectedSameDiffVertex> T copyBaseTo(T copy) {
        copy.setName(getName());
        copy.setUpdater(getUpdater() == null ? null : getUpdater().clone());
        copy.setBiasUpdater(getBiasUpdater() == null ? null : getBiasUpdater().clone());
        return copy;
    }
}

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A block made of child blocks (as DJL's {@code addChildBlock}): a child registered once with {@link #addChild} is
 * defined, initialised and counted with its parent, in registration order, after the parent's own parameters
 * ({@link #defineOwnParameters}, {@link #initializeOwnParameters}). A child that a configuration switches off is
 * simply not registered.
 */
public abstract class CompositeBlock implements SdBlock {

    private final List<SdBlock> children = new ArrayList<>();

    /** Registers {@code child}; returns it, for a field initialiser. */
    protected final <T extends SdBlock> T addChild(T child) {
        children.add(child);
        return child;
    }

    /** The registered children, in registration order. */
    protected final List<SdBlock> children() {
        return Collections.unmodifiableList(children);
    }

    /** The parameters of this block that belong to no child (none by default); declared before the children's. */
    protected void defineOwnParameters(SDLayerParams params) {
    }

    /** Initialises the parameters of {@link #defineOwnParameters}; called before the children's initialisation. */
    protected void initializeOwnParameters(Map<String, INDArray> params, IWeightInit weightInit) {
    }

    @Override
    public final void defineParameters(SDLayerParams params) {
        defineOwnParameters(params);
        for (SdBlock c : children) {
            c.defineParameters(params);
        }
    }

    @Override
    public final void initializeParameters(Map<String, INDArray> params, IWeightInit weightInit) {
        initializeOwnParameters(params, weightInit);
        for (SdBlock c : children) {
            c.initializeParameters(params, weightInit);
        }
    }
}

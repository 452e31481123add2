package org.dl4jpgm.spark;

import org.deeplearning4j.core.loader.impl.SerializedMultiDataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;

/**
 * Loads a {@code MultiDataSet.save} file as dl4j-spark's default loader does, with its absent masks absent.
 *
 * <p>ND4J 1.0.0-M2.1 writes an absent mask (an input or output without one) as a placeholder array {@code [-1]} and,
 * when reading, recognises it only by comparing with a thread-local copy that only {@code save} creates: a thread that
 * has not saved a {@code MultiDataSet} itself (a Spark task reading files another thread or machine wrote) gets the
 * placeholder back as a mask of shape [1], which a graph with masks rejects (PgM's
 * {@code ModalityPackVertex}: "the mask of input 0 has shape [1]"). This loader turns such placeholders back into
 * null.
 */
public final class MaskSafeMultiDataSetLoader extends SerializedMultiDataSetLoader {

    private static final long serialVersionUID = 1L;

    @Override
    public MultiDataSet load(Source source) throws IOException {
        MultiDataSet m = super.load(source);
        m.setFeaturesMaskArrays(clean(m.getFeaturesMaskArrays()));
        m.setLabelsMaskArray(clean(m.getLabelsMaskArrays()));
        return m;
    }

    /** The masks with every placeholder ({@code [-1]}, rank 1) replaced by null; null when none is left. */
    static INDArray[] clean(INDArray[] masks) {
        if (masks == null) {
            return null;
        }
        boolean any = false;
        for (int i = 0; i < masks.length; i++) {
            if (isPlaceholder(masks[i])) {
                masks[i] = null;
            }
            any |= masks[i] != null;
        }
        return any ? masks : null;
    }

    private static boolean isPlaceholder(INDArray a) {
        return a != null && a.rank() == 1 && a.length() == 1 && a.getDouble(0) == -1.0;
    }
}

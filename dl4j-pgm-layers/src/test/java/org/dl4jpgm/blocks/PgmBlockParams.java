package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/** Test parameters for a {@link PgmBlock}: its own initialisation, with random (non-zero) biases. */
final class PgmBlockParams {

    private PgmBlockParams() {
    }

    /** Every parameter array of {@code block} in double precision; biases drawn from N(0, 0.3²) after a seed. */
    static Map<String, INDArray> randomized(PgmBlock block, long seed) {
        Nd4j.getRandom().setSeed(seed);
        SDLayerParams lp = new SDLayerParams();
        block.defineParameters(lp);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        lp.getParamShapes().forEach((k, shape) -> arrays.put(k, Nd4j.create(DataType.DOUBLE, shape)));
        block.initializeParameters(arrays);
        for (String k : lp.getBiasParameterKeys()) {
            arrays.get(k).assign(Nd4j.randn(DataType.DOUBLE, arrays.get(k).shape()).mul(0.3));
        }
        return arrays;
    }
}

package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MatmulFlopsTest {

    @Test
    void productFlopsIsTwoMNKForPlainTransposedAndBatchedProducts() {
        assertEquals(2.0 * 2 * 4 * 3, MatmulFlops.productFlops(Nd4j.zeros(2, 3), Nd4j.zeros(3, 4), Nd4j.zeros(2, 4)));
        // A given transposed ([k, m]): the count does not depend on the layout
        assertEquals(2.0 * 2 * 4 * 3, MatmulFlops.productFlops(Nd4j.zeros(3, 2), Nd4j.zeros(3, 4), Nd4j.zeros(2, 4)));
        assertEquals(5 * 2.0 * 2 * 4 * 3,
                MatmulFlops.productFlops(Nd4j.zeros(5, 2, 3), Nd4j.zeros(5, 3, 4), Nd4j.zeros(5, 2, 4)));
    }

    @Test
    void listenerCountsTheProductsOfAGraphForwardAndBackward() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 4));
        SDVariable v = sd.var("v", Nd4j.rand(DataType.DOUBLE, 4, 2));
        x.mmul(w).mul(2.0).mmul(v).sum().markAsLoss();
        MatmulFlops counter = new MatmulFlops();
        sd.setListeners(counter);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> feed = Map.of("x", Nd4j.rand(DataType.DOUBLE, 5, 3));
        sd.output(feed, sd.getLossVariables().get(0));
        assertEquals(0.0, counter.flops(), "a forward pass alone (a training step's first, in SameDiff's session) is "
                + "not counted: the op plans compute it once, with the gradient");
        double forward = 2.0 * 5 * 4 * 3 + 2.0 * 5 * 2 * 4;
        org.dl4jpgm.impl.QuietGradFunction.ensure(sd, "x");
        sd.calculateGradients(feed, "w", "v");
        assertEquals(forward + 2 * forward, counter.flops(), 1e-9, "the gradient's forward pass, then both input "
                + "gradients of each product");
    }
}

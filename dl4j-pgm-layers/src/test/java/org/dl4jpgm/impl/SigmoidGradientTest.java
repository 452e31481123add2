package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link SigmoidGradient} against libnd4j's {@code sigmoid_bp} (bit for bit) and the derivative written out. */
class SigmoidGradientTest {

    private static INDArray libnd4j(INDArray x, INDArray eps) {
        INDArray out = eps.ulike();
        Nd4j.exec(DynamicCustomOp.builder("sigmoid_bp").addInputs(x, eps).addOutputs(out).build());
        return out;
    }

    @Test
    void equalsLibnd4jsSigmoidBpBitForBit() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            for (long[] shape : List.of(new long[]{384, 64}, new long[]{3, 5, 7}, new long[]{1, 1}, new long[]{11})) {
                Nd4j.getRandom().setSeed(3);
                INDArray x = Nd4j.randn(type, shape).muli(6);   // into both tails, where s (1 - s) is tiny
                INDArray eps = Nd4j.randn(type, shape);
                INDArray s = Transforms.sigmoid(x, true);
                INDArray out = eps.ulike();
                SigmoidGradient g = SigmoidGradient.of(s, eps, out);
                assertNotNull(g);
                g.run(s, eps, out);
                String what = type + " " + java.util.Arrays.toString(shape);
                assertBitIdentical(libnd4j(x, eps), out, what);

                x.assign(Nd4j.randn(type, shape));                // new values in place: the bound ops read them
                s.assign(Transforms.sigmoid(x, true));
                g.run(s, eps, out);
                assertBitIdentical(libnd4j(x, eps), out, what + ", new values in place");

                INDArray eps2 = Nd4j.randn(type, shape);          // other arrays: bound again
                INDArray out2 = eps.ulike();
                INDArray before = out.dup();
                g.run(s, eps2, out2);
                assertBitIdentical(libnd4j(x, eps2), out2, what + ", other arrays");
                assertBitIdentical(before, out, what + ", the earlier output is not written again");
            }
        }
    }

    @Test
    void isTheDerivativeWrittenOut() {
        INDArray x = Nd4j.createFromArray(-3.0, -0.5, 0.0, 0.25, 4.0);
        INDArray eps = Nd4j.createFromArray(1.0, 2.0, -1.0, 0.5, 3.0);
        INDArray out = eps.ulike();
        INDArray s = Transforms.sigmoid(x, true);
        SigmoidGradient.of(s, eps, out).run(s, eps, out);
        for (int i = 0; i < 5; i++) {
            double si = 1 / (1 + Math.exp(-x.getDouble(i)));
            assertEquals(eps.getDouble(i) * si * (1 - si), out.getDouble(i), 1e-15);
        }
    }

    @Test
    void leavesOtherShapesOrTypesToLibnd4j() {
        INDArray s = Nd4j.rand(DataType.FLOAT, 3, 2);
        assertNull(SigmoidGradient.of(s, Nd4j.rand(DataType.FLOAT, 1, 2), s.ulike()), "a broadcast error");
        assertNull(SigmoidGradient.of(s, Nd4j.rand(DataType.DOUBLE, 3, 2), s.ulike()), "another type");
        assertNull(SigmoidGradient.of(null, s, s.ulike()), "no forward output");
    }
}

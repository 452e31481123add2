package org.dl4jpgm.blocks;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.PreciseGELU;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ND4J 1.0.0-M2.1 ops that would each save ops in the blocks but do not compute what the blocks compute, measured
 * (docs/design.md, "Encoder blocks"): if a DL4J version fixes one, its test here fails and the op can be tried again.
 */
class NativeOpsKeptOutTest {

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** The output and the gradient of {@code sum(y * R)} at x, for a fixed random R. */
    private static INDArray[] valueAndGradient(INDArray x, Function<SDVariable, SDVariable> f, INDArray r) {
        SameDiff sd = SameDiff.create();
        SDVariable v = sd.var("x", x.dup());
        SDVariable y = f.apply(v);
        y.mul(sd.constant(r)).sum().markAsLoss();
        return new INDArray[]{y.eval().dup(), sd.calculateGradients(null, List.of("x")).get("x")};
    }

    @Test
    void preciseGeluIsNotTheTanhForm() {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 8).mul(3);
        INDArray r = Nd4j.randn(DataType.DOUBLE, 4, 8);
        INDArray ours = valueAndGradient(x, SdOps::gelu, r)[0];
        INDArray nativeGelu = valueAndGradient(x, v -> new PreciseGELU(v.getSameDiff(), v).outputVariable(), r)[0];
        assertTrue(ours.sub(nativeGelu).amaxNumber().doubleValue() > 1e-3, "PreciseGELU now matches the tanh form");
    }

    @Test
    void varianceHasAWrongGradient() {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 3, 8);
        INDArray r = Nd4j.randn(DataType.DOUBLE, 5, 3, 1);
        INDArray[] nativeVar = valueAndGradient(x, v -> v.getSameDiff().variance(v, false, true, 2), r);
        INDArray[] elementary = valueAndGradient(x, v -> {
            SDVariable c = v.sub(v.mean(true, 2));
            return c.mul(c).mean(true, 2);
        }, r);
        assertTrue(nativeVar[0].sub(elementary[0]).amaxNumber().doubleValue() < 1e-12, "the values agree");
        assertTrue(nativeVar[1].sub(elementary[1]).amaxNumber().doubleValue() > 1e-3, "variance's gradient is now right");
    }

    @Test
    void tensorMmulOverTheLastAxisFailsInBackprop() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 2, 5);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 5, 6);
        INDArray r = Nd4j.randn(DataType.DOUBLE, 4, 2, 6);
        assertThrows(RuntimeException.class, () -> valueAndGradient(x,
                v -> v.getSameDiff().tensorMmul(v, v.getSameDiff().constant(w), new int[]{2}, new int[]{0}), r));
    }
}

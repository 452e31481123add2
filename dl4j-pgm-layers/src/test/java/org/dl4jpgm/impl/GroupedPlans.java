package org.dl4jpgm.impl;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongFunction;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The check that {@link LayerNormFusionTest} and {@link GeluFusionTest} make of a graph's plans. */
final class GroupedPlans {

    private GroupedPlans() {
    }

    /**
     * {@code loss = sum(y * target)} with {@code y = body(sd, x * w)}: x a placeholder of {@code shape} (any number of
     * rows), w a parameter {@code [1, E]} in [0.5, 1.5), target a constant; seeded by the shape.
     */
    static SameDiff graph(DataType type, long[] shape, BiFunction<SameDiff, SDVariable, SDVariable> body) {
        return graph(type, shape, shape[shape.length - 1], body);
    }

    /** {@link #graph(DataType, long[], BiFunction)} for a body whose output has {@code width} along its last axis. */
    static SameDiff graph(DataType type, long[] shape, long width, BiFunction<SameDiff, SDVariable, SDVariable> body) {
        Nd4j.getRandom().setSeed(shape.length * 1000L + shape[shape.length - 1]);
        long e = shape[shape.length - 1];
        long[] out = shape.clone();
        out[out.length - 1] = width;
        SameDiff sd = SameDiff.create();
        long[] free = shape.clone();
        free[0] = -1;
        SDVariable x = sd.placeHolder("x", type, free);
        SDVariable y = body.apply(sd, x.mul(sd.var("w", Nd4j.rand(type, 1, e).addi(0.5)))).rename("y");
        y.mul(sd.constant("target", Nd4j.randn(type, out))).sum().rename("loss").markAsLoss();
        return sd;
    }

    /**
     * Three runs (seeds 1 to 3 of {@code inputs}) of the plan of {@code params}' gradients and of the plan of output
     * {@code y}, each against SameDiff's session bit for bit (the groups run as loops from the second run on).
     *
     * @return the gradient plan's groups run as loops, the output plan's, and the gradient plan's loop inputs linked
     *         to another loop
     */
    static int[] assertPlansAreTheSessions(SameDiff sd, LongFunction<Map<String, INDArray>> inputs, String what,
                                           String... params) {
        sd.calculateGradients(inputs.apply(1), params);
        List<String> grads = Arrays.stream(params).map(p -> sd.getVariable(p).getGradient().name()).toList();
        OpPlan gradient = OpPlan.of(sd.getFunction("grad"), grads);
        OpPlan output = OpPlan.of(sd, List.of("y"));
        assertNotNull(gradient, what);
        assertNotNull(output, what);
        for (long seed = 1; seed <= 3; seed++) {
            Map<String, INDArray> ph = inputs.apply(seed);
            Map<String, INDArray> session = sd.calculateGradients(ph, params);
            Map<String, INDArray> planned = gradient.run(ph);
            for (int i = 0; i < params.length; i++) {
                assertBitIdentical(session.get(params[i]), planned.get(grads.get(i)),
                        what + ", run " + seed + ": " + params[i] + "'s gradient");
            }
            assertBitIdentical(sd.output(ph, "y").get("y"), output.run(ph).get("y"), what + ", run " + seed + ": y");
        }
        return new int[]{gradient.fusedGroups(), output.fusedGroups(), gradient.linkedInputs()};
    }
}

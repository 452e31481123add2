package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.Supplier;

/**
 * A short sequence of ops bound once to the arrays they run on, and bound again only when other arrays come (compared
 * by identity, {@link OpPlan#sameArrays}): a new op object, its shape function and its native views at every run cost
 * more than the arithmetic on the main job's sizes. Used by the plans' rewrites ({@link BroadcastGradient},
 * {@link SigmoidGradient}, {@link DirectPairwise}, {@link DirectGemm}, {@link DirectLegacy}).
 */
final class BoundOps {

    /** The arrays the steps are bound to; null before the first run. */
    private INDArray[] boundTo;
    private List<Runnable> steps = List.of();

    /** Runs the steps for {@code arrays}, made by {@code prepare} first where they are not the last run's arrays. */
    void run(INDArray[] arrays, Supplier<List<Runnable>> prepare) {
        if (!OpPlan.sameArrays(boundTo, arrays)) {
            steps = prepare.get();
            boundTo = arrays;
        }
        for (Runnable step : steps) {
            step.run();
        }
    }

    /** A custom op on {@code a, b} into {@code out}, on an op context bound to those arrays. */
    static Runnable pairwise(CustomOp op, INDArray a, INDArray b, INDArray out) {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(a, b);
        context.setOutputArrays(out);
        return () -> Nd4j.exec(op, context);
    }
}

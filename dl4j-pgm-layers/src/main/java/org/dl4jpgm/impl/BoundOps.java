package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
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

    /**
     * A custom op on {@code a, b} into {@code out}, on an op context bound to those arrays: its first run through ND4J's
     * executioner (which checks the types), the next ones as a {@link DirectCustomOp} where the backend has it.
     */
    static Runnable pairwise(CustomOp op, INDArray a, INDArray b, INDArray out) {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(a, b);
        context.setOutputArrays(out);
        DirectCustomOp direct = DirectCustomOp.of(op);
        return new Runnable() {
            private boolean checked;

            @Override
            public void run() {
                if (checked && direct != null) {
                    direct.run(context);
                } else {
                    Nd4j.exec(op, context);
                    checked = true;
                }
            }
        };
    }

    /**
     * Elementwise custom op {@code op} on {@code a, b} into {@code out} as a bound call: a direct call where one covers
     * it ({@link DirectBroadcast}, {@link DirectPairwise}), else the custom op on an op context bound to these arrays
     * ({@link #pairwise}).
     */
    static Runnable elementwise(DynamicCustomOp op, INDArray a, INDArray b, INDArray out) {
        INDArray[] in = {a, b};
        INDArray[] outs = {out};
        DirectBroadcast broadcast = DirectBroadcast.of(op, in, outs);
        if (broadcast != null) {
            return broadcast.bind(a, b, out);
        }
        DirectPairwise direct = DirectPairwise.of(op, in, outs);
        return direct != null ? () -> direct.run(in, outs) : pairwise(op, a, b, out);
    }

    /**
     * Legacy op {@code op} on {@code x} into {@code z} (the arrays it was made with) as a bound call: a direct call
     * where it has one ({@link DirectLegacy}), else ND4J's executioner.
     */
    static Runnable legacy(BaseOp op, INDArray x, INDArray z) {
        Runnable direct = DirectLegacy.bind(op, x, z);
        return direct != null ? direct : () -> Nd4j.exec(op);
    }
}

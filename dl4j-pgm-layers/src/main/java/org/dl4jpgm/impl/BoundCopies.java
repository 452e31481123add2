package org.dl4jpgm.impl;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Copies between arrays ({@code to[i].assign(from[i])}) as native calls bound once ({@link DirectLegacy#copy}: ND4J's
 * legacy {@code Assign}, the op {@code assign} runs, so the same bits), made again only when the arrays they are made
 * from change; for runtimes outside this package that hand DL4J arrays of their own ({@link OwnedArrays}).
 */
public final class BoundCopies {

    private final BoundOps bound = new BoundOps();

    /**
     * Runs the copies that {@code pairs} gives ({@code [0]} the sources, {@code [1]} the targets, of equal shapes),
     * asking it again only where {@code key} (the arrays the sources and targets are made from, compared by identity)
     * is not the last run's.
     */
    public void run(INDArray[] key, Supplier<INDArray[][]> pairs) {
        bound.run(key, () -> {
            INDArray[][] p = pairs.get();
            List<Runnable> steps = new ArrayList<>(p[0].length);
            for (int i = 0; i < p[0].length; i++) {
                steps.add(DirectLegacy.copy(p[0][i], p[1][i]));
            }
            return steps;
        });
    }

    /** {@code to.assign(from)}, bound again only where {@code from} or {@code to} is not the last run's array. */
    public void copy(INDArray from, INDArray to) {
        run(new INDArray[]{from, to}, () -> new INDArray[][]{{from}, {to}});
    }
}

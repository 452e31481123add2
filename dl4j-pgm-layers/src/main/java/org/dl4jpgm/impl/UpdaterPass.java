package org.dl4jpgm.impl;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

/**
 * DL4J's standard update of a graph's flattened gradient (the updater's own array), block by block: each block's
 * division by the minibatch size and its updater, with the division joined to Adam's pass where the block runs
 * {@link JavaAdamUpdater}.
 *
 * <p>Why: DL4J 1.0.0-M2.1's {@code BaseMultiLayerUpdater.update} divides the whole gradient by the minibatch size
 * (one pass over its memory, a scalar array made per parameter range and step), then runs each {@code UpdaterBlock},
 * which reshapes the network's gradient and the block's view at every call (two native shape allocations per block
 * and step, each with JavaCPP's memory check). At the paper's size the division is a pass over 168 MB; at the main
 * job's, the reshapes are most of the updater's time outside Adam (docs/performance.md, "The updater's division in
 * Adam's pass").
 *
 * <p>The arithmetic is DL4J's, element by element: {@code g / B} in float where DL4J divides (the parameters whose
 * layer answers {@code updaterDivideByMinibatch}), then the block's updater. Blocks cover disjoint ranges, so dividing
 * and updating one block after another gives what dividing everything first does. {@link #of} returns null, and DL4J
 * keeps the update, where DL4J would do more than that between the two: regularisation (L1, L2, weight decay),
 * gradient normalisation, pretraining blocks, a block whose parameters are divided for some and not for others, or
 * division ranges that differ from DL4J's own.
 *
 * <p>Asked to ({@link FusedParameterStep}), the pass also takes the optimizer's step, {@code params ← params - update},
 * block by block: in Adam's pass where the block runs {@link JavaAdamUpdater} on arrays it takes, else as a
 * subtraction after the block's updater. The blocks' parameter ranges must then cover the network's parameters as the
 * gradient's do (DL4J's step subtracts the whole update array); where they do not, the pass never steps.
 */
final class UpdaterPass {

    /**
     * A block with its gradient and parameters as rank-1 views made once (the parameters null where the pass cannot
     * step), and whether DL4J divides it by the minibatch size.
     */
    private record Block(UpdaterBlock block, INDArray source, INDArray gradient, INDArray params, boolean divide) {
    }

    private final List<Block> blocks;

    /** Whether {@link #run} can take the optimizer's step: every block has its parameters' view. */
    private final boolean steps;

    private UpdaterPass(List<Block> blocks, boolean steps) {
        this.blocks = blocks;
        this.steps = steps;
    }

    /**
     * The pass for an updater's blocks, or null where DL4J's update does more than divide and update per block.
     *
     * @param blocks        the updater's blocks
     * @param layers        the updater's layers ({@code getOrderedLayers()})
     * @param flat          the updater's flattened gradient view
     * @param params        the network's flattened parameters, laid out as {@code flat}
     * @param dl4jDivisions DL4J's own division ranges of {@code flat} ({@code getMinibatchDivisionSubsets})
     */
    static UpdaterPass of(List<UpdaterBlock> blocks, Trainable[] layers, INDArray flat, INDArray params,
                          List<INDArray> dl4jDivisions) {
        for (Trainable t : layers) {
            TrainingConfig c = t.getConfig();
            if (c != null && t.numParams() > 0 && c.getGradientNormalization() != null
                    && c.getGradientNormalization() != GradientNormalization.None) {
                return null;
            }
        }
        List<Block> out = new ArrayList<>();
        List<long[]> divided = new ArrayList<>();
        for (UpdaterBlock b : blocks) {
            if (b.isPretrainUpdaterBlock() || b.getGradientView() == null) {
                return null;
            }
            Boolean divide = null;
            for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                List<?> regularization = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
                if (regularization != null && !regularization.isEmpty()) {
                    return null;
                }
                boolean d = p.getLayer().updaterDivideByMinibatch(p.getParamName());
                if (divide != null && divide != d) {
                    return null;
                }
                divide = d;
                if (d) {
                    add(divided, p.getParamOffsetStart(), p.getParamOffsetEnd());
                }
            }
            INDArray view = b.getGradientView();
            out.add(new Block(b, view, view.reshape(view.length()), null, Boolean.TRUE.equals(divide)));
        }
        List<long[]> dl4j = new ArrayList<>();
        for (INDArray s : dl4jDivisions) {
            long start = s.offset() - flat.offset();
            add(dl4j, start, start + s.length());
        }
        if (dl4j.size() != divided.size()) {
            return null;
        }
        for (int i = 0; i < dl4j.size(); i++) {
            if (dl4j.get(i)[0] != divided.get(i)[0] || dl4j.get(i)[1] != divided.get(i)[1]) {
                return null;
            }
        }
        List<Block> stepping = withParams(out, flat, params);
        return stepping == null ? new UpdaterPass(out, false) : new UpdaterPass(stepping, true);
    }

    /**
     * The blocks with their parameters' views, or null where the blocks' ranges do not cover {@code [0, P)} one after
     * another with their gradients at the same offsets of {@code flat} (then DL4J's step would subtract more than the
     * blocks' updates).
     */
    private static List<Block> withParams(List<Block> blocks, INDArray flat, INDArray params) {
        if (params == null || flat == null || params.length() != flat.length() || params.elementWiseStride() != 1
                || flat.elementWiseStride() != 1 || params.ordering() != flat.ordering()) {
            return null;
        }
        INDArray rank1 = params.reshape(params.length());
        List<Block> out = new ArrayList<>();
        long next = 0;
        for (Block b : blocks) {
            UpdaterBlock u = b.block();
            long start = u.getParamOffsetStart();
            long end = u.getParamOffsetEnd();
            if (start != next || b.source().offset() - flat.offset() != start || b.gradient().length() != end - start) {
                return null;
            }
            next = end;
            INDArray p = end > start ? rank1.get(NDArrayIndex.interval(start, end)) : null;   // null: nothing to step
            out.add(new Block(u, b.source(), b.gradient(), p, b.divide()));
        }
        return next == params.length() ? out : null;
    }

    /** Appends [start, end) to ascending ranges, joined with the last where they touch. */
    private static void add(List<long[]> ranges, long start, long end) {
        if (end <= start) {
            return;
        }
        long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
        if (last != null && last[1] == start) {
            last[1] = end;
        } else {
            ranges.add(new long[]{start, end});
        }
    }

    /** Whether the blocks still have the gradient views the pass was made with. */
    boolean current(List<UpdaterBlock> now) {
        if (now.size() != blocks.size()) {
            return false;
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (now.get(i) != blocks.get(i).block() || now.get(i).getGradientView() != blocks.get(i).source()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The update: for each block, the division by {@code minibatch} where DL4J divides ({@code miniBatch} true) and
     * the block's updater; in one Java pass where the block runs {@link JavaAdamUpdater} on arrays it takes. With
     * {@code step}, the parameters are stepped too where the pass can ({@link #steps}).
     *
     * @return whether the parameters were stepped
     */
    boolean run(int iteration, int epoch, int minibatch, boolean miniBatch, LayerWorkspaceMgr workspaceMgr,
                boolean step) {
        boolean stepping = step && steps;
        for (Block b : blocks) {
            if (b.block().getLayersAndVariablesInBlock().get(0).getLayer().numParams() == 0) {
                continue;   // as DL4J: no parameters, no update
            }
            boolean divide = miniBatch && b.divide();
            GradientUpdater<?> u = b.block().getGradientUpdater();
            if (u instanceof JavaAdamUpdater) {
                JavaAdamUpdater adam = (JavaAdamUpdater) u;
                INDArray m = adam.getM();
                INDArray v = adam.getV();
                INDArray p = stepping ? b.params() : null;
                if (m != null && v != null && JavaAdamUpdater.javaPath(p, b.gradient(), m, v)) {
                    Adam c = adam.getConfig();
                    JavaAdamUpdater.update(p, b.gradient(), m, v, JavaAdamUpdater.Coefficients.of(
                            c.getLearningRate(iteration, epoch), c.getBeta1(), c.getBeta2(), c.getEpsilon(), iteration,
                            divide ? minibatch : 0), adam.vectors(), adam.absorbedSquares());
                    continue;
                }
            }
            if (divide) {
                b.gradient().divi(minibatch);
            }
            try (MemoryWorkspace ws = workspaceMgr.notifyScopeEntered(ArrayType.UPDATER_WORKING_MEM)) {
                u.applyUpdater(b.gradient(), iteration, epoch);
            }
            if (stepping && b.params() != null) {
                b.params().subi(b.gradient());   // DL4J's step function on this block's range
            }
        }
        return stepping;
    }
}

package org.dl4jpgm.impl;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * libnd4j's {@code reduce_sum_bp} and {@code reduce_mean_bp}, the gradients of a sum and of a mean over some axes, as
 * ND4J's legacy broadcast ops on direct calls ({@link DirectBroadcast}): the incoming gradient {@code gradO}, seen with
 * the reduced axes kept as 1, copied along them for a sum ({@code BroadcastCopyOp}); for a mean the output first filled
 * with {@code (float) (|gradO| / |x|)} ({@link DirectLegacy#fill}) and then multiplied by {@code gradO} along them
 * ({@code BroadcastMulOp}). That is what libnd4j's ops compute, in that order: a broadcast assignment for the sum, an
 * assignment of the factor and a broadcast product for the mean.
 *
 * <p>Why: the custom ops go through libnd4j's declarable-op machinery at every call, which at the main job's sizes costs
 * more than the copy: 19 {@code reduce_mean_bp} and 11 {@code reduce_sum_bp} per main-config training step took 11.7
 * and 9.7 us per call (docs/performance.md, "Reductions' gradients as broadcasts").
 *
 * <p>Shapes: {@code x} (the reduced input) and the output {@code gradI} alike, any rank; {@code gradO} of {@code x}'s
 * shape with the reduced axes 1 or left out. Covered: float or double arrays of one type, {@code gradO} and
 * {@code gradI} in 'c' order without gaps, the axes as integer arguments (not an input), {@code gradO} of more than one
 * element and fewer than {@code x}. A probe checks both ops against libnd4j's when this class loads (axes at the end, at
 * the front and apart, kept and dropped, both types); an op whose probe differs stays a custom op. CPU backend only.
 */
final class ReductionGradient {

    static final String SUM = "reduce_sum_bp";
    static final String MEAN = "reduce_mean_bp";

    /** The ops whose direct form computed libnd4j's bits on the probe. */
    private static final Set<String> VERIFIED = HostMemory.hasNativeBuffers() ? verify() : Set.of();

    private final boolean mean;
    /** {@code gradO}'s shape with the reduced axes kept as 1. */
    private final long[] kept;
    /** The axes of {@code x} along which {@code gradO} runs (not reduced, not of size 1). */
    private final int[] along;
    /** A mean's factor {@code |gradO| / |x|}, as libnd4j computes it (in double). */
    private final double factor;
    private final BoundOps ops = new BoundOps();

    private ReductionGradient(boolean mean, long[] kept, int[] along, double factor) {
        this.mean = mean;
        this.kept = kept;
        this.along = along;
        this.factor = factor;
    }

    /** The direct form of {@code op} on {@code inputs} (x, gradO) into {@code outputs} (gradI), or null where it has none. */
    static ReductionGradient of(DynamicCustomOp op, INDArray[] inputs, INDArray[] outputs) {
        return VERIFIED.contains(op.opName()) ? plain(op.opName(), op.iArgs(), inputs, outputs) : null;
    }

    private static ReductionGradient plain(String name, long[] axes, INDArray[] inputs, INDArray[] outputs) {
        if (inputs.length != 2 || outputs.length != 1 || axes.length == 0) {
            return null;
        }
        INDArray x = inputs[0];
        INDArray gradO = inputs[1];
        INDArray gradI = outputs[0];
        DataType type = x.dataType();
        if ((type != DataType.FLOAT && type != DataType.DOUBLE) || gradO.dataType() != type
                || gradI.dataType() != type || !Arrays.equals(x.shape(), gradI.shape())
                || !DirectBroadcast.packed(gradO) || !DirectBroadcast.packed(gradI) || gradO.length() <= 1
                || gradO.length() >= x.length()) {
            return null;
        }
        int rank = x.rank();
        long[] kept = x.shape().clone();
        for (long a : axes) {
            int axis = (int) (a < 0 ? a + rank : a);
            if (axis < 0 || axis >= rank) {
                return null;
            }
            kept[axis] = 1;
        }
        long keptLength = 1;
        List<Integer> along = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            keptLength *= kept[i];
            if (kept[i] != 1) {
                along.add(i);
            }
        }
        if (keptLength != gradO.length()) {
            return null;
        }
        double factor = (double) gradO.length() / (double) x.length();
        return new ReductionGradient(MEAN.equals(name), kept, along.stream().mapToInt(Integer::intValue).toArray(),
                factor);
    }

    /** Writes the gradient of the reduction's input into {@code outputs[0]} from {@code inputs[1]}. */
    void run(INDArray[] inputs, INDArray[] outputs) {
        INDArray gradO = inputs[1];
        INDArray gradI = outputs[0];
        ops.run(new INDArray[]{gradO, gradI}, () -> {
            INDArray spread = gradO.reshape('c', kept);
            if (mean) {
                return List.of(DirectLegacy.fill(gradI, factor),
                        DirectBroadcast.bindLegacy(new BroadcastMulOp(gradI, spread, gradI, along)));
            }
            return List.of(DirectBroadcast.bindLegacy(new BroadcastCopyOp(gradI, spread, gradI, along)));
        });
    }

    /**
     * Runs both ops against libnd4j's on probes of both types; keeps those equal to the last bit on all. The values are
     * written out, not drawn (this runs inside a training step: a draw would change its dropout masks).
     */
    static Set<String> verify() {
        Object[][] cases = {
                {new long[]{6, 5}, new int[]{1}, true},          // a row mean, kept: [6, 1]
                {new long[]{6, 5}, new int[]{1}, false},         // dropped: [6]
                {new long[]{4, 3, 5}, new int[]{0, 2}, false},   // axes apart: [3]
                {new long[]{4, 3, 5}, new int[]{0}, true},       // a leading axis: [1, 3, 5]
                {new long[]{4, 3, 5}, new int[]{-1}, true},      // a negative axis: [4, 3, 1]
        };
        Set<String> ok = new HashSet<>();
        try {
            for (String name : List.of(SUM, MEAN)) {
                boolean equal = true;
                for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                    for (Object[] c : cases) {
                        long[] shape = (long[]) c[0];
                        int[] axes = (int[]) c[1];
                        boolean keep = (Boolean) c[2];
                        INDArray x = HostMemory.probe(type, shape, 0.3);
                        INDArray sum = x.sum(keep, axes);
                        INDArray gradO = HostMemory.probe(type, sum.shape(), -0.7);
                        DynamicCustomOp op = DynamicCustomOp.builder(name).addInputs(x, gradO)
                                .addIntegerArguments(axes).addBooleanArguments(keep).build();
                        INDArray expected = Nd4j.create(type, shape);
                        Nd4j.exec(DynamicCustomOp.builder(name).addInputs(x, gradO).addOutputs(expected)
                                .addIntegerArguments(axes).addBooleanArguments(keep).build());
                        INDArray actual = Nd4j.create(type, shape);
                        ReductionGradient g = plain(name, op.iArgs(), new INDArray[]{x, gradO},
                                new INDArray[]{actual});
                        if (g == null) {
                            equal = false;
                            continue;
                        }
                        g.run(new INDArray[]{x, gradO}, new INDArray[]{actual});
                        equal &= HostMemory.sameBits(expected, actual);
                    }
                }
                if (equal) {
                    ok.add(name);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            return Set.of();    // another backend or libnd4j: the custom ops run as they are
        }
        return Set.copyOf(ok);
    }
}

package org.dl4jpgm.impl;

import org.dl4jpgm.impl.OpGroup.Arg;
import org.dl4jpgm.impl.OpGroup.OpMatcher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;

import java.util.Arrays;
import java.util.List;

/**
 * The masked sum over the steps of a sequence in DL4J's layout, as {@code SdOps.maskedMeanOverSteps} builds it behind
 * {@code Layouts.toBSD} (a {@code StepMeanPoolingLayer} on an NCW input), found in a plan's op list and run as one Java
 * loop over the input where it lies, with libnd4j's arithmetic: the same values bit for bit, checked on the plan's
 * first run ({@link #covers}); an {@link OpGroup}.
 *
 * <p>The ops, as matched ({@code x [B, D, S]}, the layer's input; {@code m [B, S, 1]}, the step mask):
 * <pre>
 *   p = permute(x, 0, 2, 1)      [B, S, D]
 *   w = multiply(p, m)           [B, S, D]    (or multiply(m, p): a float product is commutative bit for bit)
 *   s = reduce_sum(w, 1)         [B, D]       s[b][d] = ((0 + x[b][d][0] m[b][0]) + x[b][d][1] m[b][1]) + ...
 * </pre>
 * and the loop: each product rounded to float, then added to a float sum from 0, step after step: the order in which
 * libnd4j's sum runs along the steps (one element after another from its starting value). The permuted and multiplied
 * copies are not made.
 *
 * <p>Why: at the main job's sizes the pooling of the speech modality ({@code [128, 16, 24]}) took three native ops per
 * {@code output} call, about 78 us of a 1.5 ms call (the permute alone 37 us, a strided copy of a new input array at
 * every call; docs/performance.md, "The masked sum of a pooled input in one loop"); the loop reads the input once.
 *
 * <p>Matched only where no op but the group's reads {@code p} or {@code w}: in a gradient plan the product's gradient
 * reads {@code p}, so there the ops stay. Float arrays; the loop's result on the first run's arrays must equal that
 * run's sums bit for bit, or the ops stay.
 */
final class MaskedSumFusion {

    /** The op times' label of the group. */
    static final String LABEL = "fused masked sum";

    private static final String PERMUTE = "permute";
    private static final String MULTIPLY = "multiply";
    private static final String REDUCE_SUM = "reduce_sum";

    private MaskedSumFusion() {
    }

    /** The masked-sum groups among the matcher's ops. */
    static List<OpGroup> find(OpMatcher m) {
        return OpGroup.atEachOp(m, k -> {
            Group g = group(m, k);
            return g == null ? List.of() : List.of(g);
        });
    }

    /** The group of the {@code permute} op k, the {@code multiply} that alone reads it, and its sum, or null. */
    private static Group group(OpMatcher m, int k) {
        if (!PERMUTE.equals(m.name(k)) || m.in(k).size() != 1 || m.ops().get(k).getOutputsOfOp().size() != 1
                || !(m.ops().get(k).getOp() instanceof DynamicCustomOp op)
                || !Arrays.equals(op.iArgs(), new long[]{0, 2, 1})) {
            return null;
        }
        String p = m.out(k, 0);
        List<Integer> readers = m.readersOf(p);
        if (readers.size() != 1 || !MULTIPLY.equals(m.name(readers.get(0)))) {
            return null;
        }
        int product = readers.get(0);
        List<String> in = m.in(product);
        if (in.size() != 2 || in.get(0).equals(in.get(1))) {
            return null;
        }
        String w = m.out(product, 0);
        List<Integer> sums = m.readersOf(w);
        if (sums.size() != 1 || !REDUCE_SUM.equals(m.name(sums.get(0)))
                || !(m.ops().get(sums.get(0)).getOp() instanceof Sum sum) || sum.isKeepDims()
                || sum.dimensions() == null || !Arrays.equals(sum.dimensions().toIntVector(), new int[]{1})) {
            return null;
        }
        return new Group(k, product, in.indexOf(p) == 0 ? 1 : 0, sums.get(0));
    }

    /** The group. Inputs: x (the permute's), m (the product's other operand). Output: s. */
    static final class Group extends OpGroup {

        Group(int permute, int product, int maskIndex, int sum) {
            super(new int[]{permute, product, sum}, new Arg[]{new Arg(permute, 0), new Arg(product, maskIndex)},
                    new Arg[]{new Arg(sum, 0)});
        }

        @Override
        String label() {
            return LABEL;
        }

        @Override
        boolean covers(INDArray[] in, INDArray[] out) {
            INDArray x = in[0];
            INDArray mask = in[1];
            if (!loopSized(x) || x.rank() != 3 || !loopSized(mask) || !writable(out)) {
                return false;
            }
            long b = x.size(0);
            long d = x.size(1);
            long s = x.size(2);
            if (!sameShape(mask, new long[]{b, s, 1}) || !sameShape(out[0], new long[]{b, d})) {
                return false;
            }
            // libnd4j's sums of this run, against the loop's on the same arrays
            float[] sums = new float[(int) (b * d)];
            float[][] values = new Inputs(new int[]{(int) x.length(), (int) mask.length()}, new float[2][]).read(in);
            maskedSums(values[0], values[1], (int) b, (int) d, (int) s, sums);
            float[] libnd4j = new float[sums.length];
            HostMemory.floats(out[0]).get((int) out[0].offset(), libnd4j, 0, libnd4j.length);
            return HostMemory.sameBits(sums, libnd4j);
        }

        @Override
        Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked) {
            int b = (int) in[0].size(0);
            int d = (int) in[0].size(1);
            int s = (int) in[0].size(2);
            Inputs inputs = new Inputs(new int[]{b * d * s, b * s}, linked);
            float[] sums = new float[b * d];
            List<Runnable> writes = writers(new float[][]{sums}, out, write);
            return new Loop() {
                @Override
                public void run(INDArray[] arrays) {
                    float[][] v = inputs.read(arrays);
                    maskedSums(v[0], v[1], b, d, s, sums);
                    writes.forEach(Runnable::run);
                }

                @Override
                public float[] values(int i) {
                    return sums;
                }
            };
        }
    }

    /**
     * {@code out[b][d] = sum over t of x[b][d][t] m[b][t]}: each product rounded to float, the sum a float from 0 with
     * one product added after another, t from 0 up; four sums of a row side by side in registers (independent sums,
     * so the adds need not wait in turn).
     *
     * @param x   {@code [B, D, S]}, 'c' order
     * @param m   {@code [B, S]} (the mask's {@code [B, S, 1]})
     * @param out {@code [B, D]}
     */
    static void maskedSums(float[] x, float[] m, int rows, int width, int steps, float[] out) {
        for (int b = 0; b < rows; b++) {
            int mask = b * steps;
            int d = 0;
            for (; d + 4 <= width; d += 4) {
                int at = (b * width + d) * steps;
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                for (int t = 0; t < steps; t++, at++) {
                    float mt = m[mask + t];
                    s0 += x[at] * mt;
                    s1 += x[at + steps] * mt;
                    s2 += x[at + 2 * steps] * mt;
                    s3 += x[at + 3 * steps] * mt;
                }
                out[b * width + d] = s0;
                out[b * width + d + 1] = s1;
                out[b * width + d + 2] = s2;
                out[b * width + d + 3] = s3;
            }
            for (; d < width; d++) {
                int at = (b * width + d) * steps;
                float sum = 0f;
                for (int t = 0; t < steps; t++) {
                    sum += x[at + t] * m[mask + t];
                }
                out[b * width + d] = sum;
            }
        }
    }
}

package org.dl4jpgm.impl;

import org.nd4j.autodiff.samediff.internal.SameDiffOp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sums of one weight's gradients in a gradient plan, which its products can accumulate (OpenBLAS's {@code beta}
 * of 1) instead of an {@code add} summing them after them.
 *
 * <p>Shapes: a weight {@code W [K, N]} in {@code G} products {@code x_g W} ({@code x_g [M, K]}) gets {@code G} weight
 * gradients {@code x_g^T eps_g [K, N]}, one per {@code matmul_bp}, and SameDiff sums them with {@code G - 1} ops
 * {@code add}: {@code (d_1 + d_2) + d_3}. PgM's learners and decoder reuse their weights in each of the {@code N}
 * iterations of Eq. 3-5, so at the paper's {@code N = 3} each of their weights has three.
 *
 * <p>Why: each {@code add} reads two {@code [K, N]} arrays and writes a third, and each product first zeroes its output
 * ({@code beta} 0): at the paper's sizes 28 sums of 0.6-2.4 M floats, about 13 ms of a step of 460
 * (docs/performance.md, "A weight's gradients summed in its products"). A product with {@code beta} 1 into the array
 * that holds the sum so far computes {@code c + acc} per element, the {@code add}'s bits where OpenBLAS sums the whole
 * inner dimension before it adds (a kernel's {@code fma(alpha, acc, c)} with {@code alpha} 1); the plan checks that on
 * its first run, per sum, on the run's own arrays, and accumulates only where the bits agree.
 *
 * <p>A sum qualifies where both its inputs are read by it alone and are not returned, both are gradients of the same
 * weight, and one of them is a {@code matmul_bp}'s second output: that op (of two, the one that runs later) is the
 * sum's product, the other input (a weight gradient, or an earlier qualifying sum of that weight's gradients) the one
 * whose array becomes the sum's (the first run adds in place). The product accumulates into it only where that input
 * is complete before the product runs; {@link OpPlan} checks that and the bits on its first run.
 */
final class GradientAccumulation {

    static final String ADD = "add";

    /**
     * A qualifying sum.
     *
     * @param add        the {@code add}'s index in the plan
     * @param late       the index of the sum's product: the {@code matmul_bp} whose weight gradient is an input
     * @param early      the index of the op that computes the other input (a {@code matmul_bp} before the product,
     *                   or an earlier sum's {@code add})
     * @param earlyInput the other input (its array holds the sum)
     * @param lateInput  the product's weight gradient
     * @param output     the sum
     */
    record Sum(int add, int late, int early, String earlyInput, String lateInput, String output) {
    }

    private GradientAccumulation() {
    }

    /** The qualifying sums of an op list, in its order; none of them reads or writes a variable in {@code returned}. */
    static List<Sum> find(List<SameDiffOp> ops, Set<String> returned) {
        OpGroup.OpMatcher m = OpGroup.OpMatcher.of(ops);
        Map<String, Integer> producer = new HashMap<>();
        Map<String, String> weightOf = new HashMap<>();
        Set<String> products = new HashSet<>();
        for (int k = 0; k < ops.size(); k++) {
            for (String o : ops.get(k).getOutputsOfOp()) {
                producer.put(o, k);
            }
            if (DirectGemm.MATMUL_BP.equals(m.name(k)) && m.in(k).size() == 3
                    && ops.get(k).getOutputsOfOp().size() == 2) {
                weightOf.put(m.out(k, 1), m.in(k).get(1));
                products.add(m.out(k, 1));
            }
        }
        List<Sum> sums = new ArrayList<>();
        for (int k = 0; k < ops.size(); k++) {
            List<String> in = m.in(k);
            if (!ADD.equals(m.name(k)) || in.size() != 2 || ops.get(k).getOutputsOfOp().size() != 1
                    || in.get(0).equals(in.get(1))) {
                continue;
            }
            String u = in.get(0);
            String v = in.get(1);
            String w = weightOf.get(u);
            if (w == null || !w.equals(weightOf.get(v)) || m.readersOf(u).size() != 1 || m.readersOf(v).size() != 1
                    || returned.contains(u) || returned.contains(v)) {
                continue;
            }
            String late;
            if (products.contains(u) && products.contains(v)) {
                late = producer.get(u) < producer.get(v) ? v : u;
            } else if (products.contains(u) || products.contains(v)) {
                late = products.contains(u) ? u : v;   // the other is an earlier sum
            } else {
                continue;
            }
            String early = late.equals(u) ? v : u;
            String output = m.out(k, 0);
            weightOf.put(output, w);
            sums.add(new Sum(k, producer.get(late), producer.get(early), early, late, output));
        }
        return sums;
    }
}

package org.dl4jpgm.blocks;

import org.dl4jpgm.impl.QuietGradFunction;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Op counts of SameDiff graphs, forward and forward + gradient: each op a SameDiff call executes costs interpretation
 * time (docs/performance.md), so these counts are what the op-count reductions of the blocks are measured by.
 */
final class OpCounts {

    private OpCounts() {
    }

    /** Forward ops, forward + gradient ops, and the forward ops by op name. */
    record Count(int forward, int withGradient, Map<String, Integer> byOp) {
        @Override
        public String toString() {
            return forward + " / " + withGradient + " " + byOp;
        }
    }

    /**
     * Counts the ops of a graph defined by {@code define} from placeholders of the given shapes ({@code -1} = B), in
     * double precision; the gradient is that of the loss {@code sum(y^2)}, whose 2 ops the forward count leaves out.
     */
    static Count of(Function<List<SDVariable>, SDVariable> define, long[]... inputShapes) {
        SameDiff sd = SameDiff.create();
        List<SDVariable> in = new ArrayList<>();
        String[] names = new String[inputShapes.length];
        for (int i = 0; i < inputShapes.length; i++) {
            names[i] = "in" + i;
            in.add(sd.placeHolder(names[i], DataType.DOUBLE, inputShapes[i]));
        }
        SDVariable y = define.apply(in);
        Map<String, Integer> byOp = byOp(sd);
        int forward = sd.ops().length;
        y.mul(y).sum().markAsLoss();
        return withGradient(sd, forward, byOp, names);
    }

    /**
     * Counts the ops of {@code sd}, whose loss is marked; {@code placeholders} are its placeholders' names; the forward
     * count includes the loss's ops.
     */
    static Count of(SameDiff sd, String... placeholders) {
        return withGradient(sd, sd.ops().length, byOp(sd), placeholders);
    }

    private static Map<String, Integer> byOp(SameDiff sd) {
        Map<String, Integer> byOp = new TreeMap<>();
        for (DifferentialFunction f : sd.ops()) {
            byOp.merge(f.opName(), 1, Integer::sum);
        }
        return byOp;
    }

    private static Count withGradient(SameDiff sd, int forward, Map<String, Integer> byOp, String... placeholders) {
        QuietGradFunction.ensure(sd, placeholders);
        SameDiff grad = sd.getFunction("grad");
        return new Count(forward, grad == null ? forward : grad.ops().length, byOp);
    }
}

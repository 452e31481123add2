package org.dl4jpgm.encoders.onnx;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;

/**
 * Fixes applied to a graph after {@code samediff-import-onnx} 1.0.0-M2.1 imported it, each its own tested
 * function.
 */
public final class SameDiffFixes {

    private SameDiffFixes() {
    }

    /**
     * Sets alpha = 1, beta = 0 on every {@link Mmul} op. The importer gives every ONNX MatMul alpha = 0,
     * beta = 1, so the product is discarded and the output is whatever was in memory.
     *
     * @return how many Mmul ops were changed
     */
    public static int mmulAlphaBeta(SameDiff sd) {
        int changed = 0;
        for (DifferentialFunction f : sd.ops()) {
            if (!(f instanceof Mmul)) {
                continue;
            }
            Mmul m = (Mmul) f;
            double[] t = m.tArgs();
            if (t.length == 2 && t[0] == 1.0 && t[1] == 0.0) {
                continue;
            }
            for (double v : t) {
                m.removeTArgument(v);
            }
            while (m.tArgs().length > 0) {
                m.removeTArgument(m.tArgs()[0]);
            }
            m.addTArgument(1.0, 0.0);
            changed++;
        }
        return changed;
    }
}

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.dl4jpgm.impl.QuietGradFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attention over a single key (Tq = Tk = 1): {@link MultiHeadAttentionBlock} takes a path without the per-head
 * products. Checked against Eq. 5 computed in plain Java (softmax over one score is 1, masked or not, so the output is
 * {@code (x W_v + b_v) W_o + b_o}), with and without an additive key mask; the output does not reach the query/key
 * parameters, which have no gradient variable (the runtimes give them a zero gradient: {@code OpPlanTrainingTest}).
 */
class MultiHeadAttentionSingleKeyTest {

    private static final int B = 3;
    private static final int E = 4;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void singleKeyEqualsEquationFiveAndDoesNotReachTheQueryAndKeyParameters() {
        MultiHeadAttentionBlock mha = new MultiHeadAttentionBlock("att", E, 2);
        Nd4j.getRandom().setSeed(21);
        SDLayerParams lp = new SDLayerParams();
        mha.defineParameters(lp);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        lp.getParamShapes().forEach((k, shape) -> arrays.put(k, Nd4j.randn(DataType.DOUBLE, shape).mul(0.5)));
        INDArray x = Nd4j.randn(DataType.DOUBLE, B, 1, E);
        INDArray mask = Nd4j.create(new double[][]{{0}, {-1e9}, {0}});   // example 1's only key is masked

        for (boolean masked : new boolean[]{false, true}) {
            SameDiff sd = SameDiff.create();
            Map<String, SDVariable> p = new HashMap<>();
            arrays.forEach((k, v) -> p.put(k, sd.var(k, v.dup())));
            SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 1, E);
            SDVariable keyMask = masked ? sd.placeHolder("m", DataType.DOUBLE, -1, 1) : null;
            SDVariable out = mha.apply(p, in, in, keyMask, 1, 1);
            out.mul(out).sum().markAsLoss();
            Map<String, INDArray> feed = new HashMap<>();
            feed.put("x", x);
            if (masked) {
                feed.put("m", mask);
            }
            INDArray y = sd.output(feed, out.name()).get(out.name());
            for (int b = 0; b < B; b++) {
                double[] v = new double[E];
                for (int j = 0; j < E; j++) {
                    v[j] = arrays.get("att" + MultiHeadAttentionBlock.BV).getDouble(0, j);
                    for (int i = 0; i < E; i++) {
                        v[j] += x.getDouble(b, 0, i) * arrays.get("att" + MultiHeadAttentionBlock.WV).getDouble(i, j);
                    }
                }
                for (int k = 0; k < E; k++) {
                    double o = arrays.get("att" + MultiHeadAttentionBlock.BO).getDouble(0, k);
                    for (int j = 0; j < E; j++) {
                        o += v[j] * arrays.get("att" + MultiHeadAttentionBlock.WO).getDouble(j, k);
                    }
                    assertEquals(o, y.getDouble(b, 0, k), 1e-12, "masked=" + masked + " example " + b + " feature " + k);
                }
            }
            QuietGradFunction.ensure(sd, feed.keySet().toArray(new String[0]));
            Map<String, INDArray> grads = sd.calculateGradients(feed, arrays.keySet());
            for (String k : new String[]{MultiHeadAttentionBlock.WQ, MultiHeadAttentionBlock.BQ,
                    MultiHeadAttentionBlock.WK, MultiHeadAttentionBlock.BK}) {
                assertNull(grads.get("att" + k), "att" + k + " does not affect the output");
                assertNull(sd.getVariable("att" + k).getGradient(), "att" + k + ": no gradient variable");
            }
            assertTrue(grads.get("att" + MultiHeadAttentionBlock.WV).amaxNumber().doubleValue() > 0,
                    "W_v does affect it");
        }
    }
}

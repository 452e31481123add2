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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The formulations of {@link SdOps} and the blocks that take fewer SameDiff ops compute what the earlier formulations
 * computed, kept here as the reference: outputs and the gradients of every input and parameter, in double precision,
 * on random inputs (with masked, i.e. zeroed, rows), to 1e-10 relative.
 */
class FewerOpsEquivalenceTest {

    private static final double TOL = 1e-10;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** The earlier {@link SdOps#linear}: reshape to rows, 2-d product, bias, reshape back. */
    private static SDVariable linearByReshape(SDVariable x, SDVariable w, SDVariable b, long seq) {
        SDVariable y = x.reshape(-1, w.getShape()[0]).mmul(w);
        return y.add(b).reshape(-1, seq, w.getShape()[1]);
    }

    /** The earlier {@link SdOps#gelu}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    private static SDVariable geluTanh(SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
        return x.mul(x.getSameDiff().math().tanh(inner).add(1.0)).mul(0.5);
    }

    /** The earlier single-key attention: the zero-weighted term as a chain of sums. */
    private static SDVariable singleKeyBySums(Map<String, SDVariable> p, SDVariable x) {
        SDVariable v = linearByReshape(x, p.get("aWv"), p.get("abv"), 1);
        SDVariable unused = p.get("aWq").sum().add(p.get("abq").sum()).add(p.get("aWk").sum())
                .add(p.get("abk").sum()).mul(0.0);
        return linearByReshape(v, p.get("aWo"), p.get("abo"), 1).add(unused);
    }

    /** Outputs and gradients (of the loss {@code sum(y * R)}, R random) of one graph. */
    private record Run(INDArray output, Map<String, INDArray> gradients, int ops) {
    }

    /**
     * Runs {@code define} on variables holding {@code values} (all differentiated) and returns the output and every
     * gradient.
     */
    private static Run run(Map<String, INDArray> values, Function<Map<String, SDVariable>, SDVariable> define,
                           INDArray lossWeights) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        values.forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
        SDVariable y = define.apply(vars);
        int ops = sd.ops().length;
        y.mul(sd.constant(lossWeights)).sum().markAsLoss();
        INDArray out = y.eval().dup();
        QuietGradFunction.ensure(sd);
        return new Run(out, sd.calculateGradients(null, values.keySet()), ops);
    }

    private static void assertEqual(Map<String, INDArray> values, Function<Map<String, SDVariable>, SDVariable> before,
                                    Function<Map<String, SDVariable>, SDVariable> now, long... outShape) {
        INDArray r = Nd4j.randn(DataType.DOUBLE, outShape);
        Run expected = run(values, before, r);
        Run actual = run(values, now, r);
        assertClose(expected.output(), actual.output(), "output");
        for (String k : values.keySet()) {
            INDArray g = actual.gradients().get(k);
            if (g == null) {   // the output does not reach k: no gradient variable, a zero gradient
                assertEquals(0.0, expected.gradients().get(k).amaxNumber().doubleValue(), 0.0, "gradient of " + k);
                continue;
            }
            assertClose(expected.gradients().get(k), g, "gradient of " + k);
        }
        assertTrue(actual.ops() < expected.ops(), "fewer ops: " + actual.ops() + " vs " + expected.ops());
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= TOL * scale, what + ": max |difference| " + diff + " at scale " + scale);
    }

    /** Random {@code [B, S, in]} with the rows of example 1 zeroed (a masked modality). */
    private static INDArray input(long b, long s, long in) {
        INDArray x = Nd4j.randn(DataType.DOUBLE, b, s, in).mul(2.0);
        x.slice(1).assign(0.0);
        return x;
    }

    /** The earlier {@link FeedForwardBlock#apply}: two maps, each reshaping around its product, and the tanh GELU. */
    private static SDVariable feedForwardByReshapes(Map<String, SDVariable> p, SDVariable x, long seq) {
        SDVariable h = geluTanh(linearByReshape(x, p.get("fffW1"), p.get("fffB1"), seq));
        return linearByReshape(h, p.get("fffW2"), p.get("fffB2"), seq);
    }

    @Test
    void feedForwardOnRowsEqualsReshapedMaps() {
        Nd4j.getRandom().setSeed(3);
        FeedForwardBlock ffn = new FeedForwardBlock("f", 5, 7, 6);
        for (long s : new long[]{1, 3}) {
            SDLayerParams lp = new SDLayerParams();
            ffn.defineParameters(lp);
            Map<String, INDArray> v = new LinkedHashMap<>();
            lp.getParamShapes().forEach((k, shape) -> v.put(k, Nd4j.randn(DataType.DOUBLE, shape)));
            v.put("x", input(4, s, 5));
            assertEqual(v, p -> feedForwardByReshapes(p, p.get("x"), s), p -> ffn.apply(p, p.get("x"), s), 4, s, 6);
        }
    }

    @Test
    void geluBySigmoidEqualsTanhForm() {
        Nd4j.getRandom().setSeed(5);
        Map<String, INDArray> v = Map.of("x", input(6, 2, 7));
        assertEqual(v, p -> geluTanh(p.get("x")), p -> SdOps.gelu(p.get("x")), 6, 2, 7);
    }

    @Test
    void singleKeyAttentionEqualsSumsForm() {
        Nd4j.getRandom().setSeed(6);
        MultiHeadAttentionBlock mha = new MultiHeadAttentionBlock("a", 4, 2);
        SDLayerParams lp = new SDLayerParams();
        mha.defineParameters(lp);
        Map<String, INDArray> v = new LinkedHashMap<>();
        lp.getParamShapes().forEach((k, shape) -> v.put(k, Nd4j.randn(DataType.DOUBLE, shape)));
        v.put("x", input(3, 1, 4));
        assertEqual(v, p -> singleKeyBySums(p, p.get("x")), p -> mha.apply(p, p.get("x"), p.get("x"), null, 1, 1),
                3, 1, 4);
    }

    /** The earlier partitioner gate: logits, softmax and running sum on {@code [G B, S, .]}, each product reshaped. */
    private static SDVariable gateByReshapes(SDVariable x, SDVariable w, SDVariable b, int g, long seq, long d,
                                             int chunk) {
        long t = d / chunk;
        SDVariable logits = g == 1 ? linearByReshape(x, w, b, seq)
                : x.reshape(g, -1, d).mmul(w).add(b).reshape(-1, seq, t);
        SDVariable cum = productByReshape(SdOps.softmax(logits, 2), SdOps.upperTriangularOnes(t), seq);
        return chunk == 1 ? cum : productByReshape(cum, SdOps.chunkExpansion(t, chunk), seq);
    }

    private static SDVariable productByReshape(SDVariable x, INDArray c, long seq) {
        return x.reshape(-1, c.size(0)).mmul(x.getSameDiff().constant(c)).reshape(-1, seq, c.size(1));
    }

    @Test
    void partitionerGateOnRowsEqualsReshapedForm() {
        Nd4j.getRandom().setSeed(8);
        long d = 4;
        for (int g : new int[]{1, 3}) {
            for (int chunk : new int[]{1, 2}) {
                for (long s : new long[]{1, 2}) {
                    long t = d / chunk;
                    ModalPartitionerBlock part = new ModalPartitionerBlock("part", d, chunk);
                    Map<String, INDArray> v = new LinkedHashMap<>();
                    v.put("w", g == 1 ? Nd4j.randn(DataType.DOUBLE, d, t) : Nd4j.randn(DataType.DOUBLE, g, d, t));
                    v.put("b", g == 1 ? Nd4j.randn(DataType.DOUBLE, 1, t) : Nd4j.randn(DataType.DOUBLE, g, 1, t));
                    v.put("x", input(g * 2L, s, d));
                    assertEqual(v, p -> gateByReshapes(p.get("x"), p.get("w"), p.get("b"), g, s, d, chunk),
                            p -> part.pairedGate(new ModalPartitionerBlock.Weights(p.get("w"), p.get("b"), p.get("w"),
                                    p.get("b"), g), p.get("x"), s), g * 2L, s, d);
                }
            }
        }
    }
}

package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Op counts per block and of the whole {@link PgmBlock} at the main job's configuration (D 32, N 1, SEQUENCE learners,
 * three vector modalities with masks), printed, so that where the ops of a step go can be read off the test output, and
 * checked, so that a change that adds ops shows (docs/performance.md, "Fewer ops per step").
 */
class OpCountsTest {

    private static final long D = 32;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static Map<String, SDVariable> vars(SameDiff sd, SdBlock block) {
        SDLayerParams lp = new SDLayerParams();
        block.defineParameters(lp);
        Map<String, SDVariable> p = new HashMap<>();
        lp.getParamShapes().forEach((k, shape) -> p.put(k, sd.var(k, Nd4j.randn(DataType.DOUBLE, shape))));
        return p;
    }

    private static OpCounts.Count block(SdBlock block, java.util.function.BiFunction<Map<String, SDVariable>,
            List<SDVariable>, SDVariable> apply, long[]... shapes) {
        return OpCounts.of(in -> apply.apply(vars(in.get(0).getSameDiff(), block), in), shapes);
    }

    private static OpCounts.Count print(String what, OpCounts.Count c) {
        System.out.println("  " + what + " " + c);
        return c;
    }

    @Test
    void opCountsAtMainConfig() {
        long[] bsd = {-1, 1, D};
        System.out.println("op counts (forward / forward+gradient):");
        LayerNormBlock ln = new LayerNormBlock("ln", D);
        assertEquals(9, print("layerNorm", block(ln, (p, in) -> ln.apply(p, in.get(0)), bsd)).forward());
        assertEquals(6, print("gelu", OpCounts.of(in -> SdOps.gelu(in.get(0)), bsd)).forward());
        FeedForwardBlock ffn = new FeedForwardBlock("f", D, 2 * D, D);
        assertEquals(12, print("ffn", block(ffn, (p, in) -> ffn.apply(p, in.get(0), 1), bsd)).forward());
        MultiHeadAttentionBlock mha = new MultiHeadAttentionBlock("a", D, 2);
        assertEquals(6, print("attention, one key", block(mha, (p, in) -> mha.apply(p, in.get(0), in.get(0),
                null, 1, 1), bsd)).forward());
        TransformerEncoderBlock enc = new TransformerEncoderBlock("e", D, 2, 2 * D);
        assertEquals(38, print("encoder block, one step", block(enc, (p, in) -> enc.apply(p, in.get(0), null, 1),
                bsd)).forward());

        long[] widths = {64, 16, 64};
        PgmOptions opts = PgmOptions.builder().width(D).iterations(1).learnerMode(LearnerMode.SEQUENCE).build();
        PgmBlock pgm = new PgmBlock(opts, widths);
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> p = vars(sd, pgm);
        List<SDVariable> xs = new ArrayList<>();
        List<SDVariable> masks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int m = 0; m < widths.length; m++) {
            xs.add(sd.placeHolder("x" + m, DataType.DOUBLE, -1, 1, widths[m]));
            masks.add(sd.placeHolder("mask" + m, DataType.DOUBLE, -1, 1));
            names.add("x" + m);
            names.add("mask" + m);
        }
        PgmBlock.Outputs o = pgm.define(p, xs, masks, new long[]{1, 1, 1});
        SDVariable loss = o.ufc.add(o.pfc).add(o.upr).sum();
        for (int m = 0; m < widths.length; m++) {
            loss = loss.add(o.uni.get(m).sum()).add(o.paired.get(m).sum());
        }
        loss.markAsLoss();
        // the loss's ops: 3 for the objectives, 4 per modality
        int lossOps = 3 + 4 * widths.length;
        OpCounts.Count pgmCount = print("PgmBlock (main config, with the test's loss)",
                OpCounts.of(sd, names.toArray(new String[0])));
        assertTrue(pgmCount.forward() - lossOps <= 258, "PgmBlock ops at main config: " + (pgmCount.forward() - lossOps));
    }
}

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

/**
 * Op counts per block and of the whole {@link PgmBlock} at the main job's configuration (D 32, N 1, SEQUENCE learners,
 * three vector modalities with masks), printed, so that where the ops of a step go can be read off the test output.
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
        SameDiff[] holder = new SameDiff[1];
        return OpCounts.of(in -> apply.apply(vars(in.get(0).getSameDiff(), block), in), shapes);
    }

    @Test
    void printOpCountsAtMainConfig() {
        long[] bsd = {-1, 1, D};
        System.out.println("op counts (forward / forward+gradient):");
        System.out.println("  layerNorm " + block(new LayerNormBlock("ln", D), (p, in) -> new LayerNormBlock("ln", D)
                .apply(p, in.get(0)), bsd));
        System.out.println("  gelu " + OpCounts.of(in -> SdOps.gelu(in.get(0)), bsd));
        FeedForwardBlock ffn = new FeedForwardBlock("f", D, 2 * D, D);
        System.out.println("  ffn " + block(ffn, (p, in) -> ffn.apply(p, in.get(0), 1), bsd));
        MultiHeadAttentionBlock mha = new MultiHeadAttentionBlock("a", D, 2);
        System.out.println("  attention, one key " + block(mha, (p, in) -> mha.apply(p, in.get(0), in.get(0),
                GateMasks.additive(in.get(1), -1e4), 1, 1), bsd, new long[]{-1, 1}));
        TransformerEncoderBlock enc = new TransformerEncoderBlock("e", D, 2, 2 * D);
        System.out.println("  encoder block, one step " + block(enc, (p, in) -> enc.apply(p, in.get(0),
                GateMasks.additive(in.get(1), -1e4), 1), bsd, new long[]{-1, 1}));

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
        System.out.println("  PgmBlock (main config) " + OpCounts.of(sd, names.toArray(new String[0])));
    }
}

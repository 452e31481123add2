package org.dl4jpgm.conf;

import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.LearnerSpec;
import org.dl4jpgm.blocks.MaskedLearnerBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One {@link LearnerSpec} carries a learner's hyperparameters from PgmOptions and the layer builder to the block. */
class LearnerSpecTest {

    private static final LearnerSpec SPEC = new LearnerSpec(LearnerMode.FEATURE, 2, 2, 0, 2, 8, -500,
            GateGradient.STRAIGHT_THROUGH_UNSCALED);

    @Test
    void theLayerBuilderTakesEveryField() {
        MaskedLearnerLayer layer = new MaskedLearnerLayer.Builder().spec(SPEC).width(6).build();
        assertEquals(SPEC, layer.learnerSpec());
        assertEquals(layer.block("").numParams(), new MaskedLearnerBlock("", 6, SPEC).numParams());
    }

    @Test
    void pgmOptionsGiveTheSpecOfBothLearners() {
        PgmOptions o = PgmOptions.builder().learnerMode(LearnerMode.FEATURE).learnerLayers(2).learnerHeads(2)
                .learnerChunkSize(2).tokenWidth(8).maskConstant(-500)
                .gateGradient(GateGradient.STRAIGHT_THROUGH_UNSCALED).build();
        assertEquals(SPEC, o.learnerSpec());
    }

    @Test
    void theFfnWidthDefaultsToFourTimesTheModelWidth() {
        assertEquals(32, SPEC.ffnSize(6), "FEATURE: 4 E");
        LearnerSpec sequence = new LearnerSpec(LearnerMode.SEQUENCE, 1, 2, 0, 1, 8, -1e4, GateGradient.NONE);
        assertEquals(24, sequence.ffnSize(6), "SEQUENCE: 4 D");
        assertEquals(5, new LearnerSpec(LearnerMode.SEQUENCE, 1, 2, 5, 1, 8, -1e4, GateGradient.NONE).ffnSize(6));
        assertTrue(SPEC.unscaledMaskGradient());
        assertFalse(sequence.unscaledMaskGradient());
    }

    /** PgM's options and the learner layer reject a width through the same check, with the same words. */
    @Test
    void oneWidthCheckForOptionsAndLayer() {
        String expected = "in FEATURE mode chunkSize must divide D; found D = 6, chunkSize = 4";
        IllegalArgumentException options = assertThrows(IllegalArgumentException.class,
                () -> PgmOptions.builder().learnerMode(LearnerMode.FEATURE).learnerChunkSize(4).width(6).build());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                () -> new MaskedLearnerLayer.Builder().mode(LearnerMode.FEATURE).chunkSize(4).width(6).build());
        assertTrue(options.getMessage().endsWith(expected), options.getMessage());
        assertTrue(layer.getMessage().endsWith(expected), layer.getMessage());
    }
}

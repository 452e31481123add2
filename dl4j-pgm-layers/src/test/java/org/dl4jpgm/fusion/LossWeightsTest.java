package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Eq. 12's weights per stage of the two-stage training (Sec. 4.2). */
class LossWeightsTest {

    @Test
    void stageOnePretrainsOnTheObjectiveAloneStageTwoUsesTheJointWeights() {
        LossWeights joint = new LossWeights(0.25, 2);
        assertEquals(new LossWeights(1, 0), LossWeights.forStage(1, joint));
        assertSame(joint, LossWeights.forStage(2, joint));
        assertEquals(new LossWeights(0.5, 1), LossWeights.JOINT, "the paper's α = 0.5, β = 1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossWeights.forStage(3, joint));
        assertEquals("LossWeights: the training has stages 1 and 2, found 3", e.getMessage());
    }
}

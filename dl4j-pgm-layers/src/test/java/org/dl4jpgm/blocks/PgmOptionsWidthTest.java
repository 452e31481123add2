package org.dl4jpgm.blocks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The common width D is inferred and validated in one place, {@link PgmOptions#resolveWidth}. */
class PgmOptionsWidthTest {

    private static final long[] WIDTHS = {4, 8, 6};

    @Test
    void anUnsetWidthIsTheLargestInputWidth() {
        PgmOptions unset = PgmOptions.builder().learnerMode(LearnerMode.SEQUENCE).build();
        assertEquals(0, unset.getWidth());
        assertEquals(8, unset.resolveWidth(WIDTHS).getWidth());
        assertEquals(unset.resolveWidth(WIDTHS).toBuilder().build(), unset.withWidth(8));
        assertEquals(new PgmBlock(unset.withWidth(8), WIDTHS).parameterCounts(),
                new PgmBlock(unset, WIDTHS).parameterCounts(), "the block resolves D itself");
    }

    @Test
    void aConfiguredWidthIsKept() {
        PgmOptions set = PgmOptions.builder().width(6).learnerMode(LearnerMode.SEQUENCE).build();
        assertEquals(6, set.resolveWidth(WIDTHS).getWidth());
    }

    @Test
    void theResolvedWidthIsValidated() {
        PgmOptions heads = PgmOptions.builder().learnerMode(LearnerMode.SEQUENCE).learnerHeads(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> heads.resolveWidth(WIDTHS));
        assertTrue(e.getMessage().startsWith("PgmOptions (learnerHeads, learnerChunkSize, tokenWidth): in SEQUENCE mode "
                + "the number of heads must divide D; found D = 8, heads = 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PgmBlock(heads, WIDTHS));
        assertTrue(e.getMessage().contains("found D = 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PgmOptions.builder().build().withWidth(0));
        assertEquals("PgmOptions: the common width D must be positive, found 0", e.getMessage());
    }
}

/**
 * PgM's building blocks as plain SameDiff classes: each declares its parameters and adds its ops to a given
 * {@code SameDiff} on the internal layout {@code [B, S, D]}, so the DL4J layers and the composite model reuse them.
 * {@link org.dl4jpgm.blocks.ModalPartitionerBlock} (Eq. 1-3), {@link org.dl4jpgm.blocks.GateMasks} (Eq. 4, 6),
 * {@link org.dl4jpgm.blocks.MaskedLearnerBlock} (Eq. 5) over {@link org.dl4jpgm.blocks.TransformerEncoderBlock}s,
 * {@link org.dl4jpgm.blocks.UniPairedDecoderBlock} (Eq. 7), and the elementary ops in
 * {@link org.dl4jpgm.blocks.SdOps}. Masks: 1 = keep, 0 = masked. Design notes: {@code docs/design.md}.
 */
package org.dl4jpgm.blocks;

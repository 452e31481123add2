/**
 * PgM's building blocks as plain SameDiff classes: each declares its parameters and adds its ops to a given
 * {@code SameDiff} on the internal layout {@code [B, S, D]}, so the DL4J layers and the composite model reuse them.
 * The contract is {@link org.dl4jpgm.blocks.SdBlock} (blocks made of blocks:
 * {@link org.dl4jpgm.blocks.CompositeBlock}).
 * One class per equation: {@link org.dl4jpgm.blocks.ModalPartitionerBlock} (Eq. 1-3),
 * {@link org.dl4jpgm.blocks.GateMasks} (Eq. 4, 6), {@link org.dl4jpgm.blocks.MultiHeadAttentionBlock} (Eq. 5) in the
 * {@link org.dl4jpgm.blocks.MaskedLearnerBlock} (Eq. 5-6), {@link org.dl4jpgm.blocks.UniPairedDecoderBlock} (Eq. 7),
 * {@link org.dl4jpgm.blocks.UfcObjective} (Eq. 8), {@link org.dl4jpgm.blocks.PfcObjective} (Eq. 9),
 * {@link org.dl4jpgm.blocks.UprObjective} (Eq. 10), {@link org.dl4jpgm.blocks.PgmObjective} (Eq. 11),
 * {@link org.dl4jpgm.blocks.PgmHeadBlock} (Eq. 13-14); {@link org.dl4jpgm.blocks.PgmBlock} runs the N iterations;
 * elementary ops in {@link org.dl4jpgm.blocks.SdOps}. Masks: 1 = keep, 0 = masked. Design notes and the table of
 * equations: {@code docs/design.md}.
 */
package org.dl4jpgm.blocks;

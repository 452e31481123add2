/**
 * PgM transferred into host models (the paper's Table 4): DL4J graphs with the structure of Self-MM
 * ({@link org.dl4jpgm.examples.transfer.SelfMmHost}, uni-modal labels by {@link org.dl4jpgm.examples.transfer.Ulgm}),
 * MMIM ({@link org.dl4jpgm.examples.transfer.MmimHost}, CPC terms {@link org.dl4jpgm.examples.transfer.CpcLoss}) and
 * MulT ({@link org.dl4jpgm.examples.transfer.MultHost}), each with a fusion vertex that
 * {@link org.dl4jpgm.fusion.PgmFusion} replaces ({@link org.dl4jpgm.examples.transfer.HostModel}); training with the
 * hosts' auxiliary labels and epoch selection on the validation split
 * ({@link org.dl4jpgm.examples.transfer.HostTrainer}); the command line
 * {@link org.dl4jpgm.examples.transfer.TransferMain}. docs/transfer.md describes the hosts and what they simplify.
 */
package org.dl4jpgm.examples.transfer;

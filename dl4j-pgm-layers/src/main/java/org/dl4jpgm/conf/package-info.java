/**
 * DL4J configuration classes (and their runtimes where DL4J's stock ones do not serve).
 * <ul>
 *   <li>What {@code org.dl4jpgm.fusion} puts in a graph: {@link org.dl4jpgm.conf.ModalityPackVertex} (the M
 *   modalities packed into one input, no parameters), {@link org.dl4jpgm.conf.PgmLayer} (the whole model, Eq. 1-11,
 *   runtime {@link org.dl4jpgm.conf.PgmLayerRuntime}), {@link org.dl4jpgm.conf.PgmHeadLayer} (Eq. 13-14),
 *   {@link org.dl4jpgm.conf.StepMeanPoolingLayer} and {@link org.dl4jpgm.conf.LinearFusionLayer} (baselines), and
 *   Eq. 12's weights: {@link org.dl4jpgm.conf.LossWeights} (α on the PgM layer, β through
 *   {@link org.dl4jpgm.conf.WeightedLoss} around each task loss); {@link org.dl4jpgm.conf.BoundBatchNormalization}
 *   (DL4J's batch normalisation with a runtime on bound ops, the same results) standardises PgM's features before
 *   its head where asked.</li>
 *   <li>Research blocks, PgM's components one by one ({@link org.dl4jpgm.conf.ModalPartitionerLayer},
 *   {@link org.dl4jpgm.conf.MaskedLearnerLayer}, {@link org.dl4jpgm.conf.UniPairedDecoderVertex}): for studying a
 *   component in a graph of one's own (the {@code Demo} main, the reference learner of Table 5). They cannot share
 *   weights across modalities and iterations, so PgM itself is the one {@code PgmLayer}; the decoder vertex's
 *   parameters are left out of DL4J's {@code numParams()} (a SameDiff vertex).</li>
 * </ul>
 * Inputs are {@code [B, D, S]} (NCW), {@code [B, S, D]} (NWC) or feed-forward {@code [B, D]}; sequence masks are
 * {@code [B, S]}, 1 = real step, 0 = padding. Depends on {@code blocks} and {@code impl} only.
 */
package org.dl4jpgm.conf;

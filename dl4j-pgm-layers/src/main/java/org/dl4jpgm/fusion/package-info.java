/**
 * The drop-in API: PgM (or a Table 2 baseline) in place of the fusion step of a DL4J {@code ComputationGraph}.
 * <ul>
 *   <li>{@link org.dl4jpgm.fusion.PgmFusion}: adds a fusion to a graph builder, or replaces the fusion vertex of a
 *   configuration or a trained graph; {@link org.dl4jpgm.fusion.FusionSpec} says what to build,
 *   {@link org.dl4jpgm.fusion.Fused} and {@link org.dl4jpgm.fusion.PgmGraph} name what was added;</li>
 *   <li>the DL4J configuration classes and their runtimes: {@link org.dl4jpgm.conf.ModalityPackVertex} (the M
 *   modalities packed into one input), {@link org.dl4jpgm.conf.PgmLayer} (the whole model, Eq. 1-11, one layer),
 *   {@link org.dl4jpgm.conf.PgmHeadLayer} (Eq. 13-14), {@link org.dl4jpgm.conf.LinearFusionLayer} and
 *   {@link org.dl4jpgm.conf.WeightedLoss} (β of Eq. 12 around a task loss);</li>
 *   <li>training: {@link org.dl4jpgm.train.TwoStageTrainer} with {@link org.dl4jpgm.train.TrainerOptions} (the
 *   paper's two stages, checkpoints, the non-finite watchdog), {@link org.dl4jpgm.conf.LossWeights} (Eq. 12),
 *   {@link org.dl4jpgm.train.PgmObjectiveListener} (UFC, PFC, UPR per epoch);</li>
 *   <li>analysis: {@link org.dl4jpgm.fusion.PartitionStatistics} (the uni/paired shares of Fig. 4).</li>
 * </ul>
 * Depends on {@code org.dl4jpgm.blocks} (the model's SameDiff blocks), {@code org.dl4jpgm.conf} (layouts) and
 * {@code org.dl4jpgm.impl} (the corrected SameDiff runtimes); nothing depends on it inside this module.
 */
package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LinearFusionLayer;
import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.conf.ModalityPackVertex;
import org.dl4jpgm.conf.PgmHeadLayer;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.conf.WeightedLoss;
import org.dl4jpgm.train.PgmObjectiveListener;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;

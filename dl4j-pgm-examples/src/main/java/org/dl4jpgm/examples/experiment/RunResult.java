package org.dl4jpgm.examples.experiment;

import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.fusion.PartitionStatistics;

import java.util.List;

/**
 * One trained and evaluated model: a fusion at one seed.
 *
 * @param choice     the fusion
 * @param seed       the seed
 * @param metrics    ACC and weighted F1 (classification) or MAE and Pearson correlation (regression) on the test split
 * @param parameters total trainable parameters of the graph
 * @param seconds    wall time of training and evaluation
 * @param history    one record per epoch
 * @param partitions per-modality uni/paired/overlap shares on the test split (PgM with a partitioner only, else null)
 */
public record RunResult(FusionChoice choice, long seed, TaskMetrics metrics, long parameters, double seconds,
                        List<EpochRecord> history, List<PartitionStatistics.ModalityPartition> partitions) {
}

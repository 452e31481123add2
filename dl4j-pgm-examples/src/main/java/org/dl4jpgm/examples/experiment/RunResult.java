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
 * @param selection  what the validation split chose, or null: no selection (the last epoch, the given rate)
 */
public record RunResult(FusionChoice choice, long seed, TaskMetrics metrics, long parameters, double seconds,
                        List<EpochRecord> history, List<PartitionStatistics.ModalityPartition> partitions,
                        Selection selection) {

    /** A run without validation selection. */
    public RunResult(FusionChoice choice, long seed, TaskMetrics metrics, long parameters, double seconds,
                     List<EpochRecord> history, List<PartitionStatistics.ModalityPartition> partitions) {
        this(choice, seed, metrics, parameters, seconds, history, partitions, null);
    }

    /**
     * What the validation split chose for a run.
     *
     * @param learningRate    the model part's learning rate (one of the sweep's, or the only one)
     * @param epoch           the stage-2 epoch whose parameters were kept, from 1
     * @param validationScore its {@link TaskMetrics#selectionScore()} on the validation split
     */
    public record Selection(double learningRate, int epoch, double validationScore) {
    }
}

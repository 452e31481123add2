package org.dl4jpgm.spark;

import org.dl4jpgm.conf.LossWeights;

/**
 * How {@link SparkPgmTrainer} trains: the epochs of PgM's two stages, the joint stage's weights, and the parameter
 * averaging settings of dl4j-spark (batch size per worker, averaging frequency, worker prefetch, training statistics).
 */
public final class SparkTrainingOptions {

    private int stage1Epochs = 1;
    private int stage2Epochs = 2;
    private LossWeights joint = LossWeights.JOINT;
    private int batchSizePerWorker = 32;
    private int averagingFrequency = 2;
    private int prefetchBatches = 0;
    private boolean collectStats = false;
    private String exportDirectory;
    private long seed = 12345L;

    private SparkTrainingOptions() {
    }

    /** PgM pre-training epochs (stage 1: L_P alone, β = 0); a baseline has none. */
    public int getStage1Epochs() {
        return stage1Epochs;
    }

    /** Joint epochs (stage 2: α L_P + β L_T), the only stage of a baseline. */
    public int getStage2Epochs() {
        return stage2Epochs;
    }

    /** The weights of stage 2 (default α = 0.5, β = 1, Eq. 12). */
    public LossWeights getJoint() {
        return joint;
    }

    /** Examples per minibatch on each worker (the Export approach re-batches the RDD to this size). */
    public int getBatchSizePerWorker() {
        return batchSizePerWorker;
    }

    /** Minibatches each worker fits between two parameter averagings. */
    public int getAveragingFrequency() {
        return averagingFrequency;
    }

    /** Minibatches each worker loads ahead (0 = none). */
    public int getPrefetchBatches() {
        return prefetchBatches;
    }

    /** Whether dl4j-spark records its per-round timings ({@link SparkPgmTrainer.EpochResult#stats()}). */
    public boolean isCollectStats() {
        return collectStats;
    }

    /**
     * Where the Export approach writes the re-batched training data (a folder every worker reads: a shared file
     * system on a cluster); null = dl4j-spark's default under the Hadoop temporary folder.
     */
    public String getExportDirectory() {
        return exportDirectory;
    }

    /** Seed of dl4j-spark's random splits of the data into averaging rounds. */
    public long getSeed() {
        return seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults above. */
    public static final class Builder {
        private final SparkTrainingOptions o = new SparkTrainingOptions();

        public Builder stage1Epochs(int n) {
            o.stage1Epochs = nonNegative("stage1Epochs", n);
            return this;
        }

        public Builder stage2Epochs(int n) {
            o.stage2Epochs = nonNegative("stage2Epochs", n);
            return this;
        }

        public Builder joint(LossWeights w) {
            o.joint = w;
            return this;
        }

        public Builder batchSizePerWorker(int n) {
            o.batchSizePerWorker = positive("batchSizePerWorker", n);
            return this;
        }

        public Builder averagingFrequency(int n) {
            o.averagingFrequency = positive("averagingFrequency", n);
            return this;
        }

        public Builder prefetchBatches(int n) {
            o.prefetchBatches = nonNegative("prefetchBatches", n);
            return this;
        }

        public Builder collectStats(boolean c) {
            o.collectStats = c;
            return this;
        }

        public Builder exportDirectory(String dir) {
            o.exportDirectory = dir;
            return this;
        }

        public Builder seed(long s) {
            o.seed = s;
            return this;
        }

        public SparkTrainingOptions build() {
            return o;
        }

        private static int positive(String name, int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("SparkTrainingOptions: " + name + " must be > 0, found " + n);
            }
            return n;
        }

        private static int nonNegative(String name, int n) {
            if (n < 0) {
                throw new IllegalArgumentException("SparkTrainingOptions: " + name + " must be >= 0, found " + n);
            }
            return n;
        }
    }
}

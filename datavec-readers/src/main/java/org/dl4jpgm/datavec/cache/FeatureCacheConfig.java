package org.dl4jpgm.datavec.cache;

/** Options of {@link FeatureCache}. Every option has a default; {@link Builder#build()} validates. */
public final class FeatureCacheConfig {

    /** What {@link FeatureCache#getOrCompute} does with a stale or damaged entry. */
    public enum OnStale {
        /** Log why, recompute and overwrite (default). */
        REBUILD,
        /** Throw {@link StaleFeatureCacheException}. */
        FAIL
    }

    /** Default {@link OnStale#REBUILD}. */
    private OnStale onStale = OnStale.REBUILD;
    /** Items per extractor call; default 32. */
    private int batchSize = 32;
    /** Draw a progress bar on stderr while extracting; default true. */
    private boolean progress = true;
    /** Least milliseconds between progress redraws; default 500. */
    private long progressIntervalMs = 500;

    private FeatureCacheConfig() {
    }

    public OnStale getOnStale() {
        return onStale;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public boolean isProgress() {
        return progress;
    }

    public long getProgressIntervalMs() {
        return progressIntervalMs;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link FeatureCacheConfig}. */
    public static final class Builder {
        private final FeatureCacheConfig c = new FeatureCacheConfig();

        public Builder onStale(OnStale s) {
            c.onStale = s;
            return this;
        }

        public Builder batchSize(int b) {
            c.batchSize = b;
            return this;
        }

        public Builder progress(boolean p) {
            c.progress = p;
            return this;
        }

        public Builder progressIntervalMs(long ms) {
            c.progressIntervalMs = ms;
            return this;
        }

        /** @return the config; fails naming the bad value */
        public FeatureCacheConfig build() {
            if (c.batchSize < 1) {
                throw new IllegalArgumentException("FeatureCacheConfig: batchSize must be >= 1, found " + c.batchSize);
            }
            if (c.onStale == null) {
                throw new IllegalArgumentException("FeatureCacheConfig: onStale must not be null");
            }
            if (c.progressIntervalMs < 0) {
                throw new IllegalArgumentException("FeatureCacheConfig: progressIntervalMs must be >= 0, found "
                        + c.progressIntervalMs);
            }
            FeatureCacheConfig r = new FeatureCacheConfig();
            r.onStale = c.onStale;
            r.batchSize = c.batchSize;
            r.progress = c.progress;
            r.progressIntervalMs = c.progressIntervalMs;
            return r;
        }
    }
}

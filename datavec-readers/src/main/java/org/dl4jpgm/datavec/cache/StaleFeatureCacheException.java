package org.dl4jpgm.datavec.cache;

import java.io.IOException;

/** A cache entry that does not belong to the requested encoder and dataset, or whose data is damaged. */
public final class StaleFeatureCacheException extends IOException {
    public StaleFeatureCacheException(String message) {
        super(message);
    }
}

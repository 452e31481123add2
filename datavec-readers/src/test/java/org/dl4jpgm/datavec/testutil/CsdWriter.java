package org.dl4jpgm.datavec.testutil;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes CMU-MultimodalSDK computational sequences with jhdf's HDF5 writer, in the SDK's layout:
 * {@code /<root>/data/<video>/features}, {@code /<root>/data/<video>/intervals}, {@code /<root>/metadata/<key>}
 * (a [1] string holding JSON). jhdf writes the metadata strings fixed-length where h5py writes them variable-length;
 * the reader is checked against an h5py-written file too.
 */
public final class CsdWriter {

    private CsdWriter() {
    }

    /** One video: numeric features [n, D] (or words [n, 1]) and intervals [n, 2]. */
    public static final class Video {
        final Object features;
        final double[][] intervals;

        public Video(double[][] features, double[][] intervals) {
            this.features = features;
            this.intervals = intervals;
        }

        public Video(String[][] words, double[][] intervals) {
            this.features = words;
            this.intervals = intervals;
        }
    }

    /** Writes {@code file}; {@code skipIntervals} leaves the intervals dataset out (for error tests). */
    public static void write(Path file, String root, Map<String, Video> videos, Map<String, String> metadataJson,
                             boolean skipIntervals) {
        try (WritableHdfFile h = HdfFile.write(file)) {
            WritableGroup r = h.putGroup(root);
            WritableGroup data = r.putGroup("data");
            for (Map.Entry<String, Video> v : videos.entrySet()) {
                WritableGroup g = data.putGroup(v.getKey());
                g.putDataset("features", v.getValue().features);
                if (!skipIntervals) {
                    g.putDataset("intervals", v.getValue().intervals);
                }
            }
            WritableGroup meta = r.putGroup("metadata");
            for (Map.Entry<String, String> m : metadataJson.entrySet()) {
                meta.putDataset(m.getKey(), new String[]{m.getValue()});
            }
        }
    }
}

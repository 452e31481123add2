package org.dl4jpgm.datavec.testutil;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.checksum.ChecksumUtils;

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

    /**
     * Writes {@code file} as {@link #write} does, then makes every fixed-length string datatype what h5py writes for
     * a numpy byte-string array ({@code S<n>}, as the SDK stores words): character set ASCII, NUL padded (jhdf writes
     * UTF-8, NUL terminated). The strings' bytes stay the UTF-8 bytes jhdf wrote, as the SDK's encoded words are.
     * The object header chunks holding a changed datatype get their checksum recomputed.
     */
    public static void writeAsH5py(Path file, String root, Map<String, Video> videos, Map<String, String> metadataJson)
            throws java.io.IOException {
        write(file, root, videos, metadataJson, false);
        byte[] b = java.nio.file.Files.readAllBytes(file);
        int changed = 0;
        for (int start = indexOf(b, OHDR, 0); start >= 0; start = indexOf(b, OHDR, start + 4)) {
            int flags = b[start + 5] & 0xFF;
            int p = start + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int sizeLen = 1 << (flags & 0x03);
            long chunk = 0;
            for (int i = 0; i < sizeLen; i++) {
                chunk |= (long) (b[p + i] & 0xFF) << (8 * i);
            }
            p += sizeLen;
            int end = (int) (p + chunk); // the checksum follows
            boolean patched = false;
            while (p + 4 <= end) {
                int type = b[p] & 0xFF;
                int size = (b[p + 1] & 0xFF) | (b[p + 2] & 0xFF) << 8;
                int mflags = b[p + 3] & 0xFF;
                int data = p + 4 + ((flags & 0x04) != 0 ? 2 : 0);
                if (type == 0x03 && (b[data] & 0x0F) == 3) { // datatype message of class string
                    b[data + 1] = 0x01; // padding NULLPAD (1), character set ASCII (0)
                    patched = true;
                    changed++;
                }
                p = data + size;
                if (mflags < 0) {
                    break;
                }
            }
            if (patched) {
                int sum = ChecksumUtils.checksum(java.util.Arrays.copyOfRange(b, start, end));
                for (int i = 0; i < 4; i++) {
                    b[end + i] = (byte) (sum >> (8 * i));
                }
            }
        }
        if (changed == 0) {
            throw new IllegalStateException("CsdWriter: no fixed-length string datatype found in " + file);
        }
        java.nio.file.Files.write(file, b);
    }

    private static final byte[] OHDR = {'O', 'H', 'D', 'R'};

    private static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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

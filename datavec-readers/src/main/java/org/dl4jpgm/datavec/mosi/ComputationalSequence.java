package org.dl4jpgm.datavec.mosi;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.object.datatype.StringData;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.Utf8;

import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One CMU-MultimodalSDK computational sequence ({@code .csd}), an HDF5 file laid out as the SDK's
 * {@code write_CSD} writes it:
 * <pre>
 * /&lt;root name&gt;/data/&lt;video id&gt;/features    [n, D] numbers, or [n, 1] byte strings (words)
 * /&lt;root name&gt;/data/&lt;video id&gt;/intervals   [n, 2] start and end time in seconds
 * /&lt;root name&gt;/metadata/&lt;key&gt;               [1] string holding JSON
 * </pre>
 * Read with jhdf (pure Java). Metadata strings may be variable-length (h5py) or fixed-length. Words in a fixed-length
 * byte-string dataset (h5py's {@code S<n>}: declared ASCII, holding the SDK's UTF-8 bytes) are decoded as strict
 * UTF-8 from their raw bytes; a byte sequence that is not UTF-8 is an error naming the dataset and the element.
 */
public final class ComputationalSequence {

    /** The features and intervals of one video. */
    public static final class Entry {
        private final double[][] features;
        private final String[] words;
        private final double[][] intervals;

        Entry(double[][] features, String[] words, double[][] intervals) {
            this.features = features;
            this.words = words;
            this.intervals = intervals;
        }

        /** @return numeric features [n, D], or null for a word sequence */
        public double[][] features() {
            return features;
        }

        /** @return the words [n] of a word sequence, or null for numeric features */
        public String[] words() {
            return words;
        }

        /** @return the [start, end] time of every row [n, 2] */
        public double[][] intervals() {
            return intervals;
        }

        /** @return n, the number of rows */
        public int rows() {
            return intervals.length;
        }
    }

    private final Path file;
    private final String rootName;
    private final Map<String, String> metadata;
    private final Map<String, Entry> data;

    private ComputationalSequence(Path file, String rootName, Map<String, String> metadata, Map<String, Entry> data) {
        this.file = file;
        this.rootName = rootName;
        this.metadata = metadata;
        this.data = data;
    }

    /**
     * Reads a .csd file whole.
     *
     * @throws DataFormatException naming the file and the HDF5 path for a truncated or non-HDF5 file, a missing
     *                             group or dataset, a wrong shape, or rows that differ between features and intervals
     */
    public static ComputationalSequence read(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file); HdfFile h = open(file, ch)) {
            Map<String, Node> top = h.getChildren();
            if (top.size() != 1 || !(top.values().iterator().next() instanceof Group)) {
                throw new DataFormatException(file, "/", "exactly one root group (the sequence name)",
                        top.keySet().toString());
            }
            Group root = (Group) top.values().iterator().next();
            String rootPath = "/" + root.getName();
            Node dataNode = root.getChild("data");
            if (!(dataNode instanceof Group)) {
                throw new DataFormatException(file, rootPath, "a group 'data'", "children " + root.getChildren().keySet());
            }
            Map<String, String> meta = new LinkedHashMap<>();
            Node metaNode = root.getChild("metadata");
            if (metaNode instanceof Group) {
                for (Map.Entry<String, Node> e : ((Group) metaNode).getChildren().entrySet()) {
                    if (e.getValue() instanceof Dataset) {
                        Object v = ((Dataset) e.getValue()).getData();
                        Object first = v != null && v.getClass().isArray() && Array.getLength(v) > 0 ? Array.get(v, 0) : v;
                        meta.put(e.getKey(), String.valueOf(first));
                    }
                }
            }
            Map<String, Entry> data = new java.util.TreeMap<>(); // video ids in name order, as h5py iterates them
            for (Map.Entry<String, Node> e : ((Group) dataNode).getChildren().entrySet()) {
                String where = rootPath + "/data/" + e.getKey();
                if (!(e.getValue() instanceof Group)) {
                    throw new DataFormatException(file, where, "a group per video", "a dataset");
                }
                Group g = (Group) e.getValue();
                Dataset f = dataset(file, g, where, "features");
                Dataset iv = dataset(file, g, where, "intervals");
                double[][] intervals = matrix(file, where + "/intervals", iv);
                for (double[] row : intervals) {
                    if (row.length != 2) {
                        throw new DataFormatException(file, where + "/intervals", "shape [n, 2]",
                                java.util.Arrays.toString(iv.getDimensions()));
                    }
                }
                double[][] features = null;
                String[] words = null;
                if (f.getDataType() instanceof StringData) {
                    words = fixedLengthWords(file, where + "/features", f);
                } else if (f.getJavaType() == String.class) {
                    Object[] w = flatStrings(f.getData());
                    words = new String[w.length];
                    for (int i = 0; i < w.length; i++) {
                        words[i] = String.valueOf(w[i]);
                    }
                } else {
                    features = matrix(file, where + "/features", f);
                }
                int n = features != null ? features.length : words.length;
                if (n != intervals.length) {
                    throw new DataFormatException(file, where, "as many feature rows as intervals ("
                            + intervals.length + ")", n + " feature rows");
                }
                data.put(e.getKey(), new Entry(features, words, intervals));
            }
            return new ComputationalSequence(file, root.getName(), Collections.unmodifiableMap(meta),
                    Collections.unmodifiableMap(data));
        } catch (DataFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataFormatException(file, sizeOf(file), "a complete HDF5 computational sequence",
                    e.getClass().getSimpleName() + ": " + e.getMessage() + " (truncated or not HDF5?)", e);
        } catch (java.io.IOException e) {
            throw new DataFormatException(file, "", "a readable HDF5 computational sequence",
                    e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the file through a read-only memory map (files under 2 GiB): jhdf then slices the map for every object
     * header, heap and B-tree node instead of allocating a buffer of the size the file declares, so that a corrupt
     * size field of, say, 2^31 - 1 fails on the bounds of the map at once rather than exhausting the heap.
     */
    private static HdfFile open(Path file, java.nio.channels.FileChannel ch) throws java.io.IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE) {
            return new HdfFile(file);
        }
        return HdfFile.fromByteBuffer(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size));
    }

    /** @return "file of N bytes", for messages about unreadable files */
    static String sizeOf(Path file) {
        try {
            return "file of " + java.nio.file.Files.size(file) + " bytes";
        } catch (java.io.IOException e) {
            return "unreadable file";
        }
    }

    private static Dataset dataset(Path file, Group g, String where, String name) {
        Node n = g.getChild(name);
        if (!(n instanceof Dataset)) {
            throw new DataFormatException(file, where, "a dataset '" + name + "'", "children " + g.getChildren().keySet());
        }
        return (Dataset) n;
    }

    /**
     * The elements of a fixed-length string dataset ({@code S<n>} as h5py writes numpy byte strings: ASCII character
     * set, NUL padded, the SDK's words UTF-8 encoded inside) from their raw bytes, decoded as strict UTF-8 whatever
     * the character set the file declares: jhdf would decode the declared ASCII and turn every non-ASCII byte into
     * U+FFFD.
     *
     * @throws DataFormatException {@code <file>, <dataset path>, element <i>, byte <k>: expected UTF-8 encoded text,
     *                             found the byte 0xXX, which is not valid UTF-8 there (element bytes <hex>)}
     */
    private static String[] fixedLengthWords(Path file, String where, Dataset d) {
        StringData t = (StringData) d.getDataType();
        if (!(d instanceof DatasetBase)) {
            throw new DataFormatException(file, where, "a dataset whose raw bytes can be read",
                    d.getClass().getSimpleName());
        }
        java.nio.ByteBuffer b = ((DatasetBase) d).getDataBuffer();
        int size = t.getSize();
        long n = d.getSize();
        if ((long) b.remaining() < n * size) {
            throw new DataFormatException(file, where, n + " strings of " + size + " bytes", b.remaining() + " bytes");
        }
        String[] out = new String[(int) n];
        byte[] e = new byte[size];
        for (int i = 0; i < n; i++) {
            b.get(b.position() + i * size, e, 0, size);
            int len = size;
            if (t.getPaddingType() == StringData.PaddingType.SPACE_PADDED) {
                while (len > 0 && e[len - 1] == ' ') {
                    len--;
                }
            } else {
                for (int k = 0; k < size; k++) {
                    if (e[k] == 0) {
                        len = k;
                        break;
                    }
                }
            }
            byte[] word = java.util.Arrays.copyOf(e, len);
            Utf8.Malformed bad = Utf8.find(word);
            if (bad != null) {
                StringBuilder hex = new StringBuilder();
                for (byte x : word) {
                    hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xFF));
                }
                throw new DataFormatException(file, where + ", element " + i + ", byte " + bad.offset(),
                        "UTF-8 encoded text", bad.found() + " (element bytes " + hex + ")");
            }
            out[i] = new String(word, StandardCharsets.UTF_8);
        }
        return out;
    }

    private static Object[] flatStrings(Object o) {
        java.util.List<Object> out = new java.util.ArrayList<>();
        flatten(o, out);
        return out.toArray();
    }

    private static void flatten(Object o, java.util.List<Object> out) {
        if (o != null && o.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(o); i++) {
                flatten(Array.get(o, i), out);
            }
        } else {
            out.add(o);
        }
    }

    private static double[][] matrix(Path file, String where, Dataset d) {
        int[] dims = d.getDimensions();
        if (dims.length != 2) {
            throw new DataFormatException(file, where, "a 2-D numeric dataset [n, D]",
                    "shape " + java.util.Arrays.toString(dims) + " of " + d.getJavaType().getSimpleName());
        }
        Object data = d.getData();
        double[][] out = new double[dims[0]][dims[1]];
        for (int r = 0; r < dims[0]; r++) {
            Object row = Array.get(data, r);
            for (int c = 0; c < dims[1]; c++) {
                Object v = Array.get(row, c);
                if (!(v instanceof Number)) {
                    throw new DataFormatException(file, where, "numbers", String.valueOf(v));
                }
                out[r][c] = ((Number) v).doubleValue();
            }
        }
        return out;
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /** @return the name of the root group (the sequence's name) */
    public String rootName() {
        return rootName;
    }

    /** @return metadata key &rarr; JSON text */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return video id &rarr; entry, ids in name order (h5py's and the SDK's iteration order) */
    public Map<String, Entry> data() {
        return data;
    }
}

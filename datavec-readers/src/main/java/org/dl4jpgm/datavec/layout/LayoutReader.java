package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a dataset directory in the project's layout (see {@link DatasetDescriptor} and
 * {@code docs/datasets-embedded.md}). Every split read is fully validated: missing files, headers,
 * dtypes, row counts across modalities and targets, ids that differ between target files, unknown
 * class names, unparsable or non-finite numbers, NaN/Inf features, lengths out of range and empty
 * splits each give a {@link DatasetFormatException} naming the file, the line or row, what was
 * expected and what was found.
 */
public final class LayoutReader {

    private final Path root;
    private final DatasetDescriptor descriptor;

    /**
     * Opens a dataset root and reads its {@code dataset.json}.
     *
     * @throws DatasetFormatException if the descriptor is missing or invalid
     */
    public LayoutReader(Path root) {
        this.root = root;
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException(root, -1, "expected a dataset directory, found "
                    + (Files.exists(root) ? "a file" : "nothing"));
        }
        this.descriptor = DatasetDescriptor.read(root);
    }

    /** The dataset root. */
    public Path root() {
        return root;
    }

    /** The parsed {@code dataset.json}. */
    public DatasetDescriptor descriptor() {
        return descriptor;
    }

    /**
     * Reads and validates one split.
     *
     * @param split a split declared in {@code dataset.json}
     */
    public SplitData readSplit(String split) {
        if (!descriptor.getSplits().contains(split)) {
            throw new IllegalArgumentException("dataset '" + descriptor.getName() + "': no split \"" + split
                    + "\"; declared splits: " + descriptor.getSplits());
        }
        Path dir = root.resolve(split);
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException(dir, -1, "expected the folder of split '" + split
                    + "' (declared in dataset.json), found no such folder");
        }
        // The default target defines N and the ids; every other file must agree with it.
        TargetSpec def = descriptor.getDefaultTarget();
        Path defFile = dir.resolve(def.getFile());
        LabelCsv.Rows defRows = LabelCsv.read(defFile, def);
        List<String> ids = defRows.ids();
        int n = ids.size();
        if (n == 0) {
            throw new DatasetFormatException(defFile, -1, "expected at least one example in split '" + split
                    + "', found none (empty split)");
        }
        Map<String, List<String>> labels = new LinkedHashMap<>();
        labels.put(def.getName(), defRows.labels());
        for (TargetSpec t : descriptor.getTargets()) {
            if (t == def || t.getName().equals(def.getName())) {
                continue;
            }
            Path f = dir.resolve(t.getFile());
            LabelCsv.Rows r = LabelCsv.read(f, t);
            if (r.ids().size() != n) {
                throw new DatasetFormatException(f, -1, "target '" + t.getName() + "': expected " + n
                        + " rows (as in " + def.getFile() + "), found " + r.ids().size());
            }
            for (int i = 0; i < n; i++) {
                if (!r.ids().get(i).equals(ids.get(i))) {
                    throw new DatasetFormatException(f, i + 2, "expected id \"" + ids.get(i) + "\" (row " + (i + 1) + " of "
                            + def.getFile() + "), found \"" + r.ids().get(i) + "\"");
                }
            }
            labels.put(t.getName(), r.labels());
        }
        Map<String, INDArray> features = new LinkedHashMap<>();
        Map<String, int[]> lengths = new LinkedHashMap<>();
        for (ModalitySpec m : descriptor.getModalities()) {
            Path f = dir.resolve(m.getFile());
            NpyHeader h = NpyHeader.read(f);
            if (!h.isFloat()) {
                throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected dtype float32 (<f4) or float64 (<f8), found "
                        + h.descr());
            }
            checkHeader(m, h, n, f, def);
            features.put(m.getName(), h.readFloats(f));
            Path lf = dir.resolve(m.lengthsFile());
            if (Files.exists(lf)) {
                NpyHeader lh = NpyHeader.read(lf);
                if (!lh.isInteger() || lh.shape().length != 1) {
                    throw new DatasetFormatException(lf, -1, "modality '" + m.getName() + "': expected an integer array [N], found dtype "
                            + lh.descr() + " shape " + Arrays.toString(lh.shape()));
                }
                if (lh.shape()[0] != n) {
                    throw new DatasetFormatException(lf, -1, "modality '" + m.getName() + "': expected " + n + " lengths (rows of "
                            + def.getFile() + "), found " + lh.shape()[0]);
                }
                lengths.put(m.getName(), lh.readInts(lf));
            }
        }
        SplitData data = new SplitData(ids, features, lengths, labels);
        data.validate(descriptor, dir);
        return data;
    }

    private static void checkHeader(ModalitySpec m, NpyHeader h, int n, Path f, TargetSpec def) {
        long[] shape = h.shape();
        if (h.fortranOrder()) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected C order (fortran_order False), found Fortran order");
        }
        if (shape.length != 2 && shape.length != 3) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected shape [N, D] or [N, S, D], found "
                    + Arrays.toString(shape));
        }
        if (shape[0] != n) {
            throw new DatasetFormatException(f, -1, "modality '" + m.getName() + "': expected " + n + " rows (as in "
                    + def.getFile() + "), found " + shape[0]);
        }
    }

    /**
     * A {@link LayoutMultiDataSetIterator} over one split.
     *
     * @param split   split name
     * @param options batch size, targets, shuffling
     */
    public LayoutMultiDataSetIterator iterator(String split, LayoutIteratorOptions options) {
        return new LayoutMultiDataSetIterator(descriptor, readSplit(split), options);
    }
}

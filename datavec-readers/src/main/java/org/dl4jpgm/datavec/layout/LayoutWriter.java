package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a dataset directory in the project's layout: {@code dataset.json} at the root; per split a
 * folder with one float32 {@code .npy} per modality (numpy order [N, D] or [N, S, D]), an int32
 * {@code <name>_lengths.npy} for each sequence modality that has lengths, {@code labels.csv} and one
 * CSV per extra target. Every split is validated against the descriptor before anything is written.
 */
public final class LayoutWriter {

    private final Path root;
    private final DatasetDescriptor descriptor;

    /**
     * @param root       dataset root (created)
     * @param descriptor what the dataset holds; written as {@code dataset.json}
     */
    public LayoutWriter(Path root, DatasetDescriptor descriptor) throws IOException {
        this.root = root;
        this.descriptor = descriptor;
        descriptor.write(root);
    }

    /** The dataset root. */
    public Path root() {
        return root;
    }

    /**
     * Validates and writes one split.
     *
     * @param split a split name declared in the descriptor
     * @param data  its content
     * @throws DatasetFormatException if the data does not match the descriptor (nothing is written then)
     */
    public void writeSplit(String split, SplitData data) throws IOException {
        if (!descriptor.getSplits().contains(split)) {
            throw new IllegalArgumentException("LayoutWriter: split \"" + split + "\" is not declared in dataset.json; declared: "
                    + descriptor.getSplits());
        }
        Path dir = root.resolve(split);
        data.validate(descriptor, dir);
        Files.createDirectories(dir);
        for (ModalitySpec m : descriptor.getModalities()) {
            writeNpy(data.features(m.getName()).castTo(DataType.FLOAT), dir.resolve(m.getFile()));
            int[] len = data.lengths(m.getName());
            Path lf = dir.resolve(m.lengthsFile());
            if (len != null) {
                writeNpy(Nd4j.createFromArray(len), lf);
            } else {
                Files.deleteIfExists(lf);
            }
        }
        for (TargetSpec t : descriptor.getTargets()) {
            LabelCsv.write(dir.resolve(t.getFile()), data.ids(), data.labels(t.getName()));
        }
    }

    /** Writes one array as a numpy {@code .npy} file through ND4J (C order). */
    public static void writeNpy(INDArray a, Path file) throws IOException {
        INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
        Nd4j.writeAsNumpy(c, file.toFile());
    }
}

package org.dl4jpgm.datavec.layout;

import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * One modality of a dataset: its name and the {@code .npy} file name inside each split folder.
 * The file holds float32 (or float64) features, [N, D] or [N, S, D] in numpy order; an optional
 * {@code <name>_lengths.npy} beside it holds the true length of each padded sequence (int, [N]).
 */
public final class ModalitySpec {

    /** Modality name, e.g. "image"; also the prefix of the optional lengths file. */
    @JsonProperty("name")
    private String name;
    /** File name inside each split folder; default {@code <name>.npy}. */
    @JsonProperty("file")
    private String file;

    private ModalitySpec() {
        // Jackson
    }

    /**
     * @param name modality name (letters, digits, '-', '_', '.')
     * @param file file name in each split folder, or null for {@code <name>.npy}
     */
    public ModalitySpec(String name, String file) {
        this.name = name;
        this.file = file;
        validate();
    }

    void validate() {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("ModalitySpec: name must be a non-empty string of letters, digits, '_', '-', '.', found "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        if (file == null) {
            file = name + ".npy";
        }
        if (!file.endsWith(".npy") || file.contains("/") || file.contains("\\")) {
            throw new IllegalArgumentException("ModalitySpec '" + name + "': file must be a plain file name ending in .npy, found \"" + file + "\"");
        }
    }

    /** Modality name. */
    public String getName() {
        return name;
    }

    /** File name inside each split folder. */
    public String getFile() {
        return file;
    }

    /** File name of the optional lengths array: {@code <name>_lengths.npy}. */
    public String lengthsFile() {
        return name + "_lengths.npy";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModalitySpec m && name.equals(m.name) && file.equals(m.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, file);
    }

    @Override
    public String toString() {
        return name + "(" + file + ")";
    }
}

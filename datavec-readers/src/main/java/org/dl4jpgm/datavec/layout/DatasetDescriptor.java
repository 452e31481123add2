package org.dl4jpgm.datavec.layout;

import org.nd4j.shade.jackson.annotation.JsonAnyGetter;
import org.nd4j.shade.jackson.annotation.JsonAnySetter;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.JsonPropertyOrder;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code dataset.json} of a dataset directory in the project's layout:
 * <pre>
 * {
 *   "name": "digits-speech",
 *   "task": "classification",            // of the default target (labels.csv)
 *   "classes": ["0", "1", ...],          // ordered; one-hot index = position
 *   "modalities": [{"name": "image", "file": "image.npy"}, ...],
 *   "splits": ["train", "valid", "test"],
 *   "targets": [                         // optional: more targets besides labels.csv
 *     {"name": "match", "task": "classification", "classes": ["no", "yes"], "file": "labels_match.csv"}
 *   ]
 * }
 * </pre>
 * The default target is named {@value TargetSpec#DEFAULT_NAME} and read from {@value TargetSpec#DEFAULT_FILE};
 * {@link #getTargets()} lists it first, then the extra ones.
 *
 * <p>Other top-level keys (dataset builders add some, e.g. {@code "provenance": {...}}) are kept as metadata,
 * {@link #getMetadata()}, written back by {@link #toJson()}, and named in one warning when the file is read. Unknown
 * keys inside a modality or target are still errors.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "description", "task", "classes", "modalities", "splits", "targets"})
public final class DatasetDescriptor {

    /** The descriptor's file name in a dataset root. */
    public static final String FILE_NAME = "dataset.json";

    private static final Logger LOG = LoggerFactory.getLogger(DatasetDescriptor.class);

    /** Where the warning about unknown top-level keys goes (the log; tests replace it). */
    static java.util.function.Consumer<String> warnings = LOG::warn;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Dataset name. */
    @JsonProperty("name")
    private String name;
    /** Free text (optional). */
    @JsonProperty("description")
    private String description;
    /** Task of the default target. */
    @JsonProperty("task")
    private TaskType task;
    /** Ordered classes of the default target (classification). */
    @JsonProperty("classes")
    private List<String> classes;
    /** Modalities, in input order of the iterator. */
    @JsonProperty("modalities")
    private List<ModalitySpec> modalities;
    /** Split folder names. */
    @JsonProperty("splits")
    private List<String> splits;
    /** Extra targets besides labels.csv (optional). */
    @JsonProperty("targets")
    private List<TargetSpec> extraTargets;
    /** Top-level keys this class does not know, in file order, with their JSON values. */
    private final Map<String, Object> metadata = new LinkedHashMap<>();

    private DatasetDescriptor() {
        // Jackson
    }

    private DatasetDescriptor(Builder b) {
        this.name = b.name;
        this.description = b.description;
        this.task = b.task;
        this.classes = b.classes == null ? null : new ArrayList<>(b.classes);
        this.modalities = new ArrayList<>(b.modalities);
        this.splits = new ArrayList<>(b.splits);
        this.extraTargets = new ArrayList<>(b.extraTargets);
        this.metadata.putAll(b.metadata);
    }

    @JsonAnySetter
    private void unknownKey(String key, Object value) {
        metadata.put(key, value);
    }

    /**
     * The top-level keys of {@code dataset.json} besides the known ones (name, description, task, classes, modalities,
     * splits, targets), with their values as Jackson reads them (Map, List, String, Number, Boolean, null).
     *
     * @return an unmodifiable map in file order; empty when there are none
     */
    @JsonAnyGetter
    public Map<String, Object> getMetadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Checks every field; the message names the field and the bad value. */
    private void validate() {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("dataset.json: \"name\" must be a non-empty string, found " + name);
        }
        if (task == null) {
            throw new IllegalArgumentException("dataset.json: \"task\" must be \"classification\" or \"regression\", found null");
        }
        if (modalities == null || modalities.isEmpty()) {
            throw new IllegalArgumentException("dataset.json: \"modalities\" must list at least one {\"name\", \"file\"}, found " + modalities);
        }
        if (splits == null || splits.isEmpty()) {
            throw new IllegalArgumentException("dataset.json: \"splits\" must list at least one split folder, found " + splits);
        }
        Set<String> seen = new HashSet<>();
        for (ModalitySpec m : modalities) {
            if (m == null) {
                throw new IllegalArgumentException("dataset.json: \"modalities\" contains null");
            }
            m.validate();
            if (!seen.add(m.getName())) {
                throw new IllegalArgumentException("dataset.json: modality names must be unique, found \"" + m.getName() + "\" twice");
            }
        }
        Set<String> files = new HashSet<>();
        for (ModalitySpec m : modalities) {
            if (!files.add(m.getFile())) {
                throw new IllegalArgumentException("dataset.json: modality files must be distinct, found \"" + m.getFile() + "\" twice");
            }
        }
        for (String s : splits) {
            if (s == null || !s.matches("[A-Za-z0-9_.-]+") || s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException("dataset.json: split names must be plain folder names, found \"" + s + "\"");
            }
        }
        if (new HashSet<>(splits).size() != splits.size()) {
            throw new IllegalArgumentException("dataset.json: split names must be unique, found " + splits);
        }
        if (extraTargets == null) {
            extraTargets = new ArrayList<>();
        }
        List<TargetSpec> all = getTargets(); // validates the default target too
        Set<String> names = new HashSet<>();
        Set<String> targetFiles = new HashSet<>();
        for (TargetSpec t : all) {
            if (!names.add(t.getName())) {
                throw new IllegalArgumentException("dataset.json: target names must be unique (\"" + TargetSpec.DEFAULT_NAME
                        + "\" is the labels.csv target), found \"" + t.getName() + "\" twice");
            }
            if (!targetFiles.add(t.getFile())) {
                throw new IllegalArgumentException("dataset.json: target files must be distinct, found \"" + t.getFile() + "\" twice");
            }
        }
    }

    /** Dataset name. */
    public String getName() {
        return name;
    }

    /** Description, or null. */
    public String getDescription() {
        return description;
    }

    /** Task of the default target. */
    public TaskType getTask() {
        return task;
    }

    /** Classes of the default target (empty for regression). */
    public List<String> getClasses() {
        return classes == null ? List.of() : List.copyOf(classes);
    }

    /** Modalities in input order. */
    public List<ModalitySpec> getModalities() {
        return List.copyOf(modalities);
    }

    /** Split folder names. */
    public List<String> getSplits() {
        return List.copyOf(splits);
    }

    /** The default target ({@code labels.csv}), built from the top-level task and classes. */
    @JsonIgnore
    public TargetSpec getDefaultTarget() {
        return new TargetSpec(TargetSpec.DEFAULT_NAME, task, classes, TargetSpec.DEFAULT_FILE);
    }

    /** All targets: the default one first, then the extra ones in declaration order. */
    @JsonIgnore
    public List<TargetSpec> getTargets() {
        List<TargetSpec> all = new ArrayList<>();
        all.add(getDefaultTarget());
        for (TargetSpec t : extraTargets) {
            if (t == null) {
                throw new IllegalArgumentException("dataset.json: \"targets\" contains null");
            }
            t.validate();
            all.add(t);
        }
        return all;
    }

    /**
     * The target of that name.
     *
     * @throws IllegalArgumentException listing the known names when there is none
     */
    public TargetSpec getTarget(String targetName) {
        for (TargetSpec t : getTargets()) {
            if (t.getName().equals(targetName)) {
                return t;
            }
        }
        List<String> known = getTargets().stream().map(TargetSpec::getName).toList();
        throw new IllegalArgumentException("dataset '" + name + "': no target \"" + targetName + "\"; known targets: " + known);
    }

    /** The modality of that name; throws listing the known names when there is none. */
    public ModalitySpec getModality(String modalityName) {
        for (ModalitySpec m : modalities) {
            if (m.getName().equals(modalityName)) {
                return m;
            }
        }
        throw new IllegalArgumentException("dataset '" + name + "': no modality \"" + modalityName + "\"; known modalities: "
                + modalities.stream().map(ModalitySpec::getName).toList());
    }

    /** The JSON text of {@code dataset.json}. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DatasetDescriptor: cannot serialize: " + e.getMessage(), e);
        }
    }

    /**
     * Parses JSON text.
     *
     * @param json   the text
     * @param source where it came from, for error messages (may be null)
     */
    public static DatasetDescriptor fromJson(String json, Path source) {
        DatasetDescriptor d;
        try {
            d = MAPPER.readValue(json, DatasetDescriptor.class);
        } catch (IOException e) {
            throw new DatasetFormatException(source, -1, "invalid dataset.json: " + e.getMessage().split("\n")[0], e);
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(source, -1, e.getMessage(), e);
        }
        if (d == null) {
            throw new DatasetFormatException(source, -1, "expected a JSON object, found an empty document");
        }
        try {
            d.validate();
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(source, -1, e.getMessage(), e);
        }
        if (!d.metadata.isEmpty()) {
            warnings.accept((source == null ? "dataset.json" : source) + ": top-level key(s) " + d.metadata.keySet()
                    + " not used by the reader; kept as metadata (DatasetDescriptor.getMetadata())");
        }
        return d;
    }

    /** Reads {@code <root>/dataset.json}. */
    public static DatasetDescriptor read(Path root) {
        Path file = root.resolve(FILE_NAME);
        try {
            byte[] bytes = Files.readAllBytes(file);
            org.dl4jpgm.datavec.common.Utf8.Malformed bad = org.dl4jpgm.datavec.common.Utf8.find(bytes);
            if (bad != null) {
                throw new DatasetFormatException(file, bad.line(), "expected UTF-8 text, found at byte offset "
                        + bad.offset() + " " + bad.found());
            }
            return fromJson(new String(bytes, StandardCharsets.UTF_8), file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, -1, "expected the dataset descriptor, found no such file");
        } catch (IOException e) {
            throw new DatasetFormatException(file, -1, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Writes {@code <root>/dataset.json} (creating {@code root}). */
    public void write(Path root) throws IOException {
        Files.createDirectories(root);
        Files.writeString(root.resolve(FILE_NAME), toJson() + "\n", StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetDescriptor d && toJson().equals(d.toJson());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toJson());
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** Starts a descriptor. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private String name;
        private String description;
        private TaskType task = TaskType.CLASSIFICATION;
        private List<String> classes;
        private final List<ModalitySpec> modalities = new ArrayList<>();
        private List<String> splits = List.of("train", "valid", "test");
        private final List<TargetSpec> extraTargets = new ArrayList<>();
        private final Map<String, Object> metadata = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds a top-level metadata key (any key but the descriptor's own), e.g. provenance. */
        public Builder metadata(String key, Object value) {
            metadata.put(key, value);
            return this;
        }

        /** Dataset name (required). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Free text. */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** Default target as classification over these ordered classes. */
        public Builder classification(List<String> classes) {
            this.task = TaskType.CLASSIFICATION;
            this.classes = classes;
            return this;
        }

        /** Default target as regression. */
        public Builder regression() {
            this.task = TaskType.REGRESSION;
            this.classes = null;
            return this;
        }

        /** Adds a modality stored in {@code <name>.npy}. */
        public Builder modality(String name) {
            return modality(name, null);
        }

        /** Adds a modality stored in {@code file}. */
        public Builder modality(String name, String file) {
            modalities.add(new ModalitySpec(name, file));
            return this;
        }

        /** Split folder names (default train, valid, test). */
        public Builder splits(String... splits) {
            this.splits = List.of(splits);
            return this;
        }

        /** Adds an extra target besides labels.csv. */
        public Builder target(TargetSpec target) {
            extraTargets.add(target);
            return this;
        }

        /** Validates and builds; the message names the field and the bad value. */
        public DatasetDescriptor build() {
            DatasetDescriptor d = new DatasetDescriptor(this);
            d.validate();
            return d;
        }
    }
}

package org.dl4jpgm.datavec.layout;

import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * One target (label column) of a dataset. The default target is {@code labels.csv} with the task and
 * classes at the top of {@code dataset.json}; more targets are declared in its {@code "targets"} list,
 * each a CSV file in every split folder with header {@code id,label} (or {@code id,<name>}) and rows in
 * the same order as the {@code .npy} rows and with the same ids as {@code labels.csv}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class TargetSpec {

    /** Name of the default target (the one read from {@code labels.csv}). */
    public static final String DEFAULT_NAME = "label";
    /** File of the default target. */
    public static final String DEFAULT_FILE = "labels.csv";

    /** Target name, unique in the dataset. */
    @JsonProperty("name")
    private String name;
    /** Classification or regression. */
    @JsonProperty("task")
    private TaskType task;
    /** Ordered class names (classification only); the one-hot index is the position here. */
    @JsonProperty("classes")
    private List<String> classes;
    /** CSV file name in each split folder; default {@code labels_<name>.csv}. */
    @JsonProperty("file")
    private String file;

    private TargetSpec() {
        // Jackson
    }

    /**
     * @param name    target name
     * @param task    classification or regression
     * @param classes ordered class names (classification), null for regression
     * @param file    CSV file name in each split, or null for {@code labels_<name>.csv}
     */
    public TargetSpec(String name, TaskType task, List<String> classes, String file) {
        this.name = name;
        this.task = task;
        this.classes = classes == null ? null : new ArrayList<>(classes);
        this.file = file;
        validate();
    }

    void validate() {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("TargetSpec: name must be a non-empty string of letters, digits, '_', '-', '.', found "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        if (task == null) {
            throw new IllegalArgumentException("TargetSpec '" + name + "': task must be \"classification\" or \"regression\", found null");
        }
        if (task == TaskType.CLASSIFICATION) {
            if (classes == null || classes.size() < 2) {
                throw new IllegalArgumentException("TargetSpec '" + name + "': a classification target needs at least 2 classes, found "
                        + (classes == null ? "none" : classes));
            }
            if (new HashSet<>(classes).size() != classes.size()) {
                throw new IllegalArgumentException("TargetSpec '" + name + "': class names must be unique, found " + classes);
            }
            for (String c : classes) {
                if (c == null || c.isEmpty() || c.contains(",") || c.contains("\"") || c.contains("\n")) {
                    throw new IllegalArgumentException("TargetSpec '" + name + "': class names must be non-empty without ',', '\"' or newlines, found \"" + c + "\"");
                }
            }
        } else if (classes != null && !classes.isEmpty()) {
            throw new IllegalArgumentException("TargetSpec '" + name + "': a regression target has no classes, found " + classes);
        }
        if (file == null) {
            file = DEFAULT_NAME.equals(name) ? DEFAULT_FILE : "labels_" + name + ".csv";
        }
        if (!file.endsWith(".csv") || file.contains("/") || file.contains("\\")) {
            throw new IllegalArgumentException("TargetSpec '" + name + "': file must be a plain file name ending in .csv, found \"" + file + "\"");
        }
    }

    /** Target name. */
    public String getName() {
        return name;
    }

    /** Classification or regression. */
    public TaskType getTask() {
        return task;
    }

    /** Ordered class names (classification), or an empty list. */
    public List<String> getClasses() {
        return classes == null ? List.of() : List.copyOf(classes);
    }

    /** CSV file name in each split folder. */
    public String getFile() {
        return file;
    }

    /** Width of the label array: number of classes, or 1 for regression. */
    public int labelWidth() {
        return task == TaskType.CLASSIFICATION ? classes.size() : 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetSpec t && name.equals(t.name) && task == t.task
                && getClasses().equals(t.getClasses()) && file.equals(t.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, task, getClasses(), file);
    }

    @Override
    public String toString() {
        return name + "(" + task.jsonName() + (task == TaskType.CLASSIFICATION ? " " + classes : "") + ", " + file + ")";
    }
}

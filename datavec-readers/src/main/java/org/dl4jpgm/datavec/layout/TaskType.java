package org.dl4jpgm.datavec.layout;

import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonValue;

import java.util.Locale;

/** The kind of a target: written in {@code dataset.json} as {@code "classification"} or {@code "regression"}. */
public enum TaskType {
    /** Labels are class names from an ordered list; the iterator gives them one-hot, [B, K]. */
    CLASSIFICATION,
    /** Labels are finite numbers; the iterator gives them as [B, 1]. */
    REGRESSION;

    /** The JSON spelling. */
    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the JSON spelling (case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values and the bad one
     */
    @JsonCreator
    public static TaskType parse(String s) {
        for (TaskType t : values()) {
            if (t.jsonName().equalsIgnoreCase(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("task: expected \"classification\" or \"regression\", found \"" + s + "\"");
    }
}

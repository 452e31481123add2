package org.dl4jpgm.examples.tasks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a task main measured and printed: its metrics by name (fractions in [0, 1] for ACC, F1, MAP and precision;
 * MAE and Corr as they are), and the row of the paper's Table 2 layout that shows them.
 *
 * @param title        the table's title line (task, dataset, evaluated split and its size)
 * @param model        the row label, e.g. {@code PgM}
 * @param cells        column header &rarr; formatted cell, in the paper's column order, then any extra columns
 * @param metrics      metric name &rarr; value
 * @param testExamples number of evaluated examples
 * @param notes        one line per cell printed as {@link #UNDEFINED}, saying why the metric is undefined
 */
public record TaskReport(String title, String model, Map<String, String> cells, Map<String, Double> metrics,
                         int testExamples, List<String> notes) {

    /** What a cell shows for a metric that is undefined on the evaluated data (NaN). */
    public static final String UNDEFINED = "n/a";

    public TaskReport {
        cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        notes = List.copyOf(notes);
    }

    /** A report without undefined metrics. */
    public TaskReport(String title, String model, Map<String, String> cells, Map<String, Double> metrics,
                      int testExamples) {
        this(title, model, cells, metrics, testExamples, List.of());
    }

    /**
     * A cell: {@code formatted} when {@code value} is a number, else {@link #UNDEFINED} with {@code reason} added to
     * {@code notes} (prefixed by the column).
     */
    public static String cell(String column, double value, String formatted, String reason, List<String> notes) {
        if (Double.isFinite(value)) {
            return formatted;
        }
        notes.add(column + " " + UNDEFINED + ": " + reason);
        return UNDEFINED;
    }

    /** The value of metric {@code name}; throws naming the known metrics if there is none. */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("TaskReport: expected a metric '" + name + "', found only "
                    + metrics.keySet());
        }
        return v;
    }

    /** The title and a one-row Markdown table: {@code | Model | <column> ... |}. */
    public String table() {
        StringBuilder head = new StringBuilder("| Model");
        StringBuilder rule = new StringBuilder("|");
        StringBuilder row = new StringBuilder("| ").append(model);
        int first = Math.max(5, model.length());
        pad(head, 5, first);
        pad(row, model.length(), first);
        rule.append("-".repeat(first + 2));
        for (Map.Entry<String, String> c : cells.entrySet()) {
            int w = Math.max(c.getKey().length(), c.getValue().length());
            head.append(" | ").append(c.getKey());
            pad(head, c.getKey().length(), w);
            row.append(" | ").append(c.getValue());
            pad(row, c.getValue().length(), w);
            rule.append("|").append("-".repeat(w + 2));
        }
        StringBuilder t = new StringBuilder(title).append("\n\n").append(head).append(" |\n").append(rule)
                .append("|\n").append(row).append(" |\n");
        if (!notes.isEmpty()) {
            t.append('\n');
            notes.forEach(n -> t.append(n).append('\n'));
        }
        return t.toString();
    }

    private static void pad(StringBuilder sb, int have, int want) {
        sb.append(" ".repeat(Math.max(0, want - have)));
    }
}

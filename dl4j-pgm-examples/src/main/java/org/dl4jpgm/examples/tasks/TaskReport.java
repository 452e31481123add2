package org.dl4jpgm.examples.tasks;

import java.util.Collections;
import java.util.LinkedHashMap;
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
 */
public record TaskReport(String title, String model, Map<String, String> cells, Map<String, Double> metrics,
                         int testExamples) {

    public TaskReport {
        cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
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
        return title + "\n\n" + head + " |\n" + rule + "|\n" + row + " |\n";
    }

    private static void pad(StringBuilder sb, int have, int want) {
        sb.append(" ".repeat(Math.max(0, want - have)));
    }
}

package org.dl4jpgm.examples.mainjob;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results in the layout of the paper's Table 2 (PgM against the fusion baselines) and Table 3 (PgM against its
 * ablations): one row per fusion, each metric as mean ± std over seeds (sample std; 0 for one seed), in percent for
 * ACC/F1.
 */
public final class ResultsTable {

    private final Map<String, List<RunResult>> rows = new LinkedHashMap<>();
    private final boolean classification;

    /** @param classification true: ACC and weighted F1 (percent); false: MAE and Corr */
    public ResultsTable(boolean classification) {
        this.classification = classification;
    }

    /** Adds one run to its fusion's row. */
    public void add(RunResult r) {
        rows.computeIfAbsent(r.choice().label(), k -> new ArrayList<>()).add(r);
    }

    /** Mean and sample std of {@code values}. */
    public static double[] meanStd(double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new double[]{mean, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0};
    }

    private String cell(List<RunResult> runs, boolean first) {
        double[] v = runs.stream().mapToDouble(r -> first ? r.metricA() : r.metricB()).toArray();
        double[] ms = meanStd(v);
        double scale = classification ? 100 : 1;
        return String.format(Locale.ROOT, classification ? "%5.1f ± %4.1f" : "%6.3f ± %5.3f", ms[0] * scale,
                ms[1] * scale);
    }

    /**
     * The two tables as Markdown.
     *
     * @param chance a line about chance level, printed under the tables (may be null)
     */
    public String format(String chance) {
        String a = classification ? "ACC (%)" : "MAE";
        String b = classification ? "F1 (%)" : "Corr";
        StringBuilder sb = new StringBuilder();
        sb.append("Table 2 layout: PgM and the fusion baselines (mean ± std over seeds)\n\n");
        header(sb, a, b);
        rows.forEach((label, runs) -> {
            if (runs.get(0).choice().ablation() == null) {
                row(sb, label, runs);
            }
        });
        boolean anyAblation = rows.values().stream().anyMatch(r -> r.get(0).choice().ablation() != null);
        if (anyAblation) {
            sb.append("\nTable 3 layout: ablations of PgM (mean ± std over seeds)\n\n");
            header(sb, a, b);
            rows.forEach((label, runs) -> {
                if (runs.get(0).choice().isPgm()) {
                    row(sb, label, runs);
                }
            });
        }
        if (chance != null) {
            sb.append('\n').append(chance).append('\n');
        }
        return sb.toString();
    }

    private static void header(StringBuilder sb, String a, String b) {
        sb.append(String.format(Locale.ROOT, "| %-22s | %-15s | %-15s | %5s | %10s | %8s |%n", "fusion", a, b, "seeds",
                "parameters", "s / run"));
        sb.append("|------------------------|-----------------|-----------------|-------|------------|----------|\n");
    }

    private void row(StringBuilder sb, String label, List<RunResult> runs) {
        double secs = runs.stream().mapToDouble(RunResult::seconds).average().orElse(0);
        sb.append(String.format(Locale.ROOT, "| %-22s | %-15s | %-15s | %5d | %,10d | %8.1f |%n", label,
                cell(runs, true), cell(runs, false), runs.size(), runs.get(0).parameters(), secs));
    }
}

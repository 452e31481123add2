package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.examples.experiment.TaskMetrics;
import org.dl4jpgm.examples.mainjob.ResultsTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Table 4 layout: one row per host and per PgM version of it, the task's two metrics as mean ± std over seeds
 * (sample std; ACC and F1 in percent), the parameter count and the mean seconds per run.
 */
public final class TransferTable {

    private final boolean classification;
    private final Map<String, List<HostTrainer.Outcome>> rows = new LinkedHashMap<>();

    /** @param classification true: ACC and weighted F1; false: MAE and Corr */
    public TransferTable(boolean classification) {
        this.classification = classification;
    }

    /** Adds one run to the row {@code row}. */
    public void add(String row, HostTrainer.Outcome o) {
        rows.computeIfAbsent(row, k -> new ArrayList<>()).add(o);
    }

    /** The table as Markdown under a title line. */
    public String format(String title) {
        String a = classification ? "ACC (%)" : "MAE";
        String b = classification ? "F1 (%)" : "Corr";
        StringBuilder sb = new StringBuilder("Table 4 layout: ").append(title).append("\n\n");
        sb.append(String.format(Locale.ROOT, "| %-26s | %-15s | %-15s | seeds | parameters |  s / run |%n", "model", a,
                b));
        sb.append("|----------------------------|-----------------|-----------------|-------|------------|----------|\n");
        rows.forEach((name, runs) -> sb.append(String.format(Locale.ROOT, "| %-26s | %-15s | %-15s | %5d | %,10d | %8.1f |%n",
                name, cell(runs, 0), cell(runs, 1), runs.size(), runs.get(0).parameters(),
                runs.stream().mapToDouble(HostTrainer.Outcome::seconds).average().orElse(0))));
        return sb.toString();
    }

    private String cell(List<HostTrainer.Outcome> runs, int column) {
        double[] v = runs.stream().mapToDouble(o -> metric(o.test(), column)).toArray();
        double[] ms = ResultsTable.meanStd(v);
        return classification ? String.format(Locale.ROOT, "%5.1f ± %4.1f", 100 * ms[0], 100 * ms[1])
                : String.format(Locale.ROOT, "%6.3f ± %5.3f", ms[0], ms[1]);
    }

    private static double metric(TaskMetrics m, int column) {
        if (m instanceof TaskMetrics.Classification c) {
            return column == 0 ? c.accuracy() : c.weightedF1();
        }
        TaskMetrics.Regression r = (TaskMetrics.Regression) m;
        return column == 0 ? r.mae() : r.correlation();
    }
}

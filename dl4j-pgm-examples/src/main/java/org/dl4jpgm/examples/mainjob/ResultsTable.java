package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.experiment.RunResult;
import org.dl4jpgm.examples.experiment.TaskMetrics;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The results in the layout of the paper's Table 2 (PgM against the fusion baselines) and Table 3 (PgM against its
 * ablations): one row per fusion, each metric as mean ± std over seeds (sample std; 0 for one seed), in percent for
 * ACC/F1.
 */
public final class ResultsTable {

    /** A metric column: its header, the format of mean and std, the scale they are shown in, the metric. */
    private record Column(String header, String format, double scale, ToDoubleFunction<TaskMetrics> metric) {
    }

    private static final List<Column> CLASSIFICATION = List.of(
            new Column("ACC (%)", "%5.1f ± %4.1f", 100, m -> ((TaskMetrics.Classification) m).accuracy()),
            new Column("F1 (%)", "%5.1f ± %4.1f", 100, m -> ((TaskMetrics.Classification) m).weightedF1()));
    private static final List<Column> REGRESSION = List.of(
            new Column("MAE", "%6.3f ± %5.3f", 1, m -> ((TaskMetrics.Regression) m).mae()),
            new Column("Corr", "%6.3f ± %5.3f", 1, m -> ((TaskMetrics.Regression) m).correlation()));

    private final Map<String, List<RunResult>> rows = new LinkedHashMap<>();
    private final List<Column> columns;

    /** @param classification true: ACC and weighted F1 (percent); false: MAE and Corr */
    public ResultsTable(boolean classification) {
        this.columns = classification ? CLASSIFICATION : REGRESSION;
    }

    /** Adds one run to its fusion's row; its metrics must be of the table's task. */
    public void add(RunResult r) {
        if (r.metrics() instanceof TaskMetrics.Classification != (columns == CLASSIFICATION)) {
            throw new IllegalArgumentException("ResultsTable: a table of " + columns.get(0).header() + " and "
                    + columns.get(1).header() + " cannot take " + r.metrics());
        }
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

    private static String cell(List<RunResult> runs, Column column) {
        double[] ms = meanStd(runs.stream().mapToDouble(r -> column.metric().applyAsDouble(r.metrics())).toArray());
        return String.format(Locale.ROOT, column.format(), ms[0] * column.scale(), ms[1] * column.scale());
    }

    /**
     * The two tables as Markdown.
     *
     * @param chance a line about chance level, printed under the tables (may be null)
     */
    public String format(String chance) {
        String a = columns.get(0).header();
        String b = columns.get(1).header();
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
                cell(runs, columns.get(0)), cell(runs, columns.get(1)), runs.size(), runs.get(0).parameters(), secs));
    }

    /**
     * The paired comparison of {@code reference} (e.g. PgM) with every other fusion over the seeds both ran, on the
     * selection metric ({@link TaskMetrics#selectionScore()}: ACC in points, or MAE): per fusion the mean ± sample
     * std of the per-seed difference (positive: the reference is ahead), the seeds where the reference is ahead, and
     * the paired t statistic (mean / (std / √n); n - 1 degrees of freedom). Empty without the reference's row.
     */
    public String pairedComparison(String reference) {
        List<RunResult> ref = rows.get(reference);
        if (ref == null || rows.size() < 2) {
            return "";
        }
        boolean cls = columns == CLASSIFICATION;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nPaired comparison: %s ahead of each fusion by (%s, same seeds; "
                + "positive = %s better), seeds where it is ahead, paired t%n%n", reference,
                cls ? "ACC points" : "MAE", reference));
        sb.append(String.format(Locale.ROOT, "| %-22s | %-15s | %-7s | %7s |%n", "fusion", "difference", "ahead", "t"));
        sb.append("|------------------------|-----------------|---------|---------|\n");
        rows.forEach((label, runs) -> {
            if (label.equals(reference)) {
                return;
            }
            List<Double> d = new ArrayList<>();
            for (RunResult r : runs) {
                ref.stream().filter(x -> x.seed() == r.seed()).findFirst().ifPresent(x -> d.add(
                        (x.metrics().selectionScore() - r.metrics().selectionScore()) * (cls ? 100 : 1)));
            }
            if (d.isEmpty()) {
                return;
            }
            double[] ms = meanStd(d.stream().mapToDouble(Double::doubleValue).toArray());
            long ahead = d.stream().filter(x -> x > 0).count();
            double t = d.size() > 1 && ms[1] > 0 ? ms[0] / (ms[1] / Math.sqrt(d.size())) : Double.NaN;
            sb.append(String.format(Locale.ROOT, "| %-22s | %-15s | %7s | %7s |%n", label,
                    String.format(Locale.ROOT, cls ? "%+5.1f ± %4.1f" : "%+6.3f ± %5.3f", ms[0], ms[1]),
                    ahead + "/" + d.size(), Double.isNaN(t) ? "-" : String.format(Locale.ROOT, "%.2f", t)));
        });
        return sb.toString();
    }

    /**
     * What the selection split chose: per fusion the stage-2 epoch kept (mean and range over seeds) and how often
     * each learning rate was chosen. Empty when no run was selected.
     */
    public String selection() {
        if (rows.values().stream().flatMap(List::stream).allMatch(r -> r.selection() == null)) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nSelection on the validation split: the "
                + "stage-2 epoch kept (mean, min-max over seeds) and the learning rates chosen (times)%n%n"));
        sb.append(String.format(Locale.ROOT, "| %-22s | %-16s | %-30s |%n", "fusion", "epoch kept", "learning rate"));
        sb.append("|------------------------|------------------|--------------------------------|\n");
        rows.forEach((label, runs) -> {
            List<RunResult.Selection> sel = runs.stream().map(RunResult::selection).filter(x -> x != null).toList();
            if (sel.isEmpty()) {
                return;
            }
            IntSummaryStatistics e = sel.stream().mapToInt(RunResult.Selection::epoch).summaryStatistics();
            Map<Double, Long> rates = new java.util.TreeMap<>();
            sel.forEach(x -> rates.merge(x.learningRate(), 1L, Long::sum));
            StringBuilder r = new StringBuilder();
            rates.forEach((rate, n) -> r.append(r.length() == 0 ? "" : ", ").append(rate).append(" (").append(n)
                    .append(")"));
            sb.append(String.format(Locale.ROOT, "| %-22s | %-16s | %-30s |%n", label,
                    String.format(Locale.ROOT, "%.1f (%d-%d)", e.getAverage(), e.getMin(), e.getMax()), r));
        });
        return sb.toString();
    }
}

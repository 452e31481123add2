package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.mosi.MosiLayoutExport;
import org.dl4jpgm.eval.MosiMetrics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Multimodal sentiment analysis (MSA) on CMU-MOSI, the paper's first task (Table 1: text, audio, vision; Table 2).
 * Reads the MMSA pickle ({@code aligned_50.pkl} or {@code unaligned_50.pkl}) with {@link MosiLayoutExport} into the
 * project's layout under {@code <out>/layout} (modalities text, audio, vision, each [N, S, D_m]; unaligned sequences
 * with their lengths, so the iterator's step masks [B, S] mark real steps with 1), trains
 * {@code inputs -> PgM -> head -> dense -> out} (identity output, MSE; regression of the sentiment in [-3, 3]) in two
 * stages (Eq. 12), and prints the test metrics of {@link MosiMetrics} in Table 2's layout: ACC-2 and F1 as Has0/Non0,
 * then MAE, Corr, ACC-7 and ACC-5 (MMSA's other columns; a metric undefined on the evaluated data prints as
 * {@code n/a} with the reason under the table).
 *
 * <p>Run (docs/tasks.md): {@code mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.tasks.MsaMain -Dexec.args="MOSI/Processed"}; {@code --help} lists the
 * options ({@link MsaOptions}).
 */
public final class MsaMain {

    private MsaMain() {
    }

    public static void main(String[] args) throws IOException {
        TaskRunner.main(args, MsaOptions::parse, MsaMain::run);
    }

    /** Exports the pickle the options name into the project's layout at {@code layout}. */
    public static SkipReport export(MsaOptions o, Path layout, PrintStream out) throws IOException {
        Path pkl = o.resolvePickle();
        out.println("MSA: exporting " + pkl + " to " + layout);
        return MosiLayoutExport.fromPickle(pkl, layout, o.getBadRecords());
    }

    /** Exports, trains, evaluates and prints; returns what was printed as metrics. */
    public static TaskReport run(MsaOptions o, PrintStream out) throws IOException {
        o.validate();
        Path layout = o.getOut().resolve("layout");
        TaskRunner.reportSkipped(export(o, layout, out), out);
        TaskRunner.Run run = TaskRunner.train(layout, o, null, null, out);
        MosiMetrics m = MosiMetrics.compute(run.testOutputs().getColumn(0).toDoubleVector(), run.testLabels());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("ACC-2 Has0", m.acc2Has0());
        metrics.put("ACC-2 Non0", m.acc2Non0());
        metrics.put("F1 Has0", m.f1Has0());
        metrics.put("F1 Non0", m.f1Non0());
        metrics.put("MAE", m.mae());
        metrics.put("Corr", m.corr());
        metrics.put("ACC-7", m.acc7());
        metrics.put("ACC-5", m.acc5());
        List<String> notes = new ArrayList<>();
        String noNonZero = "no evaluated label is non-zero, so the Non0 population (zero labels left out) is empty";
        Map<String, String> cells = new LinkedHashMap<>();
        cells.put("ACC-2", TaskRunner.percent(m.acc2Has0()) + "/" + TaskReport.cell("ACC-2 Non0", m.acc2Non0(),
                TaskRunner.percent(m.acc2Non0()), noNonZero, notes));
        cells.put("F1", TaskRunner.percent(m.f1Has0()) + "/" + TaskReport.cell("F1 Non0", m.f1Non0(),
                TaskRunner.percent(m.f1Non0()), noNonZero, notes));
        cells.put("MAE", String.format(Locale.ROOT, "%.3f", m.mae()));
        cells.put("Corr", TaskReport.cell("Corr", m.corr(), String.format(Locale.ROOT, "%.3f", m.corr()),
                "Pearson's r is undefined for fewer than 2 examples or constant predictions or labels (N = "
                        + m.count() + ")", notes));
        cells.put("ACC-7", TaskRunner.percent(m.acc7()));
        cells.put("ACC-5", TaskRunner.percent(m.acc5()));
        TaskReport report = new TaskReport(String.format(Locale.ROOT,
                "Table 2 layout: Multimodal Sentiment Analysis, MOSI (%s split, N = %d, %d non-zero; ACC-2 and F1 as "
                        + "Has0/Non0, in %%; ACC-5 as MMSA's Mult_acc_5)", o.getTestSplit(), m.count(),
                m.nonZeroCount()), run.model(), cells, metrics, m.count(), notes);
        TaskRunner.publish(report, o, out);
        return report;
    }
}

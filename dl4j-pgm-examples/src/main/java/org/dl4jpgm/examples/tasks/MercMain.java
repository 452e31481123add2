package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.meld.MeldLayoutExport;
import org.dl4jpgm.datavec.meld.UtteranceFeatures;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Multimodal emotion recognition in conversation (MERC) on MELD, the paper's second task (Table 2: ACC and weighted
 * F1). Reads {@code {train,dev,test}_sent_emo.csv} and one utterance feature pickle per modality (joined to the rows
 * by {@code dia{D}_utt{U}}; a {@code (train, dev, test)} tuple of dicts gives each split its own dict, as MELD's
 * dialogue ids restart per split) with {@link MeldLayoutExport} into the project's layout under {@code <out>/layout}
 * (modalities [N, D_m]; splits train, valid = dev, test), trains {@code inputs -> PgM -> head -> dense -> out}
 * (softmax over the 7 emotions neutral, surprise, fear, sadness, joy, disgust, anger; or the 3 sentiments) in two
 * stages (Eq. 12), and prints ACC and weighted F1 of the test split in Table 2's layout.
 *
 * <p>Run (docs/tasks.md): {@code mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.tasks.MercMain -Dexec.args="MELD.Raw --features text=...,audio=..."};
 * {@code --help} lists the options ({@link MercOptions}).
 */
public final class MercMain {

    private MercMain() {
    }

    public static void main(String[] args) throws IOException {
        TaskRunner.main(args, MercOptions::parse, MercMain::run);
    }

    /** Reads the feature pickles the options name and exports MELD into the project's layout at {@code layout}. */
    public static SkipReport export(MercOptions o, Path layout, PrintStream out) throws IOException {
        Map<String, List<UtteranceFeatures>> features = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : o.getFeatures().entrySet()) {
            Path file = o.getData().resolve(e.getValue());   // checked by validate()
            List<UtteranceFeatures> parts = UtteranceFeatures.readParts(file);
            if (parts.size() != 1 && parts.size() != 3) {
                throw new IllegalArgumentException("MercMain: " + file + ": expected one dict of features or a (train, "
                        + "dev, test) tuple of three, found " + parts.size() + " dicts");
            }
            features.put(e.getKey(), parts.size() == 3 ? parts : List.of(parts.get(0), parts.get(0), parts.get(0)));
            out.printf(Locale.ROOT, "MERC: %s features from %s: %d dict(s), D = %d%n", e.getKey(), file, parts.size(),
                    parts.get(0).width());
        }
        out.println("MERC: exporting " + o.getData() + " to " + layout);
        return MeldLayoutExport.exportPerSplit(o.getData(), features, layout, o.getBadRecords());
    }

    /** Exports, trains, evaluates and prints; returns what was printed as metrics. */
    public static TaskReport run(MercOptions o, PrintStream out) throws IOException {
        o.validate();
        Path layout = o.getOut().resolve("layout");
        TaskRunner.reportSkipped(export(o, layout, out), out);
        TaskRunner.Run run = TaskRunner.train(layout, o, o.getTarget().equals("emotion") ? null : "sentiment", null,
                out);
        TaskReport report = TaskRunner.classificationReport(String.format(Locale.ROOT,
                "Table 2 layout: Multimodal Emotion Recognition, MELD (%s, %d classes; %s split, N = %%d; in %%%%)",
                o.getTarget(), run.target().getClasses().size(), o.getTestSplit()), run);
        TaskRunner.publish(report, o, out);
        return report;
    }
}

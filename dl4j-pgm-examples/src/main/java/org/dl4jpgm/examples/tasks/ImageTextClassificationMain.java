package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.InputSplits;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.food101.Food101LayoutExport;
import org.dl4jpgm.datavec.food101.Food101RecordReader;
import org.dl4jpgm.datavec.food101.Food101Split;
import org.dl4jpgm.examples.features.RawFeatures;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Image-text classification (ITC) on UPMC Food-101, the paper's fourth task (Table 2: ACC and weighted F1 over 101
 * classes). Reads the raw distribution ({@code texts/{train,test}_titles.csv}, {@code images/{train,test}/<class>/})
 * with {@link Food101RecordReader}, turns every image and title into a feature vector ({@link RawFeatures}: the
 * frozen MobileNetV2 [1280] and MiniLM [384] encoders by default, cached under {@code <out>/features}; or the
 * model-free THUMBNAIL [192] and TRIGRAM [256] features), exports with {@link Food101LayoutExport} into the project's
 * layout under {@code <out>/layout} (modalities image and text, [N, D_m]; splits train, valid = the stratified seeded
 * hold-out, test), trains {@code inputs -> PgM -> head -> dense -> out} (softmax over the classes) in two stages
 * (Eq. 12), and prints ACC and weighted F1 of the test split in Table 2's layout.
 *
 * <p>Run (docs/tasks.md): {@code mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.tasks.ImageTextClassificationMain -Dexec.args="UPMC_Food101"};
 * {@code --help} lists the options ({@link ImageTextClassificationOptions}).
 */
public final class ImageTextClassificationMain {

    private ImageTextClassificationMain() {
    }

    public static void main(String[] args) throws IOException {
        TaskRunner.main(args, ImageTextClassificationOptions::parse, ImageTextClassificationMain::run);
    }

    /** Extracts the features of every image and title and exports UPMC Food-101 to {@code layout}. */
    public static SkipReport export(ImageTextClassificationOptions o, Path layout, PrintStream out)
            throws IOException {
        // every image and title of both files, for the feature extractors (the train file whole: no hold-out)
        List<Path> images = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (Food101Split s : new Food101Split[]{Food101Split.TRAIN, Food101Split.TEST}) {
            Food101RecordReader r = new Food101RecordReader.Builder().split(s).validationFraction(0)
                    .badRecordPolicy(o.getBadRecords()).build();
            r.initialize(InputSplits.existing(o.getData(), "UPMC Food-101's folder"));
            while (r.hasNext()) {
                List<Writable> rec = r.next();
                images.add(Path.of(rec.get(Food101RecordReader.COLUMN_IMAGE).toString()));
                titles.add(rec.get(Food101RecordReader.COLUMN_TEXT).toString());
            }
        }
        out.printf(Locale.ROOT, "ITC: %d image-title pairs in %s; features: images %s, titles %s%n", images.size(),
                o.getData(), o.getImageFeatures(), o.getTextFeatures());
        try (RawFeatures raw = new RawFeatures(o.getImageFeatures(), o.getTextFeatures(), o.getCache())) {
            Function<String, float[]> imageFeatures = raw.images("food101-images", images);
            Function<String, float[]> textFeatures = raw.texts("food101-titles", titles);
            out.println("ITC: exporting to " + layout);
            return Food101LayoutExport.export(o.getData(), imageFeatures, textFeatures, o.getValidationFraction(),
                    o.getSplitSeed(), layout, o.getBadRecords());
        }
    }

    /** Extracts features, exports, trains, evaluates and prints; returns what was printed as metrics. */
    public static TaskReport run(ImageTextClassificationOptions o, PrintStream out) throws IOException {
        o.validate();
        Path layout = o.getOut().resolve("layout");
        SkipReport skipped = export(o, layout, out);
        TaskRunner.reportSkipped(skipped, out);
        TaskRunner.Run run = TaskRunner.train(layout, o, null, null, out);
        TaskReport report = TaskRunner.classificationReport(String.format(Locale.ROOT,
                "Table 2 layout: Image-text Classification, UPMC Food-101 (%d classes; %s split, N = %%d; in %%%%)",
                run.target().getClasses().size(), o.getTestSplit()), run);
        TaskRunner.publish(report, o, out);
        return report;
    }
}

package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.InputSplits;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.wikipedia.WikipediaLayoutExport;
import org.dl4jpgm.datavec.wikipedia.WikipediaRecordReader;
import org.dl4jpgm.datavec.wikipedia.WikipediaSplit;
import org.dl4jpgm.eval.RetrievalMetrics;
import org.dl4jpgm.examples.features.RawFeatures;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cross-modal retrieval (CR) on Wikipedia, the paper's third task (Table 2: MAP and Precision@10). The paper gives no
 * more than that CR is trained on Wikipedia's 10 categories (Table 1) and scored by retrieval; this main reads it as
 * category-supervised training of PgM, then retrieval with PgM's learnt per-modality representations:
 * <ol>
 *   <li>reads the .mat feature version ({@link WikipediaLayoutExport#fromMat}) or the raw distribution (images and
 *   articles through {@link RawFeatures}, then {@link WikipediaLayoutExport#fromRaw}) into the project's layout under
 *   {@code <out>/layout} (modalities image and text, [N, D_m]; splits train, test; 10 categories);</li>
 *   <li>trains {@code inputs -> PgM -> head -> dense -> out} (softmax over the categories, Eq. 13-14) plus the
 *   {@link RetrievalHead}'s classifier shared by the per-modality representations e_m = [u_m ; p_m], in two stages
 *   (Eq. 12);</li>
 *   <li>computes e_image and e_text of every test pair, ranks every text for every image query and every image for every
 *   text query by cosine similarity, relevance = same category ({@link RetrievalMetrics}), and prints Table 2's
 *   columns MAP (mean of image&rarr;text and text&rarr;image) and Precision@10 (mean of the two directions), then
 *   each direction.</li>
 * </ol>
 * docs/design.md ("Cross-modal retrieval") gives the reasons.
 *
 * <p>Run (docs/tasks.md): {@code mvn -B -q -pl dl4j-pgm-examples exec:java
 * -Dexec.mainClass=org.dl4jpgm.examples.tasks.CrossModalRetrievalMain -Dexec.args="wikipedia_dataset"};
 * {@code --help} lists the options ({@link CrossModalRetrievalOptions}).
 */
public final class CrossModalRetrievalMain {

    private CrossModalRetrievalMain() {
    }

    public static void main(String[] args) throws IOException {
        TaskRunner.main(args, CrossModalRetrievalOptions::parse, CrossModalRetrievalMain::run);
    }

    /** Exports the .mat feature file or the raw distribution (through the chosen features) to {@code layout}. */
    public static SkipReport export(CrossModalRetrievalOptions o, Path layout, PrintStream out) throws IOException {
        Path mat = o.resolveMat();
        if (mat != null) {
            out.println("CR: exporting the feature file " + mat + " to " + layout);
            return WikipediaLayoutExport.fromMat(mat, layout, o.getBadRecords());
        }
        return exportRaw(o, layout, out);
    }

    /** Exports, trains, retrieves and prints; returns what was printed as metrics. */
    public static TaskReport run(CrossModalRetrievalOptions o, PrintStream out) throws IOException {
        o.validate();
        Path layout = o.getOut().resolve("layout");
        TaskRunner.reportSkipped(export(o, layout, out), out);
        int classes = new LayoutReader(layout).descriptor().getClasses().size();
        RetrievalHead head = new RetrievalHead(o.getEmbedding(), classes);
        TaskRunner.Run run = TaskRunner.train(layout, o, null, head, out);
        Map<String, INDArray> e = run.runner().activations(run.trained().graph(), run.test(),
                head.embeddingVertices().toArray(new String[0]));
        List<String> modalities = run.runner().modalities();
        double[][] image = e.get(RetrievalHead.EMBED_PREFIX + "image").toDoubleMatrix();
        double[][] text = e.get(RetrievalHead.EMBED_PREFIX + "text").toDoubleMatrix();
        int[] categories = Arrays.stream(run.testLabels()).mapToInt(v -> (int) v).toArray();
        RetrievalMetrics m = RetrievalMetrics.compute(image, text, categories);
        double p10 = (m.precisionAt10ImageToText() + m.precisionAt10TextToImage()) / 2;
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("MAP", m.mapMean());
        metrics.put("Precision@10", p10);
        metrics.put("MAP image->text", m.mapImageToText());
        metrics.put("MAP text->image", m.mapTextToImage());
        metrics.put("P@10 image->text", m.precisionAt10ImageToText());
        metrics.put("P@10 text->image", m.precisionAt10TextToImage());
        Map<String, String> cells = new LinkedHashMap<>();
        cells.put("MAP", TaskRunner.percent(m.mapMean()));
        cells.put("Precision@10", TaskRunner.percent(p10));
        cells.put("MAP I->T", TaskRunner.percent(m.mapImageToText()));
        cells.put("MAP T->I", TaskRunner.percent(m.mapTextToImage()));
        cells.put("P@10 I->T", TaskRunner.percent(m.precisionAt10ImageToText()));
        cells.put("P@10 T->I", TaskRunner.percent(m.precisionAt10TextToImage()));
        TaskReport report = new TaskReport(String.format(Locale.ROOT,
                "Table 2 layout: Cross-modal Retrieval, Wikipedia (%s split, N = %d pairs, %d categories; retrieval "
                        + "representation %s of %s, cosine; in %%)", o.getTestSplit(), categories.length, classes,
                o.getEmbedding(), modalities), run.model(), cells, metrics, categories.length);
        TaskRunner.publish(report, o, out);
        return report;
    }

    /** Raw distribution: features of every image and article of both lists, then the export. */
    private static SkipReport exportRaw(CrossModalRetrievalOptions o, Path layout, PrintStream out) throws IOException {
        List<Path> images = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (WikipediaSplit s : WikipediaSplit.values()) {
            WikipediaRecordReader r = new WikipediaRecordReader.Builder().split(s).badRecordPolicy(o.getBadRecords())
                    .build();
            r.initialize(InputSplits.existing(o.getData(), "Wikipedia's raw distribution folder"));
            while (r.hasNext()) {
                List<Writable> rec = r.next();
                images.add(Path.of(rec.get(WikipediaRecordReader.COLUMN_IMAGE).toString()));
                texts.add(rec.get(WikipediaRecordReader.COLUMN_TEXT).toString());
            }
        }
        out.printf(Locale.ROOT, "CR: %d image-article pairs in %s; features: images %s, articles %s%n", images.size(),
                o.getData(), o.getImageFeatures(), o.getTextFeatures());
        try (RawFeatures raw = new RawFeatures(o.getImageFeatures(), o.getTextFeatures(), o.getCache())) {
            var imageFeatures = raw.images("wikipedia-images", images);
            var textFeatures = raw.texts("wikipedia-texts", texts);
            out.println("CR: exporting to " + layout);
            return WikipediaLayoutExport.fromRaw(o.getData(), imageFeatures, textFeatures, layout, o.getBadRecords());
        }
    }
}

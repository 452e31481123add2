package org.dl4jpgm.datavec.food101;

import org.dl4jpgm.datavec.common.InputSplits;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.SplitCollector;
import org.dl4jpgm.datavec.common.Validation;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Exports UPMC Food-101 to the project's dataset layout: splits train / valid (the reader's stratified seeded
 * hold-out, {@link org.dl4jpgm.datavec.common.StratifiedSplit}; no valid split when the fraction is 0) / test, modalities {@code image} and {@code text} ([N, D], from feature functions such as an encoder's
 * feature cache), classification over the classes in the reader's order; ids are {@code <class>/<image file>}.
 */
public final class Food101LayoutExport {

    private Food101LayoutExport() {
    }

    /**
     * @param root               the distribution (texts/, images/)
     * @param imageFeatures      image path &rarr; features [D]
     * @param textFeatures       title text &rarr; features [D]
     * @param validationFraction share of each class of the train file held out as "valid"
     * @param seed               seed of the hold-out
     * @return the rows skipped
     */
    public static SkipReport export(Path root, Function<String, float[]> imageFeatures,
                                    Function<String, float[]> textFeatures, double validationFraction, long seed,
                                    Path out, BadRecordPolicy policy) throws IOException {
        SkipReport skipped = new SkipReport();
        LayoutWriter w = null;
        String[][] parts = validationFraction > 0
                ? new String[][]{{"train", "TRAIN"}, {"valid", "VALIDATION"}, {"test", "TEST"}}
                : new String[][]{{"train", "TRAIN"}, {"test", "TEST"}};
        String[] splitNames = java.util.Arrays.stream(parts).map(p -> p[0]).toArray(String[]::new);
        for (String[] p : parts) {
            Food101Split split = Food101Split.valueOf(p[1]);
            Food101RecordReader r = new Food101RecordReader.Builder().split(split)
                    .validationFraction(validationFraction).seed(seed).badRecordPolicy(policy).build();
            r.initialize(InputSplits.existing(root, "UPMC Food-101's folder"));
            if (split != Food101Split.VALIDATION) {
                r.getSkipReport().reasons().forEach(skipped::skipped); // VALIDATION re-reads the train file
            }
            if (w == null) {
                w = new LayoutWriter(out, DatasetDescriptor.builder().name("upmc-food-101")
                        .description("UPMC Food-101 exported from texts/*_titles.csv and images/")
                        .classification(r.getLabels()).modality("image").modality("text")
                        .splits(splitNames).build());
            }
            SplitCollector c = new SplitCollector().vector("image").vector("text").target("label");
            int skippedHere = r.getSkipReport().count(); // rows of the file; then this split's feature skips
            int skippedBefore = skipped.count();
            Path csv = root.resolve("texts").resolve((split == Food101Split.TEST ? "test" : "train") + "_titles.csv");
            while (r.hasNext()) {
                Record rec = r.nextRecord();
                List<Writable> f = rec.getRecord();
                Path image = Path.of(f.get(Food101RecordReader.COLUMN_IMAGE).toString());
                String label = r.getLabels().get(f.get(Food101RecordReader.COLUMN_LABEL).toInt());
                String where = "row " + (((RecordMetaDataIndex) rec.getMetaData()).getIndex() + 1);
                float[] img = imageFeatures.apply(image.toString());
                float[] txt = textFeatures.apply(f.get(Food101RecordReader.COLUMN_TEXT).toString());
                try {
                    Validation.requireFinite(img, csv, where + ", image features");
                    Validation.requireFinite(txt, csv, where + ", text features");
                } catch (DataFormatException e) {
                    Validation.reject(e, policy, skipped);
                    continue;
                }
                c.add(label + "/" + image.getFileName(), Map.of("image", new float[][]{img}, "text",
                        new float[][]{txt}), Map.of("label", label));
            }
            if (split == Food101Split.VALIDATION && c.size() == 0 && skippedHere + skipped.count() == skippedBefore) {
                throw new IllegalArgumentException("Food101LayoutExport: a validation fraction of " + validationFraction
                        + " holds out no row of " + csv + ": every class has a single row, and each class keeps one "
                        + "for training; use 0 for no validation split");
            }
            Validation.requireNonEmptySplit(c.size(), csv, p[0], skippedHere + skipped.count() - skippedBefore);
            w.writeSplit(p[0], c.toSplitData());
        }
        return skipped;
    }
}

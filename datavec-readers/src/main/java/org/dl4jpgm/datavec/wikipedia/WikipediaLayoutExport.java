package org.dl4jpgm.datavec.wikipedia;

import org.dl4jpgm.datavec.common.InputSplits;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.Sequences;
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
 * Exports Wikipedia to the project's dataset layout: splits train / test, modalities {@code image} and {@code text}
 * ([N, D] each), classification over the 10 categories. From the .mat feature version directly, or from the raw
 * distribution with a feature function per modality (for instance an encoder's feature cache).
 */
public final class WikipediaLayoutExport {

    private WikipediaLayoutExport() {
    }

    /**
     * @param mat a .mat holding both splits ({@code I_tr, T_tr[, L_tr], I_te, T_te[, L_te]})
     * @return the rows skipped; ids are {@code train-<row>} / {@code test-<row>} (1-based rows of the matrices)
     */
    public static SkipReport fromMat(Path mat, Path out, BadRecordPolicy policy) throws IOException {
        SkipReport skipped = new SkipReport();
        LayoutWriter w = null;
        for (WikipediaSplit s : WikipediaSplit.values()) {
            WikipediaMatRecordReader r = new WikipediaMatRecordReader.Builder().split(s).badRecordPolicy(policy).build();
            r.initialize(InputSplits.existing(mat, "a Wikipedia .mat feature file"));
            r.getSkipReport().reasons().forEach(skipped::skipped);
            if (w == null) {
                w = new LayoutWriter(out, descriptor(r.getLabels(), "the MATLAB feature file " + mat.getFileName()));
            }
            SplitCollector c = new SplitCollector().vector("image").vector("text").target("label");
            String name = s.name().toLowerCase(java.util.Locale.ROOT);
            while (r.hasNext()) {
                Record rec = r.nextRecord();
                List<Writable> f = rec.getRecord();
                long row = ((RecordMetaDataIndex) rec.getMetaData()).getIndex() + 1;
                c.add(name + "-" + row, Map.of("image", Sequences.vector(f.get(WikipediaMatRecordReader.COLUMN_IMAGE)),
                                "text", Sequences.vector(f.get(WikipediaMatRecordReader.COLUMN_TEXT))),
                        Map.of("label", r.getLabels().get(f.get(WikipediaMatRecordReader.COLUMN_LABEL).toInt())));
            }
            Validation.requireNonEmptySplit(c.size(), mat, name, r.getSkipReport().count());
            w.writeSplit(name, c.toSplitData());
        }
        return skipped;
    }

    /**
     * @param root          the raw distribution (list files, texts/, images/)
     * @param imageFeatures image path &rarr; features [D]
     * @param textFeatures  article text &rarr; features [D]
     * @return the rows skipped; ids are the text ids
     */
    public static SkipReport fromRaw(Path root, Function<String, float[]> imageFeatures,
                                     Function<String, float[]> textFeatures, Path out, BadRecordPolicy policy)
            throws IOException {
        SkipReport skipped = new SkipReport();
        LayoutWriter w = null;
        for (WikipediaSplit s : WikipediaSplit.values()) {
            WikipediaRecordReader r = new WikipediaRecordReader.Builder().split(s).badRecordPolicy(policy).build();
            r.initialize(InputSplits.existing(root, "Wikipedia's raw distribution folder"));
            r.getSkipReport().reasons().forEach(skipped::skipped);
            int skippedBefore = skipped.count() - r.getSkipReport().count();
            if (w == null) {
                w = new LayoutWriter(out, descriptor(r.getLabels(), "the raw distribution"));
            }
            SplitCollector c = new SplitCollector().vector("image").vector("text").target("label");
            while (r.hasNext()) {
                Record rec = r.nextRecord();
                List<Writable> f = rec.getRecord();
                String id = f.get(WikipediaRecordReader.COLUMN_TEXT_ID).toString();
                String where = "line " + (((RecordMetaDataIndex) rec.getMetaData()).getIndex() + 1) + " (" + id + ")";
                float[] img = imageFeatures.apply(f.get(WikipediaRecordReader.COLUMN_IMAGE).toString());
                float[] txt = textFeatures.apply(f.get(WikipediaRecordReader.COLUMN_TEXT).toString());
                try {
                    Validation.requireFinite(img, root.resolve(s.listFile()), where + ", image features");
                    Validation.requireFinite(txt, root.resolve(s.listFile()), where + ", text features");
                } catch (DataFormatException e) {
                    Validation.reject(e, policy, skipped);
                    continue;
                }
                c.add(id, Map.of("image", new float[][]{img}, "text", new float[][]{txt}),
                        Map.of("label", r.getLabels().get(f.get(WikipediaRecordReader.COLUMN_LABEL).toInt())));
            }
            String name = s.name().toLowerCase(java.util.Locale.ROOT);
            Validation.requireNonEmptySplit(c.size(), root.resolve(s.listFile()), name, skipped.count() - skippedBefore);
            w.writeSplit(name, c.toSplitData());
        }
        return skipped;
    }

    private static DatasetDescriptor descriptor(List<String> categories, String from) {
        return DatasetDescriptor.builder().name("wikipedia").description("Wikipedia exported from " + from)
                .classification(categories).modality("image").modality("text").splits("train", "test").build();
    }
}

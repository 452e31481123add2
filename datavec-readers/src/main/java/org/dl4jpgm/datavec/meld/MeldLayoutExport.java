package org.dl4jpgm.datavec.meld;

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
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports MELD ({@code train/dev/test_sent_emo.csv} plus utterance features per modality) to the project's dataset
 * layout: splits train / valid (from dev) / test, one [N, D] modality per feature source, default target the 7
 * emotions, extra target {@code sentiment} (3 classes, {@code labels_sentiment.csv}); ids are {@code dia{D}_utt{U}}.
 */
public final class MeldLayoutExport {

    private static final String[][] SPLITS = {{"train", "train_sent_emo.csv"}, {"valid", "dev_sent_emo.csv"},
            {"test", "test_sent_emo.csv"}};

    private MeldLayoutExport() {
    }

    /**
     * Exports with the same features of each modality for all three splits (features whose keys are unique over the
     * splits, e.g. from an encoder's feature cache keyed by split).
     *
     * @param csvDir     folder of the three CSV files
     * @param modalities layout modality name &rarr; its utterance features
     * @param out        layout root to write
     * @param policy     FAIL, or SKIP rows that are bad or lack features of some modality
     * @return the rows skipped
     */
    public static SkipReport export(Path csvDir, Map<String, UtteranceFeatures> modalities, Path out,
                                    BadRecordPolicy policy) throws IOException {
        Map<String, List<UtteranceFeatures>> perSplit = new LinkedHashMap<>();
        modalities.forEach((name, f) -> perSplit.put(name, List.of(f, f, f)));
        return exportPerSplit(csvDir, perSplit, out, policy);
    }

    /**
     * Exports with features of each modality given per split, as MELD's baseline pickles hold them (one dict per
     * split, {@link UtteranceFeatures#readParts}; dialogue ids restart in every split).
     *
     * @param csvDir     folder of the three CSV files
     * @param modalities layout modality name &rarr; its utterance features for train, dev and test, in that order
     * @param out        layout root to write
     * @param policy     FAIL, or SKIP rows that are bad or lack features of some modality
     * @return the rows skipped
     */
    public static SkipReport exportPerSplit(Path csvDir, Map<String, List<UtteranceFeatures>> modalities, Path out,
                                            BadRecordPolicy policy) throws IOException {
        if (modalities.isEmpty()) {
            throw new IllegalArgumentException("MeldLayoutExport: expected at least one modality's features, found none");
        }
        for (Map.Entry<String, List<UtteranceFeatures>> m : modalities.entrySet()) {
            if (m.getValue().size() != SPLITS.length) {
                throw new IllegalArgumentException("MeldLayoutExport: expected the features of modality '" + m.getKey()
                        + "' for " + SPLITS.length + " splits (train, dev, test), found " + m.getValue().size());
            }
        }
        DatasetDescriptor.Builder b = DatasetDescriptor.builder().name("meld")
                .description("MELD exported from *_sent_emo.csv and utterance features")
                .classification(MeldLabel.EMOTION.classes()).splits("train", "valid", "test")
                .target(new TargetSpec("sentiment", TaskType.CLASSIFICATION, MeldLabel.SENTIMENT.classes(), null));
        modalities.keySet().forEach(b::modality);
        LayoutWriter w = new LayoutWriter(out, b.build());
        SkipReport skipped = new SkipReport();
        // one UtteranceFeatures given for several splits: which split's row took each key first
        Map<UtteranceFeatures, Map<String, String>> used = new IdentityHashMap<>();
        for (int si = 0; si < SPLITS.length; si++) {
            String[] s = SPLITS[si];
            Path csv = csvDir.resolve(s[1]);
            MeldCsvRecordReader r = new MeldCsvRecordReader.Builder().badRecordPolicy(policy).build();
            r.initialize(InputSplits.existing(csv, "MELD's " + s[1]));
            r.getSkipReport().reasons().forEach(skipped::skipped);
            int skippedBefore = skipped.count() - r.getSkipReport().count();
            SplitCollector c = new SplitCollector().target("label").target("sentiment");
            modalities.keySet().forEach(c::vector);
            while (r.hasNext()) {
                Record rec = r.nextRecord();
                List<Writable> f = rec.getRecord();
                String key = f.get(MeldCsvRecordReader.COLUMN_KEY).toString();
                Map<String, float[][]> feats = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, List<UtteranceFeatures>> e : modalities.entrySet()) {
                        Map.Entry<String, UtteranceFeatures> m = Map.entry(e.getKey(), e.getValue().get(si));
                        float[] v = m.getValue().get(key);
                        String where = "data row " + (((RecordMetaDataIndex) rec.getMetaData()).getIndex() + 1)
                                + " (" + key + ")";
                        if (v == null) {
                            throw new DataFormatException(csv, where, "features of modality '" + m.getKey() + "'",
                                    "none in " + (m.getValue().source() == null ? "the in-memory features"
                                            : m.getValue().source()));
                        }
                        String first = used.computeIfAbsent(m.getValue(), k -> new HashMap<>())
                                .putIfAbsent(key, s[1] + " " + where);
                        if (first != null && !first.startsWith(s[1] + " ")) {
                            throw new SharedAcrossSplitsException(csv, where, "features of modality '" + m.getKey()
                                    + "' for this split", "the one dict of " + m.getValue().source() + " that already "
                                    + "gave " + key + " to " + first + "; MELD's dialogue ids restart in every split, so "
                                    + "one dict for all splits joins rows of different splits to the same features (give "
                                    + "a (train, dev, test) tuple of dicts)");
                        }
                        Validation.requireFinite(v, csv, where + ", modality " + m.getKey());
                        feats.put(m.getKey(), new float[][]{v});
                    }
                } catch (SharedAcrossSplitsException e) {
                    throw e; // the whole join is wrong, not this row: no SKIP
                } catch (DataFormatException e) {
                    Validation.reject(e, policy, skipped);
                    continue;
                }
                c.add(key, feats, Map.of(
                        "label", MeldLabel.EMOTION.classes().get(f.get(MeldCsvRecordReader.COLUMN_EMOTION).toInt()),
                        "sentiment", MeldLabel.SENTIMENT.classes().get(f.get(MeldCsvRecordReader.COLUMN_SENTIMENT).toInt())));
            }
            Validation.requireNonEmptySplit(c.size(), csv, s[0], skipped.count() - skippedBefore);
            w.writeSplit(s[0], c.toSplitData());
        }
        return skipped;
    }

    /** One feature dict joined to rows of two splits by a key that MELD reuses in every split. */
    private static final class SharedAcrossSplitsException extends DataFormatException {
        SharedAcrossSplitsException(Path file, String where, String expected, String found) {
            super(file, where, expected, found);
        }
    }
}

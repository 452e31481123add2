package org.dl4jpgm.datavec.mosi;

import org.dl4jpgm.datavec.common.InputSplits;
import org.datavec.api.records.Record;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.Sequences;
import org.dl4jpgm.datavec.common.SkipReport;
import org.dl4jpgm.datavec.layout.SplitCollector;
import org.dl4jpgm.datavec.common.Validation;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exports CMU-MOSI, read by {@link MosiPickleSequenceRecordReader} or {@link MosiCsdSequenceRecordReader}, to the
 * project's dataset layout (regression; modalities [N, S, D] with {@code <name>_lengths.npy} where sequences have
 * true lengths), so that every command of the project runs on it.
 */
public final class MosiLayoutExport {

    private MosiLayoutExport() {
    }

    /**
     * MMSA pickle &rarr; layout with splits train / valid / test, modalities text, audio, vision padded to the
     * pickle's S, lengths written for unaligned pickles.
     *
     * @return the records skipped under {@code policy} (all splits)
     */
    public static SkipReport fromPickle(Path pkl, Path out, BadRecordPolicy policy) throws IOException {
        MmsaPickle parsed = MmsaPickle.read(pkl);
        DatasetDescriptor d = DatasetDescriptor.builder().name("cmu-mosi")
                .description("CMU-MOSI exported from the MMSA pickle " + pkl.getFileName()).regression()
                .modality("text").modality("audio").modality("vision").splits("train", "valid", "test").build();
        LayoutWriter w = new LayoutWriter(out, d);
        SkipReport skipped = new SkipReport();
        for (MmsaSplit s : MmsaSplit.values()) {
            SplitCollector c = new SplitCollector().target("label");
            Map<MosiModality, MosiPickleSequenceRecordReader> readers = new LinkedHashMap<>();
            for (MosiModality m : MosiModality.values()) {
                MosiPickleSequenceRecordReader r = new MosiPickleSequenceRecordReader.Builder().split(s).modality(m)
                        .badRecordPolicy(policy).preloaded(parsed).build();
                r.initialize(InputSplits.existing(pkl, "an MMSA pickle"));
                readers.put(m, r);
                c.sequence(m.key(), (int) r.getSequenceLength(), r.hasLengths());
            }
            MosiPickleSequenceRecordReader labels = readers.get(MosiModality.TEXT);
            List<String> ids = labels.servedIds();
            List<Double> ys = new ArrayList<>();
            labels.reset();
            while (labels.hasNext()) {
                ys.add(labels.next().get(MosiPickleSequenceRecordReader.COLUMN_LABEL).toDouble());
            }
            labels.reset();
            for (int i = 0; i < ids.size(); i++) {
                Map<String, float[][]> f = new LinkedHashMap<>();
                for (Map.Entry<MosiModality, MosiPickleSequenceRecordReader> e : readers.entrySet()) {
                    f.put(e.getKey().key(), Sequences.steps(e.getValue().sequenceRecord()));
                }
                c.add(ids.get(i), f, Map.of("label", Double.toString(ys.get(i))));
            }
            for (String reason : labels.getSkipReport().reasons()) {
                skipped.skipped(reason);
            }
            Validation.requireNonEmptySplit(c.size(), pkl, s.key(), labels.getSkipReport().count());
            w.writeSplit(s.key(), c.toSplitData());
        }
        return skipped;
    }

    /**
     * CMU-MultimodalSDK computational sequences &rarr; layout.
     *
     * @param dir        folder of the .csd files (the label sequence {@code CMU_MOSI_Opinion_Labels.csd} included)
     * @param modalities layout modality name &rarr; .csd file name of numeric features (word sequences must be
     *                   embedded first)
     * @param folds      layout split name &rarr; the video ids of that fold (e.g. the SDK's standard folds)
     * @param out        layout root to write
     * @return the segments skipped under {@code policy}
     */
    public static SkipReport fromCsd(Path dir, Map<String, String> modalities, Map<String, Set<String>> folds, Path out,
                                     BadRecordPolicy policy) throws IOException {
        if (modalities.isEmpty() || folds.isEmpty()) {
            throw new IllegalArgumentException("MosiLayoutExport: expected at least one modality and one fold, found "
                    + modalities.keySet() + " and " + folds.keySet());
        }
        DatasetDescriptor.Builder b = DatasetDescriptor.builder().name("cmu-mosi")
                .description("CMU-MOSI exported from CMU-MultimodalSDK computational sequences").regression()
                .splits(folds.keySet().toArray(new String[0]));
        modalities.keySet().forEach(b::modality);
        SkipReport skipped = new SkipReport();
        Map<String, SplitCollector> collected = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> fold : folds.entrySet()) {
            SplitCollector c = new SplitCollector().target("label");
            int skippedBefore = skipped.count();
            List<MosiCsdSequenceRecordReader> readers = new ArrayList<>();
            for (Map.Entry<String, String> m : modalities.entrySet()) {
                MosiCsdSequenceRecordReader r = new MosiCsdSequenceRecordReader.Builder().featureFile(m.getValue())
                        .videos(fold.getValue()).badRecordPolicy(BadRecordPolicy.SKIP).build();
                r.initialize(InputSplits.existing(dir, "a CMU-MOSI .csd folder"));
                readers.add(r);
                c.sequence(m.getKey(), 0, true);
            }
            // a segment is exported only if every modality has it
            Map<String, Map<String, float[][]>> byId = new LinkedHashMap<>();
            Map<String, Double> label = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(modalities.keySet());
            for (int k = 0; k < readers.size(); k++) {
                MosiCsdSequenceRecordReader r = readers.get(k);
                while (r.hasNext()) {
                    org.datavec.api.records.SequenceRecord s = r.nextSequence();
                    Record rec = r.loadFromMetaData(s.getMetaData());
                    String id = rec.getRecord().get(MosiCsdSequenceRecordReader.COLUMN_ID).toString();
                    label.put(id, rec.getRecord().get(MosiCsdSequenceRecordReader.COLUMN_LABEL).toDouble());
                    byId.computeIfAbsent(id, x -> new LinkedHashMap<>()).put(names.get(k),
                            Sequences.steps(s.getSequenceRecord()));
                }
                if (r.getSkipReport().count() > 0 && policy == BadRecordPolicy.FAIL) {
                    throw new org.dl4jpgm.datavec.common.DataFormatException(dir.resolve(modalities.get(names.get(k))),
                            "fold " + fold.getKey(), "every labelled segment", r.getSkipReport().reasons().get(0));
                }
                r.getSkipReport().reasons().forEach(skipped::skipped);
            }
            for (Map.Entry<String, Map<String, float[][]>> e : byId.entrySet()) {
                if (e.getValue().size() == names.size()) {
                    c.add(e.getKey(), e.getValue(), Map.of("label", Double.toString(label.get(e.getKey()))));
                }
            }
            Validation.requireNonEmptySplit(c.size(), dir, fold.getKey(), skipped.count() - skippedBefore);
            collected.put(fold.getKey(), c);
        }
        for (String m : modalities.keySet()) {
            int s = 0;
            for (SplitCollector c : collected.values()) {
                s = Math.max(s, c.longest(m));
            }
            for (SplitCollector c : collected.values()) {
                c.padTo(m, s);
            }
        }
        LayoutWriter w = new LayoutWriter(out, b.build());
        for (Map.Entry<String, SplitCollector> e : collected.entrySet()) {
            w.writeSplit(e.getKey(), e.getValue().toSplitData());
        }
        return skipped;
    }
}

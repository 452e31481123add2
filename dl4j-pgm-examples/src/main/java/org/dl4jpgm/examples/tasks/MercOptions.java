package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.ProjectHome;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Options of {@link MercMain}: the {@link TaskOptions}, the feature pickles per modality, the target. */
public final class MercOptions extends TaskOptions {

    /** Default {@code --features}: the MELD baselines' utterance features (text GloVe average, audio openSMILE). */
    public static final String DEFAULT_FEATURES = "text=text_glove_average_emotion.pkl,"
            + "audio=audio_embeddings_feature_selection_emotion.pkl";

    /**
     * Modality name &rarr; feature pickle, relative to DATA_DIR or absolute; at least two modalities. Each pickle holds a
     * {@code (train, dev, test)} tuple of dicts (MELD's baseline pickles) or one dict for all splits, keyed
     * {@code dia{D}_utt{U}} or {@code {D}_{U}}. Default {@link #DEFAULT_FEATURES}.
     */
    private Map<String, Path> features = features(DEFAULT_FEATURES);
    /** The label to predict: EMOTION (default; 7 classes, the paper's MERC) or SENTIMENT (3 classes). */
    private String target = "emotion";

    private MercOptions() {
        super(ProjectHome.resolve("tasks-out", "merc"));
    }

    /**
     * Parses {@code DATA_DIR [--option value ...]}.
     *
     * @throws IllegalArgumentException naming the bad argument, option or value
     */
    public static MercOptions parse(String... args) {
        MercOptions o = new MercOptions();
        o.parseArgs(args);
        return o;
    }

    private static Map<String, Path> features(String v) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (String part : v.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException("MercMain: --features expects name=file[,name=file...], found '"
                        + part + "' in '" + v + "'");
            }
            if (m.put(kv[0].trim(), Path.of(kv[1].trim())) != null) {
                throw new IllegalArgumentException("MercMain: --features names modality '" + kv[0].trim() + "' twice");
            }
        }
        if (m.size() < 2) {
            throw new IllegalArgumentException("MercMain: --features expects at least two modalities (PgM fuses M >= 2),"
                    + " found " + m.keySet());
        }
        return m;
    }

    @Override
    protected String command() {
        return "MercMain";
    }

    @Override
    protected List<String> dataUsage() {
        return List.of(
                "  DATA_DIR               MELD: train_sent_emo.csv, dev_sent_emo.csv, test_sent_emo.csv and the",
                "                         utterance feature pickles named by --features");
    }

    @Override
    protected List<String> taskUsage() {
        return List.of(
                "  --features LIST        modality=pickle,... relative to DATA_DIR, at least two; each pickle a",
                "                         (train, dev, test) tuple of dicts or one dict keyed dia{D}_utt{U} / {D}_{U}",
                "                         (default " + DEFAULT_FEATURES + ")",
                "  --target NAME          emotion (default, 7 classes) or sentiment (3 classes)");
    }

    @Override
    protected boolean taskOption(String option, String value) {
        switch (option) {
            case "--features" -> features = features(value);
            case "--target" -> {
                String t = value.trim().toLowerCase(java.util.Locale.ROOT);
                if (!t.equals("emotion") && !t.equals("sentiment")) {
                    throw new IllegalArgumentException("MercMain: --target expects emotion or sentiment, found '"
                            + value + "'");
                }
                target = t;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The three CSVs MELD ships, in split order train, dev, test. */
    public static final List<String> CSVS = List.of("train_sent_emo.csv", "dev_sent_emo.csv", "test_sent_emo.csv");

    @Override
    protected List<String> splits() {
        return List.of("train", "valid", "test");
    }

    @Override
    protected List<String> modalities() {
        return List.copyOf(features.keySet());
    }

    @Override
    protected void checkData() {
        for (String csv : CSVS) {
            requireFile(Path.of(csv), "DATA_DIR (MELD's " + csv + ")");
        }
        for (Map.Entry<String, Path> e : features.entrySet()) {
            requireFile(e.getValue(), "--features " + e.getKey());
        }
    }

    @Override
    protected void taskValues(Map<String, Object> values) {
        Map<String, String> f = new LinkedHashMap<>();
        features.forEach((k, v) -> f.put(k, v.toString()));
        values.put("--features", f);
        values.put("--target", target);
    }

    /** Modality name &rarr; feature pickle as given (relative to DATA_DIR or absolute). */
    public Map<String, Path> getFeatures() { return features; }
    /** {@code emotion} or {@code sentiment}. */
    public String getTarget() { return target; }
}

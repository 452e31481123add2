package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.ProjectHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Options of {@link MercMain}: the {@link TaskOptions}, the feature pickles per modality, the target. */
@Command(name = "MercMain", description = {"Multimodal emotion recognition in conversation on MELD, PgM in two stages, "
        + "test metrics as a row of Table 2.", "",
        "DATA_DIR: MELD: train_sent_emo.csv, dev_sent_emo.csv, test_sent_emo.csv and the utterance feature pickles "
                + "named by --features", ""})
public final class MercOptions extends TaskOptions {

    /** Default {@code --features}: the MELD baselines' utterance features (text GloVe average, audio openSMILE). */
    public static final String DEFAULT_FEATURES = "text=text_glove_average_emotion.pkl,"
            + "audio=audio_embeddings_feature_selection_emotion.pkl";

    /**
     * Modality name &rarr; feature pickle, relative to DATA_DIR or absolute; at least two modalities. Each pickle holds a
     * {@code (train, dev, test)} tuple of dicts (MELD's baseline pickles) or one dict for all splits, keyed
     * {@code dia{D}_utt{U}} or {@code {D}_{U}}. Default {@link #DEFAULT_FEATURES}.
     */
    @Option(names = "--features", paramLabel = "LIST", order = 20,
            description = {"modality=pickle,... relative to DATA_DIR, at least two; each pickle a (train, dev, test) "
                    + "tuple of dicts or one dict keyed dia{D}_utt{U} / {D}_{U}", "(default ${DEFAULT-VALUE})"})
    private String featureList = DEFAULT_FEATURES;
    /** {@link #featureList} parsed. */
    private Map<String, Path> features = features(DEFAULT_FEATURES);
    /** The label to predict: emotion (default; 7 classes, the paper's MERC) or sentiment (3 classes). */
    @Option(names = "--target", paramLabel = "NAME", order = 21,
            description = "emotion (default, 7 classes) or sentiment (3 classes)")
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
        return parse(new MercOptions(), args);
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
    protected void checkTaskOptions() {
        features = features(featureList);
        String t = target.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("emotion") && !t.equals("sentiment")) {
            throw new IllegalArgumentException("MercMain: --target expects emotion or sentiment, found '" + target
                    + "'");
        }
        target = t;
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
    }

    /** Modality name &rarr; feature pickle as given (relative to DATA_DIR or absolute). */
    public Map<String, Path> getFeatures() { return features; }
    /** {@code emotion} or {@code sentiment}. */
    public String getTarget() { return target; }
}

package org.dl4jpgm.examples.predict;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.FeatureStandardizer;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained graph as the mains save it: {@link ModelSerializer#writeModel} (graph, parameters, updater state) with one
 * more zip entry, {@link #ENTRY}, a JSON object holding what the graph was trained on: the command and its options
 * with the values in effect, the training options as a preset, the fusion and seed, the target (name, task, classes),
 * each modality's name and per-example shape, the data set's fingerprint and, when features were standardised, the
 * train split's mean and deviation per modality. {@link Predict} reads it back.
 *
 * @param command      the main that trained it, e.g. {@code MainJob}, {@code MsaMain}
 * @param fusion       the fusion's row label, e.g. {@code PgM}
 * @param seed         the seed of initialisation and shuffling
 * @param target       target name
 * @param task         {@code classification} or {@code regression}
 * @param classes      class names (classification), else empty
 * @param modalities   modality name &rarr; per-example shape ([D] or [S, D]), in input order
 * @param fingerprint  SHA-256 of the data set trained on (its layout, file by file)
 * @param training     the training options as a preset (the keys of {@code presets/cpu.json})
 * @param options      every option of the command with the value in effect
 * @param args         the command line as given (a task main's re-parsed by {@link Predict} to export another folder)
 * @param standardizer the train split's mean and deviation per modality, when features were standardised (else null)
 */
public record SavedModel(String command, String fusion, long seed, String target, String task, List<String> classes,
                         Map<String, long[]> modalities, String fingerprint, Map<String, Object> training,
                         Map<String, Object> options, List<String> args, FeatureStandardizer standardizer) {

    /** The zip entry of the description, next to DL4J's own entries. */
    public static final String ENTRY = "dl4jpgm-model.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The per-example shape of each modality of {@code split}, in the descriptor's order. */
    public static Map<String, long[]> shapes(DatasetDescriptor d, SplitData split) {
        Map<String, long[]> m = new LinkedHashMap<>();
        d.getModalities().forEach(s -> {
            long[] shape = split.features(s.getName()).shape();
            m.put(s.getName(), Arrays.copyOfRange(shape, 1, shape.length));
        });
        return m;
    }

    /** The target's description fields from {@code t}. */
    public static String task(TargetSpec t) {
        return t.getTask().jsonName();
    }

    /** Writes {@code g} and this description to {@code file} (its folder is created). */
    public void write(ComputationGraph g, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ModelSerializer.writeModel(g, file.toFile(), true);
        ModelSerializer.addObjectToFile(file.toFile(), ENTRY, JSON.writeValueAsString(toMap()));
    }

    private Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("fusion", fusion);
        m.put("seed", seed);
        m.put("target", target);
        m.put("task", task);
        m.put("classes", classes);
        m.put("modalities", modalities);
        m.put("datasetFingerprint", fingerprint);
        m.put("training", training);
        m.put("options", options);
        m.put("args", args);
        if (standardizer != null) {
            m.put("standardizer", Map.of("mean", standardizer.mean(), "std", standardizer.std()));
        }
        return m;
    }

    /**
     * Reads the description of a saved model.
     *
     * @throws IllegalArgumentException naming the file when it is not a model saved by the mains
     */
    public static SavedModel read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + file + ": expected a model file, found "
                    + (Files.exists(file) ? "a folder" : "nothing at that path"));
        }
        String json;
        try {
            json = ModelSerializer.getObjectFromFile(file.toFile(), ENTRY);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--model " + file + ": expected a model saved by the mains (a zip with "
                    + "the entry " + ENTRY + "), found a file without it");
        }
        try {
            Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            Map<String, long[]> modalities = new LinkedHashMap<>();
            JSON.convertValue(m.get("modalities"), new TypeReference<LinkedHashMap<String, long[]>>() { })
                    .forEach(modalities::put);
            FeatureStandardizer standardizer = null;
            if (m.get("standardizer") != null) {
                Map<String, LinkedHashMap<String, double[]>> s = JSON.convertValue(m.get("standardizer"),
                        new TypeReference<LinkedHashMap<String, LinkedHashMap<String, double[]>>>() { });
                standardizer = new FeatureStandardizer(s.get("mean"), s.get("std"));
            }
            @SuppressWarnings("unchecked")
            SavedModel r = new SavedModel((String) m.get("command"), (String) m.get("fusion"),
                    ((Number) m.get("seed")).longValue(), (String) m.get("target"), (String) m.get("task"),
                    (List<String>) m.get("classes"), modalities, (String) m.get("datasetFingerprint"),
                    (Map<String, Object>) m.get("training"), (Map<String, Object>) m.get("options"),
                    m.get("args") == null ? List.of() : (List<String>) m.get("args"), standardizer);
            return r;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--model " + file + ": entry " + ENTRY + " cannot be read: "
                    + e.getMessage());
        }
    }

    /** Restores the graph of a saved model. */
    public static ComputationGraph restore(Path file) {
        try {
            return ModelSerializer.restoreComputationGraph(file.toFile(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package org.dl4jpgm.examples.cli;

import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.JsonMappingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Training settings as data: JSON objects read into {@link TrainingOptions} (the keys are its field names, e.g.
 * {@code width}, {@code stage2Epochs}, {@code learnerLr}). A preset sets only the keys it holds. The built-in ones are
 * the classpath resources {@code presets/<name>.json}: {@link #CPU} (every main's base), {@link #TASKS} (the task
 * mains' base, over cpu), {@link #MAIN_JOB} (the main job's base, over cpu), {@link #QUICK} (the main job's
 * {@code --quick}) and {@link #PAPER} (Sec. 4.2); any other {@code --preset} value is a file.
 */
public final class Presets {

    /** Every main's base: the defaults sized for a CPU. */
    public static final String CPU = "cpu";
    /** The task mains' base over {@link #CPU}: fewer stage-2 epochs, smaller batches. */
    public static final String TASKS = "tasks";
    /**
     * The main job's base over {@link #CPU}: the stage-2 budget that fits its time on a 2-core machine, and the dropout
     * before PgM's head, the baselines' learning rate and their dropout chosen on the embedded set's validation split
     * (docs/results.md, "The main job's defaults, chosen on the validation split").
     */
    public static final String MAIN_JOB = "mainjob";
    /** The main job's {@code --quick}, over its base. */
    public static final String QUICK = "quick";
    /** The paper's settings (Sec. 4.2): D 768, N 3, 20 + 50 epochs, Adam 3e-4 / 1e-4 / 1e-3, α 0.5, β 1. */
    public static final String PAPER = "paper";
    /** The built-in presets. */
    public static final List<String> NAMES = List.of(CPU, TASKS, MAIN_JOB, QUICK, PAPER);

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Presets() {
    }

    /**
     * Applies the preset {@code nameOrFile} to {@code o}: a built-in name, else a JSON file.
     *
     * @throws IllegalArgumentException naming the preset (file), the key and the problem: an unknown key, a value of
     *                                  the wrong type, a value out of range, a file that is missing or not JSON
     */
    public static void apply(TrainingOptions o, String nameOrFile) {
        String source;
        byte[] json;
        if (NAMES.contains(nameOrFile)) {
            source = "preset " + nameOrFile + " (presets/" + nameOrFile + ".json)";
            try (InputStream in = Presets.class.getResourceAsStream("/presets/" + nameOrFile + ".json")) {
                if (in == null) {
                    throw new IllegalStateException(source + ": expected on the classpath, found nothing");
                }
                json = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            Path f = Path.of(nameOrFile);
            source = "preset file " + f.toAbsolutePath().normalize();
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--preset " + nameOrFile + ": expected one of " + NAMES
                        + " or a JSON file, found " + (Files.exists(f) ? "a folder" : "no file") + " at "
                        + f.toAbsolutePath().normalize());
            }
            try {
                json = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new IllegalArgumentException(source + ": cannot be read: " + e.getMessage());
            }
        }
        try {
            JSON.readerForUpdating(o).readValue(json);
        } catch (JsonMappingException e) {
            String key = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]"
                    : r.getFieldName()).collect(Collectors.joining("."));
            String what = e instanceof org.nd4j.shade.jackson.databind.exc.UnrecognizedPropertyException
                    ? "unknown key, expected one of " + keys()
                    : e.getOriginalMessage().replaceAll("\\s+", " ");
            throw new IllegalArgumentException(source + ": key '" + key + "': " + what
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": expected a JSON object, " + e.getMessage()
                    .replaceAll("\\s+", " "));
        }
        o.check(source);
    }

    /** The keys a preset may hold. */
    public static List<String> keys() {
        return List.copyOf(JSON.convertValue(new TrainingOptions(), java.util.Map.class).keySet());
    }

    /** {@code o} as a preset: every key with its value (the format {@link #apply} reads). */
    public static String json(TrainingOptions o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code o} as a map of preset keys to values (for the provenance and the saved models). */
    @SuppressWarnings("unchecked")
    public static java.util.Map<String, Object> values(TrainingOptions o) {
        return JSON.convertValue(o, java.util.LinkedHashMap.class);
    }
}

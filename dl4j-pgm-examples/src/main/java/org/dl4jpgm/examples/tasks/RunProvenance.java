package org.dl4jpgm.examples.tasks;

import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a main's results were computed from, written next to them: the command, every option with the value in
 * effect, the seed, the data folder, the fingerprint of the dataset as trained on, the machine and the time.
 *
 * <p>The fingerprint is the SHA-256 over the exported layout (every file under {@code <out>/layout}, in path order:
 * its relative path, a NUL, its bytes, a NUL): the same data folder read with the same options always gives the same
 * layout, and any change to the data that reaches training changes it. Hashing the layout rather than the distribution
 * keeps it cheap where the distribution holds tens of thousands of images.
 *
 * @param command     the main, e.g. {@code MsaMain}
 * @param options     every option by its command-line name, with the value in effect
 * @param fingerprint SHA-256 of the exported layout, hex
 * @param layoutFiles number of files hashed
 * @param checksums   SHA-256 of each file of the layout, by its path relative to the layout
 * @param machine     OS, architecture, processors, Java version
 * @param time        when the results were written (UTC, ISO-8601)
 */
public record RunProvenance(String command, Map<String, Object> options, String fingerprint, int layoutFiles,
                            Map<String, String> checksums,
                            String machine, String time) {

    /**
     * The SHA-256 of a data set in the project's layout.
     *
     * @param sha256    hex digest over every file, in path order: relative path, NUL, bytes, NUL
     * @param files     number of files hashed
     * @param checksums hex SHA-256 of each file's bytes, by its path relative to the layout, in path order
     */
    public record Fingerprint(String sha256, int files, Map<String, String> checksums) {
    }

    /** The provenance of a task main's run with options {@code o} whose export is {@code layout}. */
    public static RunProvenance of(TaskOptions o, Path layout) throws IOException {
        return of(o.getCommand(), o.values(), layout);
    }

    /** The provenance of a run of {@code command} with {@code options} on the data set {@code layout}. */
    public static RunProvenance of(String command, Map<String, Object> options, Path layout) throws IOException {
        Fingerprint f = fingerprint(layout);
        return new RunProvenance(command, options, f.sha256(), f.files(), f.checksums(), thisMachine(),
                Instant.now().toString());
    }

    /** The fingerprint of the data set (layout) under {@code layout}. */
    public static Fingerprint fingerprint(Path layout) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(layout)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest sha = sha256();
        Map<String, String> checksums = new LinkedHashMap<>();
        byte[] buffer = new byte[1 << 16];
        for (Path f : files) {
            String name = layout.relativize(f).toString().replace('\\', '/');
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            MessageDigest file = sha256();
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    file.update(buffer, 0, n);
                }
            }
            sha.update((byte) 0);
            checksums.put(name, HexFormat.of().formatHex(file.digest()));
        }
        return new Fingerprint(HexFormat.of().formatHex(sha.digest()), files.size(), checksums);
    }

    /** OS, architecture, processors, Java version. */
    public static String thisMachine() {
        return String.format(Locale.ROOT, "%s %s, %d processors, Java %s", System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
    }

    /** The seed of initialisation and shuffling. */
    public Object seed() {
        return options.get("--seed");
    }

    /** A Markdown section: command, seed, fingerprint, machine, time, then one row per option. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("## Provenance\n\n");
        sb.append("- command: `").append(command).append("`\n");
        if (seed() != null) {
            sb.append("- seed: ").append(seed()).append('\n');
        }
        sb.append("- dataset fingerprint (SHA-256 of the exported layout, ").append(layoutFiles).append(" files): `")
                .append(fingerprint).append("`\n");
        BuildCommit commit = BuildCommit.current();
        if (commit.commit() != null) {
            sb.append("- git commit: `").append(commit.commit()).append("` (").append(commit.origin()).append(")\n");
        }
        sb.append("- machine: ").append(machine).append('\n');
        sb.append("- written: ").append(time).append("\n\n");
        sb.append("| option | value |\n|---|---|\n");
        options.forEach((k, v) -> sb.append("| `").append(k).append("` | ").append(v == null ? "(default)" : v)
                .append(" |\n"));
        return sb.toString();
    }

    /** The report and this provenance as one JSON object (an undefined metric is {@code null}). */
    public String json(TaskReport report) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        report.metrics().forEach((k, v) -> metrics.put(k, Double.isFinite(v) ? v : null));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("title", report.title());
        root.put("model", report.model());
        root.put("testExamples", report.testExamples());
        root.put("metrics", metrics);
        root.put("notes", report.notes());
        return json(root);
    }

    /**
     * {@code results} followed by this provenance as one JSON object: command, seed, data set fingerprint, options,
     * git commit ({@link BuildCommit}: {@code gitCommit}, {@code gitDirty}, {@code gitCommitSource}), machine, time.
     */
    public String json(Map<String, Object> results) {
        Map<String, Object> root = new LinkedHashMap<>(results);
        root.put("command", command);
        if (seed() != null) {
            root.put("seed", seed());
        }
        root.put("datasetFingerprint", fingerprint);
        root.put("layoutFiles", layoutFiles);
        root.put("datasetChecksums", checksums);
        root.put("options", options);
        BuildCommit commit = BuildCommit.current();
        root.put("gitCommit", commit.commit());
        root.put("gitDirty", commit.dirty());
        root.put("gitCommitSource", commit.source());
        root.put("machine", machine);
        root.put("written", time);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

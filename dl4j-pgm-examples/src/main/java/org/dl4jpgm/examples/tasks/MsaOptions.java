package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.ProjectHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Options of {@link MsaMain}: the {@link TaskOptions} and which MMSA pickle to read. */
@Command(name = "MsaMain", description = {"Multimodal sentiment analysis on CMU-MOSI (text, audio, vision), PgM in two "
        + "stages, test metrics as a row of Table 2.", "",
        "DATA_DIR: CMU-MOSI as MMSA distributes it: a folder holding aligned_50.pkl or unaligned_50.pkl ({train, "
                + "valid, test} dicts of text, audio, vision, regression_labels), or the pickle itself", ""})
public final class MsaOptions extends TaskOptions {

    /** The MMSA pickles looked for in DATA_DIR, in this order, when {@code --pickle} is not given. */
    public static final List<String> PICKLES = List.of("aligned_50.pkl", "unaligned_50.pkl");

    /**
     * The MMSA pickle, relative to DATA_DIR or absolute (null = the first of {@link #PICKLES} in DATA_DIR; DATA_DIR may
     * also be the pickle file itself).
     */
    @Option(names = "--pickle", paramLabel = "FILE", order = 20,
            description = "the pickle, relative to DATA_DIR (default: aligned_50.pkl, else unaligned_50.pkl)")
    private Path pickle;

    private MsaOptions() {
        super(ProjectHome.resolve("tasks-out", "msa"));
    }

    /**
     * Parses {@code DATA_DIR [--option value ...]}.
     *
     * @throws IllegalArgumentException naming the bad argument, option or value
     */
    public static MsaOptions parse(String... args) {
        return parse(new MsaOptions(), args);
    }

    @Override
    protected List<String> splits() {
        return List.of("train", "valid", "test");
    }

    @Override
    protected List<String> modalities() {
        return List.of("text", "audio", "vision");
    }

    @Override
    protected void checkData() {
        resolvePickle();
    }

    /**
     * The pickle to read.
     *
     * @throws TaskOptionException naming what was looked for where, when there is none
     */
    public Path resolvePickle() {
        Path data = getData();
        if (pickle != null) {
            return requireFile(pickle, "--pickle");
        }
        if (Files.isRegularFile(data)) {
            return data;
        }
        for (String name : PICKLES) {
            if (Files.isRegularFile(data.resolve(name))) {
                return data.resolve(name);
            }
        }
        throw new TaskOptionException("MsaMain: expected " + String.join(" or ", PICKLES) + " in " + data
                + ", found neither (name another pickle with --pickle)");
    }
}

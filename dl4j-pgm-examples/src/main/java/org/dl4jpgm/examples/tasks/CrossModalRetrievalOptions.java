package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.ProjectHome;
import org.dl4jpgm.examples.experiment.FusionChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Options of {@link CrossModalRetrievalMain}: the {@link TaskOptions}, the .mat feature file or what raw images and
 * articles become ({@link RawDataOptions}), and which of PgM's features are the retrieval representations.
 */
@Command(name = "CrossModalRetrievalMain", description = {"Cross-modal retrieval on Wikipedia (image, text), PgM in "
        + "two stages, MAP and precision@10 as a row of Table 2.", "",
        "DATA_DIR: Wikipedia (Rasiwasia et al. 2010): the feature version (a folder with one .mat holding I_tr, T_tr, "
                + "L_tr, I_te, T_te, L_te, or the .mat itself), or the raw distribution (" + CrossModalRetrievalOptions.TRAIN_LIST
                + ", testset_txt_img_cat.list, texts/<id>.xml, images/<category>/<id>.jpg)", ""})
public final class CrossModalRetrievalOptions extends RawDataOptions {

    /** The list file that marks a folder as Wikipedia's raw distribution. */
    public static final String TRAIN_LIST = "trainset_txt_img_cat.list";

    /**
     * The .mat feature file ({@code I_tr, T_tr, L_tr, I_te, T_te, L_te}), relative to DATA_DIR or absolute (null = the
     * one .mat in DATA_DIR, or DATA_DIR itself if it is a .mat; with none, the raw distribution is read).
     */
    @Option(names = "--mat", paramLabel = "FILE", order = 20,
            description = "the .mat feature file, relative to DATA_DIR (default: the one .mat there)")
    private Path mat;
    /** Which of PgM's per-modality features form the retrieval representation. Default BOTH ({@code [u_m ; p_m]}). */
    @Option(names = "--embedding", paramLabel = "WHICH", order = 21,
            description = {"retrieval representation per modality: BOTH = [u_m ; p_m] (default),",
                    "UNI = u_m, PAIRED = p_m (PgM's uni-/paired-modal features)"})
    private RetrievalHead.Embedding embedding = RetrievalHead.Embedding.BOTH;

    private CrossModalRetrievalOptions() {
        super(ProjectHome.resolve("tasks-out", "cr"));
    }

    /**
     * Parses {@code DATA_DIR [--option value ...]}.
     *
     * @throws IllegalArgumentException naming the bad argument, option or value
     */
    public static CrossModalRetrievalOptions parse(String... args) {
        return parse(new CrossModalRetrievalOptions(), args);
    }

    @Override
    protected List<String> splits() {
        return List.of("train", "test");
    }

    @Override
    protected List<String> modalities() {
        return List.of("image", "text");
    }

    @Override
    protected String unsupported(FusionChoice choice) {
        return choice.isPgm() ? null : "retrieval ranks by PgM's per-modality features [u_m ; p_m], which only PgM "
                + "and its ablations (PGM, NO_PARTITIONER, NO_UFC, NO_PFC, NO_UPR) compute";
    }

    @Override
    protected void checkData() {
        try {
            if (resolveMat() == null) {
                checkRawData(List.of(Path.of(TRAIN_LIST), Path.of("testset_txt_img_cat.list")),
                        List.of(Path.of("texts"), Path.of("images")));
            }
        } catch (IOException e) {
            throw new TaskOptionException("CrossModalRetrievalMain: cannot list " + getData() + ": " + e.getMessage());
        }
    }

    @Override
    protected void taskValues(Map<String, Object> values) {
        rawDataValues(values);
    }

    /** Which of PgM's features form the retrieval representation. */
    public RetrievalHead.Embedding getEmbedding() { return embedding; }

    /**
     * The .mat to read, or null for the raw distribution.
     *
     * @throws TaskOptionException naming the folder and what it lacks
     */
    public Path resolveMat() throws IOException {
        Path data = getData();
        if (mat != null) {
            return requireFile(mat, "--mat");
        }
        if (Files.isRegularFile(data)) {
            return data;
        }
        if (!Files.isDirectory(data)) {
            throw new TaskOptionException("CrossModalRetrievalMain: expected a data directory, found no " + data);
        }
        List<Path> mats;
        try (Stream<Path> l = Files.list(data)) {
            mats = l.filter(p -> p.getFileName().toString().endsWith(".mat")).sorted().toList();
        }
        if (mats.size() == 1) {
            return mats.get(0);
        }
        if (Files.isRegularFile(data.resolve(TRAIN_LIST))) {
            return null;
        }
        throw new TaskOptionException("CrossModalRetrievalMain: expected in " + data + " one .mat feature file or "
                + "the raw distribution's " + TRAIN_LIST + ", found " + (mats.isEmpty() ? "neither"
                : mats.size() + " .mat files " + mats + " (choose one with --mat)"));
    }
}

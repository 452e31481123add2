package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.ProjectHome;
import org.dl4jpgm.examples.cli.Converters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Options of {@link ImageTextClassificationMain}: the {@link TaskOptions}, what raw images and titles become
 * ({@link RawDataOptions}), and the stratified validation hold-out of the train file.
 */
@Command(name = "ImageTextClassificationMain", description = {"Image-text classification on UPMC Food-101 (image, "
        + "text), PgM in two stages, test metrics as a row of Table 2.", "",
        "DATA_DIR: UPMC Food-101: texts/train_titles.csv, texts/test_titles.csv (no header: image file, title, class) "
                + "and images/{train,test}/<class>/<image file>", ""})
public final class ImageTextClassificationOptions extends RawDataOptions {

    /** Share of each class of {@code train_titles.csv} held out as the {@code valid} split. Default 0.1. */
    @Option(names = "--validation-fraction", paramLabel = "F", order = 20,
            description = {"share of each class of the train file held out as 'valid' (default ${DEFAULT-VALUE};",
                    "at least 1 of a class of 2 or more, 0 = no valid split)"})
    private double validationFraction = 0.1;
    /** Seed of the hold-out (the reader's {@code StratifiedSplit}). Default 42. */
    @Option(names = "--split-seed", paramLabel = "S", order = 21, converter = Converters.NonNegativeLong.class,
            description = "seed of that hold-out (default ${DEFAULT-VALUE})")
    private long splitSeed = 42;

    private ImageTextClassificationOptions() {
        super(ProjectHome.resolve("tasks-out", "itc"));
    }

    /**
     * Parses {@code DATA_DIR [--option value ...]}.
     *
     * @throws IllegalArgumentException naming the bad argument, option or value
     */
    public static ImageTextClassificationOptions parse(String... args) {
        return parse(new ImageTextClassificationOptions(), args);
    }

    @Override
    protected void checkTaskOptions() {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("ImageTextClassificationMain: --validation-fraction expects a number in "
                    + "[0, 1), found '" + validationFraction + "'");
        }
    }

    @Override
    protected List<String> splits() {
        return validationFraction > 0 ? List.of("train", "valid", "test") : List.of("train", "test");
    }

    @Override
    protected List<String> modalities() {
        return List.of("image", "text");
    }

    @Override
    protected void checkData() {
        checkRawData(List.of(Path.of("texts", "train_titles.csv"), Path.of("texts", "test_titles.csv")),
                List.of(Path.of("images")));
    }

    @Override
    protected void taskValues(Map<String, Object> values) {
        rawDataValues(values);
    }

    /** Share of each class of the train file held out as {@code valid}. */
    public double getValidationFraction() { return validationFraction; }
    /** Seed of the hold-out. */
    public long getSplitSeed() { return splitSeed; }
}

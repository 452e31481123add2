package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.ProjectHome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Options of {@link ImageTextClassificationMain}: the {@link TaskOptions}, what raw images and titles become
 * ({@link RawDataOptions}), and the stratified validation hold-out of the train file.
 */
public final class ImageTextClassificationOptions extends RawDataOptions {

    /** Share of each class of {@code train_titles.csv} held out as the {@code valid} split. Default 0.1. */
    private double validationFraction = 0.1;
    /** Seed of the hold-out (the reader's {@code StratifiedSplit}). Default 42. */
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
        ImageTextClassificationOptions o = new ImageTextClassificationOptions();
        o.parseArgs(args);
        return o;
    }

    @Override
    protected String command() {
        return "ImageTextClassificationMain";
    }

    @Override
    protected List<String> dataUsage() {
        return List.of(
                "  DATA_DIR               UPMC Food-101: texts/train_titles.csv, texts/test_titles.csv (no header:",
                "                         image file, title, class) and images/{train,test}/<class>/<image file>");
    }

    @Override
    protected List<String> taskUsage() {
        List<String> l = new ArrayList<>(rawDataUsage());
        l.add("  --validation-fraction F share of each class of the train file held out as 'valid' (default 0.1;");
        l.add("                         at least 1 of a class of 2 or more, 0 = no valid split)");
        l.add("  --split-seed S         seed of that hold-out (default 42)");
        return l;
    }

    @Override
    protected boolean taskOption(String option, String value) {
        if (rawDataOption(option, value)) {
            return true;
        }
        switch (option) {
            case "--validation-fraction" -> {
                try {
                    validationFraction = Double.parseDouble(value.trim());
                } catch (NumberFormatException e) {
                    validationFraction = Double.NaN;
                }
                if (!(validationFraction >= 0 && validationFraction < 1)) {
                    throw new IllegalArgumentException("ImageTextClassificationMain: --validation-fraction expects a "
                            + "number in [0, 1), found '" + value + "'");
                }
            }
            case "--split-seed" -> splitSeed = nonNegative(option, value);
            default -> {
                return false;
            }
        }
        return true;
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
        values.put("--validation-fraction", validationFraction);
        values.put("--split-seed", splitSeed);
        rawDataValues(values);
    }

    /** Share of each class of the train file held out as {@code valid}. */
    public double getValidationFraction() { return validationFraction; }
    /** Seed of the hold-out. */
    public long getSplitSeed() { return splitSeed; }
}

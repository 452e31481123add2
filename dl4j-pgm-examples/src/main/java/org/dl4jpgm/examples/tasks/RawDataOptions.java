package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.examples.features.ImageFeatureKind;
import org.dl4jpgm.examples.features.TextFeatureKind;

import org.dl4jpgm.encoders.ModelFiles;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@link TaskOptions} of the tasks whose raw distribution holds images and texts (Wikipedia, UPMC Food-101): what the
 * raw items become ({@link org.dl4jpgm.examples.features.RawFeatures}) and where encoder features are cached.
 */
public abstract class RawDataOptions extends TaskOptions {

    /** What images become. Default MOBILENET_V2 (the frozen pretrained encoder). */
    @Option(names = "--image-features", paramLabel = "KIND", order = 30,
            description = {"MOBILENET_V2 (default; model files in .models/, see docs/encoders.md)",
                    "or THUMBNAIL (8 x 8 RGB grid, no model files)"})
    private ImageFeatureKind imageFeatures = ImageFeatureKind.MOBILENET_V2;
    /** What texts become. Default MINILM (the frozen pretrained encoder). */
    @Option(names = "--text-features", paramLabel = "KIND", order = 31,
            description = {"MINILM (default; all-MiniLM-L6-v2 from the classpath)",
                    "or TRIGRAM (hashed character trigrams, no model files)"})
    private TextFeatureKind textFeatures = TextFeatureKind.MINILM;
    /** Feature cache folder of the encoders (null = {@code <out>/features}). */
    @Option(names = "--cache", paramLabel = "DIR", order = 32,
            description = "encoder feature cache (default <out>/features)")
    private Path cache;

    protected RawDataOptions(Path defaultOut) {
        super(defaultOut);
    }

    @Override
    protected List<Path> outputFolders() {
        return List.of(getOut(), getCache());
    }

    /**
     * Checks the raw distribution's files and folders, and the model files of the chosen encoders.
     *
     * @param files   files the task reads, relative to DATA_DIR
     * @param folders folders the task reads, relative to DATA_DIR
     * @throws TaskOptionException naming what is missing
     */
    protected final void checkRawData(List<Path> files, List<Path> folders) {
        for (Path f : files) {
            requireFile(f, "DATA_DIR");
        }
        for (Path f : folders) {
            if (!Files.isDirectory(getData().resolve(f))) {
                throw new TaskOptionException(command() + ": DATA_DIR: expected the folder " + getData().resolve(f)
                        + ", found none");
            }
        }
        if (imageFeatures == ImageFeatureKind.MOBILENET_V2) {
            Path model = ModelFiles.nsfwjsMobileNetV2Dir().resolve("model.json");
            if (!Files.isRegularFile(model)) {
                throw new TaskOptionException(command() + ": --image-features MOBILENET_V2: expected the model file "
                        + model.toAbsolutePath() + ", found none (.ci/run fetches it into the checkout's .models/, see "
                        + "docs/encoders.md; or set -D" + ModelFiles.MODELS_DIR + "; or use --image-features THUMBNAIL)");
            }
        }
    }

    /** Sets {@code --cache} to the folder in effect (default {@code <out>/features}). */
    protected final void rawDataValues(Map<String, Object> values) {
        values.put("--cache", getCache().toAbsolutePath().normalize().toString());
    }

    /** What images become. */
    public ImageFeatureKind getImageFeatures() { return imageFeatures; }
    /** What texts become. */
    public TextFeatureKind getTextFeatures() { return textFeatures; }
    /** The encoder feature cache folder. */
    public Path getCache() { return cache != null ? cache : getOut().resolve("features"); }
}

package org.dl4jpgm.encoders.image;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.onnx.OnnxSameDiffConverter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The frozen image encoder: the MobileNetV2 (alpha 1.0, 224 x 224) of npm {@code nsfwjs}, imported by
 * {@link TfjsKerasImporter}. Input images [B, 224, 224, 3] (NHWC, RGB in [0, 1], as nsfwjs feeds them);
 * output pooled features [B, 1280] (the 7 x 7 average pool). The imported graph is saved with DL4J's
 * ModelSerializer so a second load does not import again.
 */
public final class MobileNetV2ImageEncoder implements AutoCloseable {

    /** Input side. */
    public static final int SIZE = 224;
    /** Feature width. */
    public static final int DIM = 1280;
    /** nsfwjs's classes, in output order of its head. */
    public static final List<String> CLASSES = List.of("Drawing", "Hentai", "Neutral", "Porn", "Sexy");

    private final ImageEncoderConfig config;
    private final ComputationGraph graph;
    private final String identity;
    private final boolean loaded;

    private MobileNetV2ImageEncoder(ImageEncoderConfig config, ComputationGraph graph, String identity,
                                    boolean loaded) {
        this.config = config;
        this.graph = graph;
        this.identity = identity;
        this.loaded = loaded;
    }

    /** Imports the model (or loads the saved import). */
    public static MobileNetV2ImageEncoder create(ImageEncoderConfig config) throws IOException {
        Path dir = config.getModelDir() != null ? config.getModelDir() : ModelFiles.nsfwjsMobileNetV2Dir();
        Path json = dir.resolve("model.json");
        if (!Files.isRegularFile(json)) {
            throw new IOException("MobileNetV2ImageEncoder: " + json + " not found (npm package nsfwjs, extracted by"
                    + " .ci/run with .ci/extract-nsfwjs.js into .models/nsfwjs/mobilenet_v2, or set -D"
                    + ModelFiles.MODELS_DIR + ")");
        }
        String sha = ModelFiles.sha256(json).substring(0, 16);
        List<Path> files;
        try (java.util.stream.Stream<Path> l = Files.list(dir)) {
            files = l.filter(Files::isRegularFile).filter(p -> !p.equals(json)).sorted().toList();
        }
        for (Path shard : files) {
            sha += ModelFiles.sha256(shard).substring(0, 8);
        }
        Path cacheDir = config.getConvertedCacheDir() != null ? config.getConvertedCacheDir()
                : OnnxSameDiffConverter.defaultCacheDir();
        Path saved = cacheDir.resolve("nsfwjs-mobilenet_v2-" + sha + ".zip");
        ComputationGraph g;
        boolean loaded = Files.isRegularFile(saved);
        if (loaded) {
            g = ModelSerializer.restoreComputationGraph(saved.toFile(), false);
        } else {
            g = TfjsKerasImporter.importModel(json);
            Files.createDirectories(cacheDir);
            Path part = Files.createTempFile(cacheDir, "mobilenet_v2", ".zip.part");
            ModelSerializer.writeModel(g, part.toFile(), false);
            Files.move(part, saved, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        if (g.getVertex(config.getFeatureLayer()) == null) {
            throw new IllegalArgumentException("MobileNetV2ImageEncoder: featureLayer '" + config.getFeatureLayer()
                    + "' is not a vertex of the imported graph");
        }
        return new MobileNetV2ImageEncoder(config, g, "nsfwjs-mobilenet_v2 sha256=" + sha + " layer="
                + config.getFeatureLayer(), loaded);
    }

    /**
     * @param images [B, 224, 224, 3] RGB in [0, 1]
     * @return features [B, 1280]
     */
    public INDArray encode(INDArray images) {
        return run(images, config.getFeatureLayer()).reshape(images.size(0), -1);
    }

    /**
     * @param images [B, 224, 224, 3] RGB in [0, 1]
     * @return nsfwjs's class probabilities [B, 5] ({@link #CLASSES})
     */
    public INDArray classify(INDArray images) {
        return run(images, graph.getConfiguration().getNetworkOutputs().get(0));
    }

    private INDArray run(INDArray images, String layer) {
        if (images.rank() != 4 || images.size(1) != SIZE || images.size(2) != SIZE || images.size(3) != 3) {
            throw new IllegalArgumentException("MobileNetV2ImageEncoder: expected images [B, 224, 224, 3], found "
                    + java.util.Arrays.toString(images.shape()));
        }
        List<INDArray> outs = new ArrayList<>();
        for (long from = 0; from < images.size(0); from += config.getBatchSize()) {
            long to = Math.min(images.size(0), from + config.getBatchSize());
            INDArray batch = images.get(NDArrayIndex.interval(from, to)).dup().castTo(DataType.FLOAT);
            Map<String, INDArray> acts = graph.feedForward(new INDArray[]{batch}, false);
            outs.add(acts.get(layer).dup());
        }
        return outs.size() == 1 ? outs.get(0) : Nd4j.concat(0, outs.toArray(new INDArray[0]));
    }

    /** @return images resized (bilinear) to 224 x 224, as [B, 224, 224, 3] RGB in [0, 1] */
    public static INDArray toInput(List<BufferedImage> images) {
        float[] data = new float[images.size() * SIZE * SIZE * 3];
        int k = 0;
        for (BufferedImage img : images) {
            BufferedImage r = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = r.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, SIZE, SIZE, null);
            g.dispose();
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int rgb = r.getRGB(x, y);
                    data[k++] = ((rgb >> 16) & 0xff) / 255f;
                    data[k++] = ((rgb >> 8) & 0xff) / 255f;
                    data[k++] = (rgb & 0xff) / 255f;
                }
            }
        }
        return Nd4j.create(data, new long[]{images.size(), SIZE, SIZE, 3}, 'c');
    }

    /** @return the DL4J graph (for fine-tuning or as a sub-graph) */
    public ComputationGraph graph() {
        return graph;
    }

    /** @return true when the graph was loaded from the saved import */
    public boolean loadedFromCache() {
        return loaded;
    }

    /** @return model checksums and feature layer */
    public String identity() {
        return identity;
    }

    @Override
    public void close() {
        graph.close();
    }
}

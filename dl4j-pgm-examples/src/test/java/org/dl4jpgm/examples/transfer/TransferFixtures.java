package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.fusion.FusionSpec;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small dataset in the project's layout for the host tests: text a vector {@code [N, 12]}, audio {@code [N, S, 3]}
 * and vision {@code [N, S, 4]} sequences (S = 5, lengths 2..5); the default target a sentiment-like score
 * {@code y = 1.5 z_t + z_a ∈ [−2.5, 2.5]} (regression), the target {@code sign} its sign class; z_t and z_a (±1)
 * show in text's first feature and in audio's first channel over the valid steps, plus noise.
 */
final class TransferFixtures {

    static final int STEPS = 5;

    private TransferFixtures() {
    }

    static DatasetDescriptor descriptor() {
        return DatasetDescriptor.builder().name("transfer-fixture").regression().modality("text").modality("audio")
                .modality("vision").splits("train", "valid", "test")
                .target(new TargetSpec("sign", TaskType.CLASSIFICATION, List.of("neg", "pos"), null)).build();
    }

    static SplitData split(int n, long seed) {
        Random r = new Random(seed);
        float[][] text = new float[n][12];
        float[][][] audio = new float[n][STEPS][3];
        float[][][] vision = new float[n][STEPS][4];
        int[] lengths = new int[n];
        List<String> ids = new ArrayList<>();
        List<String> score = new ArrayList<>();
        List<String> sign = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double zt = r.nextBoolean() ? 1 : -1;
            double za = r.nextBoolean() ? 1 : -1;
            lengths[i] = 2 + r.nextInt(STEPS - 1);
            for (int d = 0; d < 12; d++) {
                text[i][d] = (float) ((d == 0 ? zt : 0) + 0.3 * r.nextGaussian());
            }
            for (int s = 0; s < lengths[i]; s++) {
                for (int d = 0; d < 3; d++) {
                    audio[i][s][d] = (float) ((d == 0 ? za : 0) + 0.3 * r.nextGaussian());
                }
                for (int d = 0; d < 4; d++) {
                    vision[i][s][d] = (float) (0.5 * r.nextGaussian());
                }
            }
            double y = 1.5 * zt + za;
            ids.add("ex" + i);
            score.add(Double.toString(y));
            sign.add(y > 0 ? "pos" : "neg");
        }
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> features = new LinkedHashMap<>();
        features.put("text", Nd4j.create(text));
        features.put("audio", Nd4j.create(audio));
        features.put("vision", Nd4j.create(vision));
        Map<String, int[]> lens = new LinkedHashMap<>();
        lens.put("audio", lengths);
        lens.put("vision", lengths);
        Map<String, List<String>> labels = new LinkedHashMap<>();
        labels.put(TargetSpec.DEFAULT_NAME, score);
        labels.put("sign", sign);
        return new SplitData(ids, features, lens, labels);
    }

    /** Small settings: D = 8, batch 16, PgM with one iteration, learning rates 1e-2, head input normalised. */
    record Small(int getWidth, int getBatchSize, int getStage1Epochs, int getStage2Epochs) implements TrainingSettings {
        @Override public int getIterations() { return 1; }
        @Override public LearnerMode getLearnerMode() { return LearnerMode.SEQUENCE; }
        @Override public double getModelLearningRate() { return 1e-2; }
        @Override public double getLearnerLearningRate() { return 1e-2; }
        @Override public double getDecoderLearningRate() { return 1e-2; }
        @Override public boolean isHeadInputNormalized() { return true; }
    }

    static TrainingSettings settings() {
        return new Small(8, 16, 1, 2);
    }

    /** PgM's spec for a host's modalities under {@link #settings()}. */
    static FusionSpec pgmSpec(HostGraph h) {
        return FusionChoice.parse("PGM").spec(settings(), h.inputs().names());
    }

    static HostTrainer trainer(TargetSpec target) {
        DatasetDescriptor d = descriptor();
        return new HostTrainer(d, target, split(48, 1), split(16, 2), split(16, 3), settings(), HostOptions.DEFAULTS);
    }
}

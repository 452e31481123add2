package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small two-modality, three-target dataset written by the tests themselves. */
public final class LayoutFixtures {

    static final int N = 7;
    static final int S = 5;

    private LayoutFixtures() {
    }

    public static DatasetDescriptor descriptor() {
        return DatasetDescriptor.builder()
                .name("fixture")
                .description("two modalities, three targets")
                .classification(List.of("cat", "dog", "fish"))
                .modality("image")
                .modality("audio", "audio_feats.npy")
                .splits("train", "test")
                .target(new TargetSpec("score", TaskType.REGRESSION, null, null))
                .target(new TargetSpec("match", TaskType.CLASSIFICATION, List.of("no", "yes"), "match.csv"))
                .build();
    }

    /** Deterministic split content; values encode (row, position) so permutations are checkable. */
    public static SplitData split(int n, int offset) {
        INDArray image = Nd4j.create(DataType.FLOAT, n, 4);
        INDArray audio = Nd4j.create(DataType.FLOAT, n, S, 3);
        int[] len = new int[n];
        List<String> ids = new ArrayList<>();
        List<String> cls = new ArrayList<>();
        List<String> score = new ArrayList<>();
        List<String> match = new ArrayList<>();
        String[] classes = {"cat", "dog", "fish"};
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < 4; d++) {
                image.putScalar(i, d, (i + offset) * 10 + d);
            }
            for (int t = 0; t < S; t++) {
                for (int d = 0; d < 3; d++) {
                    audio.putScalar(new long[]{i, t, d}, (i + offset) * 100 + t * 10 + d + 0.5f);
                }
            }
            len[i] = 1 + (i % S);
            ids.add("ex-" + (i + offset));
            cls.add(classes[i % 3]);
            score.add(Double.toString(-1.5 + 0.25 * i));
            match.add(i % 2 == 0 ? "yes" : "no");
        }
        Map<String, INDArray> f = new LinkedHashMap<>();
        f.put("image", image);
        f.put("audio", audio);
        Map<String, List<String>> labels = new LinkedHashMap<>();
        labels.put("label", cls);
        labels.put("score", score);
        labels.put("match", match);
        return new SplitData(ids, f, Map.of("audio", len), labels);
    }

    public static Path write(Path root) throws Exception {
        LayoutWriter w = new LayoutWriter(root, descriptor());
        w.writeSplit("train", split(N, 0));
        w.writeSplit("test", split(3, 100));
        return root;
    }
}

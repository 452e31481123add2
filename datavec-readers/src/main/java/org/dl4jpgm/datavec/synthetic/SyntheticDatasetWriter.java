package org.dl4jpgm.datavec.synthetic;

import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutWriter;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TaskType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * Writes a generator's examples as a dataset in the project's layout: the default target
 * ({@code labels.csv}) is {@code mixed}; {@code paired} and {@code uni_<name>} are extra targets;
 * class names are the class indices "0".."K-1". Split number i (in map order) is generator stream i.
 */
public final class SyntheticDatasetWriter {

    private SyntheticDatasetWriter() {
    }

    /** The descriptor a generator's dataset gets. */
    public static DatasetDescriptor descriptor(SyntheticMultimodalGenerator g, String name, List<String> splits) {
        DatasetDescriptor.Builder b = DatasetDescriptor.builder()
                .name(name)
                .description("synthetic multimodal data (dl4j-pgm SyntheticMultimodalGenerator), seed "
                        + g.config().getSeed() + "; label = mixed (uni factor of the first paired modality x paired factor)")
                .classification(classes(g.numClasses(SyntheticMultimodalGenerator.MIXED)))
                .splits(splits.toArray(String[]::new));
        for (SyntheticModality m : g.config().getModalities()) {
            b.modality(m.getName());
        }
        for (String t : g.targetNames()) {
            if (!t.equals(SyntheticMultimodalGenerator.MIXED)) {
                b.target(new TargetSpec(t, TaskType.CLASSIFICATION, classes(g.numClasses(t)), null));
            }
        }
        return b.build();
    }

    private static List<String> classes(int k) {
        return IntStream.range(0, k).mapToObj(Integer::toString).toList();
    }

    /**
     * Writes the dataset.
     *
     * @param g          the generator
     * @param root       dataset root
     * @param name       dataset name
     * @param splitSizes split name to number of examples (split i = stream i)
     */
    public static void write(SyntheticMultimodalGenerator g, Path root, String name, LinkedHashMap<String, Integer> splitSizes)
            throws IOException {
        DatasetDescriptor d = descriptor(g, name, new ArrayList<>(splitSizes.keySet()));
        LayoutWriter w = new LayoutWriter(root, d);
        int stream = 0;
        for (Map.Entry<String, Integer> e : splitSizes.entrySet()) {
            w.writeSplit(e.getKey(), split(g, stream++, e.getValue()));
        }
    }

    /** Examples 0..n-1 of a stream as a {@link SplitData} (features in numpy order [N, D] or [N, S, D]). */
    public static SplitData split(SyntheticMultimodalGenerator g, long stream, int n) {
        List<SyntheticModality> mods = g.config().getModalities();
        List<String> ids = new ArrayList<>();
        float[][] np = new float[mods.size()][];
        int[][] lengths = new int[mods.size()][];
        for (int m = 0; m < mods.size(); m++) {
            SyntheticModality mod = mods.get(m);
            np[m] = new float[n * mod.getWidth() * Math.max(1, mod.getSequenceLength())];
            lengths[m] = mod.hasVariableLength() ? new int[n] : null;
        }
        Map<String, List<String>> labels = new LinkedHashMap<>();
        for (String t : g.targetNames()) {
            labels.put(t.equals(SyntheticMultimodalGenerator.MIXED) ? TargetSpec.DEFAULT_NAME : t, new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            SyntheticExample e = g.example(stream, i);
            ids.add("s" + stream + "-" + i);
            for (int m = 0; m < mods.size(); m++) {
                SyntheticModality mod = mods.get(m);
                int dd = mod.getWidth();
                int s = Math.max(1, mod.getSequenceLength());
                float[] row = e.features()[m];
                for (int c = 0; c < dd; c++) {
                    for (int t = 0; t < s; t++) {
                        np[m][(i * s + t) * dd + c] = row[c * s + t]; // NCW row -> numpy [S, D]
                    }
                }
                if (lengths[m] != null) {
                    lengths[m][i] = e.lengths()[m];
                }
            }
            for (String t : g.targetNames()) {
                String key = t.equals(SyntheticMultimodalGenerator.MIXED) ? TargetSpec.DEFAULT_NAME : t;
                labels.get(key).add(Integer.toString(g.targetValue(e, t)));
            }
        }
        Map<String, INDArray> feats = new LinkedHashMap<>();
        Map<String, int[]> lens = new LinkedHashMap<>();
        for (int m = 0; m < mods.size(); m++) {
            SyntheticModality mod = mods.get(m);
            long[] shape = mod.isSequence() ? new long[]{n, mod.getSequenceLength(), mod.getWidth()} : new long[]{n, mod.getWidth()};
            feats.put(mod.getName(), Nd4j.create(np[m], shape, 'c'));
            if (lengths[m] != null) {
                lens.put(mod.getName(), lengths[m]);
            }
        }
        return new SplitData(ids, feats, lens, labels);
    }

    /**
     * The three-modality configuration the command line writes: "a" feed-forward D=16; "b" sequence
     * D=12, S=8, lengths 4..8, 4 nuisance channels; "c" feed-forward D=8, 2 nuisance channels; 4 uni
     * classes; XOR paired target between a and b; noise 1.0.
     */
    public static SyntheticConfig benchmarkConfig(long seed) {
        return SyntheticConfig.builder()
                .seed(seed)
                .modality(SyntheticModality.builder("a").width(16).build())
                .modality(SyntheticModality.builder("b").width(12).sequence(8, 4).nuisanceDims(4).build())
                .modality(SyntheticModality.builder("c").width(8).nuisanceDims(2).build())
                .uniClasses(4)
                .pairedClasses(2)
                .pairedModalities(0, 1)
                .build();
    }

    /**
     * {@link #benchmarkConfig} with every modality a sequence: "a" (D = 16) and "c" (D = 8) become sequences of up to 8
     * steps (4..8 valid), as "b" is. A model then reads all three as sequences (no modality is pooled to a vector
     * first), so what depends on the number of steps (e.g. UPR's reduction over them) shows.
     */
    public static SyntheticConfig sequenceBenchmarkConfig(long seed) {
        return SyntheticConfig.builder()
                .seed(seed)
                .modality(SyntheticModality.builder("a").width(16).sequence(8, 4).build())
                .modality(SyntheticModality.builder("b").width(12).sequence(8, 4).nuisanceDims(4).build())
                .modality(SyntheticModality.builder("c").width(8).sequence(8, 4).nuisanceDims(2).build())
                .uniClasses(4)
                .pairedClasses(2)
                .pairedModalities(0, 1)
                .build();
    }

    /**
     * Command line: {@code --out <dir> [--seed 42] [--train 2000] [--valid 500] [--test 500] [--sequences]}
     * writes {@link #benchmarkConfig(long)} (with {@code --sequences} {@link #sequenceBenchmarkConfig(long)}) data in the
     * dataset layout ({@code --help} lists the options; exit status 2 for a
     * bad option).
     */
    public static void main(String[] args) {
        int status = new CommandLine(new Command()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The command line of {@link #main}. */
    @CommandLine.Command(name = "SyntheticDatasetWriter", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Writes the synthetic benchmark data set (benchmarkConfig) in the project's layout.")
    static final class Command implements Callable<Integer> {
        @CommandLine.Option(names = "--out", paramLabel = "DIR", required = true, description = "output folder")
        private Path out;
        @CommandLine.Option(names = "--seed", paramLabel = "S", description = "generator seed (default ${DEFAULT-VALUE})")
        private long seed = 42;
        @CommandLine.Option(names = "--train", paramLabel = "N", description = "train examples (default ${DEFAULT-VALUE})")
        private int train = 2000;
        @CommandLine.Option(names = "--valid", paramLabel = "N", description = "valid examples (default ${DEFAULT-VALUE})")
        private int valid = 500;
        @CommandLine.Option(names = "--test", paramLabel = "N", description = "test examples (default ${DEFAULT-VALUE})")
        private int test = 500;
        @CommandLine.Option(names = "--sequences", description = "every modality a sequence (sequenceBenchmarkConfig)")
        private boolean sequences;

        @Override
        public Integer call() throws IOException {
            LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
            sizes.put("train", train);
            sizes.put("valid", valid);
            sizes.put("test", test);
            write(new SyntheticMultimodalGenerator(sequences ? sequenceBenchmarkConfig(seed) : benchmarkConfig(seed)), out,
                    (sequences ? "synthetic-sequences-seed" : "synthetic-seed") + seed, sizes);
            System.out.println("synthetic dataset written to " + out.toAbsolutePath() + " " + sizes);
            return 0;
        }
    }
}

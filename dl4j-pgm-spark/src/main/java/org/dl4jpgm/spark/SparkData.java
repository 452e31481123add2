package org.dl4jpgm.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.SplitData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training data of {@link SparkPgmTrainer}: minibatches of the project's dataset layout or of feature-cache
 * arrays as an RDD, and minibatches exported as files (one {@code MultiDataSet.save} file each) to a folder every
 * worker reads, whose paths dl4j-spark trains on without holding the data in memory.
 */
public final class SparkData {

    /** File-name suffix of an exported minibatch. */
    public static final String BATCH_SUFFIX = ".mds";

    private SparkData() {
    }

    /**
     * The minibatches of a split of the dataset layout, as {@link LayoutMultiDataSetIterator} makes them (features in
     * the graph's input order, step masks, the target's labels), shuffled once with {@code seed}.
     *
     * @param slices number of partitions (typically the cluster's parallelism)
     */
    public static JavaRDD<MultiDataSet> fromLayout(JavaSparkContext sc, DatasetDescriptor descriptor, SplitData split,
                                                   String target, int batchSize, long seed, int slices) {
        LayoutMultiDataSetIterator it = new LayoutMultiDataSetIterator(descriptor, split,
                LayoutIteratorOptions.builder().batchSize(batchSize).targets(target).shuffle(seed).build());
        return sc.parallelize(collect(it), slices);
    }

    /**
     * Minibatches of whole-dataset arrays, e.g. feature-cache entries read with {@code FeatureCache.read}: row i of
     * every array belongs to example i.
     *
     * @param features one array [N, ...] per graph input, in input order
     * @param masks    one mask [N, S] (1 = keep) per input, null for an input without one (null = none at all)
     * @param labels   [N, K]
     */
    public static JavaRDD<MultiDataSet> fromArrays(JavaSparkContext sc, INDArray[] features, INDArray[] masks,
                                                   INDArray labels, int batchSize, int slices) {
        long n = labels.size(0);
        List<MultiDataSet> batches = new ArrayList<>();
        for (long from = 0; from < n; from += batchSize) {
            long to = Math.min(n, from + batchSize);
            INDArray[] f = new INDArray[features.length];
            INDArray[] m = masks == null ? null : new INDArray[features.length];
            for (int i = 0; i < features.length; i++) {
                f[i] = rows(features[i], from, to);
                if (m != null) {
                    m[i] = masks[i] == null ? null : rows(masks[i], from, to);
                }
            }
            batches.add(new org.nd4j.linalg.dataset.MultiDataSet(f, new INDArray[]{rows(labels, from, to)}, m, null));
        }
        return sc.parallelize(batches, slices);
    }

    private static INDArray rows(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.interval(from, to)).dup('c');
    }

    /** Every minibatch of {@code it} (reset first), detached from the iterator. */
    public static List<MultiDataSet> collect(MultiDataSetIterator it) {
        it.reset();
        List<MultiDataSet> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    /**
     * Writes every minibatch of {@code it} (reset first when it can be) to {@code dir} as {@code batch-NNNNNN.mds}, one
     * {@code MultiDataSet.save} file each: the data of {@link SparkPgmTrainer#fitPaths}, where {@code dir} is on a file
     * system every worker reads (HDFS through a mount, NFS; a local folder for local[N]).
     *
     * @return the written files' URIs, in order
     */
    public static List<String> export(MultiDataSetIterator it, Path dir) throws IOException {
        if (it.resetSupported()) {
            it.reset();
        }
        List<MultiDataSet> batches = new ArrayList<>();
        it.forEachRemaining(batches::add);
        return export(batches, dir);
    }

    /** Writes the minibatches to {@code dir} as {@link #export(MultiDataSetIterator, Path)} does. */
    public static List<String> export(Iterable<MultiDataSet> batches, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> paths = new ArrayList<>();
        int k = 0;
        for (MultiDataSet b : batches) {
            Path f = dir.resolve(String.format(java.util.Locale.ROOT, "batch-%06d%s", k++, BATCH_SUFFIX));
            b.save(f.toFile());
            paths.add(f.toUri().toString());
        }
        return paths;
    }

    /** The URIs of the exported minibatches in a local or mounted folder, sorted. */
    public static List<String> exportedPaths(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(BATCH_SUFFIX)).sorted()
                    .map(p -> p.toUri().toString()).toList();
        }
    }
}

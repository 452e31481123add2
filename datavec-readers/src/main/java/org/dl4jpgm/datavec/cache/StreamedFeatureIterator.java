package org.dl4jpgm.datavec.cache;

import org.dl4jpgm.datavec.common.BatchedMultiDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * Minibatches of vector features and class labels streamed from disk ({@link NpyRows}, e.g. feature cache entries
 * opened with {@link FeatureCache#rows}): each {@link #next()} reads its B rows of every modality and of the labels, so
 * the iterator holds no more than one batch whatever N.
 *
 * <p>Features: one entry per modality, {@code [N, D_m]}; labels: class indices {@code [N]} or {@code [N, 1]}
 * (float32, 0..K-1), given out one-hot {@code [B, K]}. The examples {@code [0, numExamples)} are served in file order
 * (no shuffle: a shuffle would read scattered rows).
 */
public final class StreamedFeatureIterator extends BatchedMultiDataSetIterator {

    private final List<NpyRows> features;
    private final NpyRows labels;
    private final int classes;

    /**
     * @param features    one {@code [N, D_m]} entry per modality, same N
     * @param labels      class indices {@code [N]} or {@code [N, 1]}
     * @param classes     K
     * @param numExamples examples per epoch, the first ones of the entries ({@code <= N})
     * @param batchSize   B
     */
    public StreamedFeatureIterator(List<NpyRows> features, NpyRows labels, int classes, int numExamples,
                                   int batchSize) {
        super("StreamedFeatureIterator", numExamples, batchSize);
        if (features.isEmpty()) {
            throw new IllegalArgumentException("StreamedFeatureIterator: expected at least one feature entry");
        }
        for (NpyRows f : features) {
            if (f.shape().length != 2 || f.count() < numExamples) {
                throw new IllegalArgumentException("StreamedFeatureIterator: expected feature entries [N, D] with N >= "
                        + numExamples + ", found " + Arrays.toString(f.shape()));
            }
        }
        long[] ls = labels.shape();
        if (ls.length > 2 || (ls.length == 2 && ls[1] != 1) || labels.count() < numExamples) {
            throw new IllegalArgumentException("StreamedFeatureIterator: expected labels [N] or [N, 1] with N >= "
                    + numExamples + ", found " + Arrays.toString(ls));
        }
        if (classes < 2) {
            throw new IllegalArgumentException("StreamedFeatureIterator: expected at least 2 classes, found " + classes);
        }
        this.features = List.copyOf(features);
        this.labels = labels;
        this.classes = classes;
    }

    @Override
    protected MultiDataSet batch(int from, int count) {
        INDArray[] x = new INDArray[features.size()];
        for (int m = 0; m < x.length; m++) {
            x[m] = features.get(m).read(from, from + count);
        }
        float[] index = labels.read(from, from + count).data().asFloat();
        INDArray y = Nd4j.create(DataType.FLOAT, count, classes);
        for (int i = 0; i < count; i++) {
            int k = Math.round(index[i]);
            if (k < 0 || k >= classes || k != index[i]) {
                throw new IllegalStateException("StreamedFeatureIterator: label of example " + (from + i) + " is "
                        + index[i] + ", expected a class index in [0, " + classes + ")");
            }
            y.putScalar(i, k, 1f);
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(x, new INDArray[]{y});
    }
}

package org.dl4jpgm.datavec.layout;

import org.dl4jpgm.datavec.common.BatchedMultiDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A {@link MultiDataSetIterator} over one split of a dataset in the project's layout.
 * <ul>
 *   <li>Features: one array per modality, in {@code dataset.json} order (or the order of
 *       {@link LayoutIteratorOptions#getModalities()}): [B, D] for [N, D] modalities, [B, D, S] (NCW) for
 *       [N, S, D] modalities.</li>
 *   <li>Feature masks: [B, S] for sequence modalities that have {@code <name>_lengths.npy}
 *       (1 = keep, step t &lt; length; 0 = masked, padding); null for the others, except that with
 *       {@link LayoutIteratorOptions#isMaskEverySequence()} a sequence without lengths gets a mask of ones when
 *       another has lengths.</li>
 *   <li>Labels: one array per requested target: one-hot [B, K] for classification, [B, 1] for regression;
 *       no label masks.</li>
 * </ul>
 * The split is held in memory (arrays converted once); batches are copies.
 *
 * <p>Epochs are numbered from 0: the constructor starts epoch 0, each {@link #reset()} starts the next one, and
 * {@link #setEpoch(int)} starts a given one. With shuffling, the order of epoch e is a function of the seed and e
 * alone (a {@link Random} seeded with both), not of how many resets came before, so a run resumed at epoch e (or an
 * iterator reset more often than once an epoch) sees the same orders as an uninterrupted one.
 */
public final class LayoutMultiDataSetIterator extends BatchedMultiDataSetIterator {

    private final LayoutIteratorOptions options;
    private final List<ModalitySpec> modalities = new ArrayList<>();
    /** Per modality: [N, D] or [N, D*S] (NCW rows flattened), C order. */
    private final List<INDArray> flatFeatures = new ArrayList<>();
    private final List<long[]> rowShapes = new ArrayList<>();
    /** Per modality: [N, S] mask or null. */
    private final List<INDArray> masks = new ArrayList<>();
    private final List<TargetSpec> targets = new ArrayList<>();
    private final List<double[]> decoded = new ArrayList<>();
    private int[] order;
    /** The epoch that the next {@link #onReset()} starts. */
    private int nextEpoch;
    private int epoch;

    /**
     * @param descriptor the dataset's descriptor
     * @param data       one split (validated against the descriptor here)
     * @param options    batch size, targets, modalities, shuffling
     */
    public LayoutMultiDataSetIterator(DatasetDescriptor descriptor, SplitData data, LayoutIteratorOptions options) {
        super("LayoutMultiDataSetIterator", data.size(), options.getBatchSize());
        this.options = options;
        int n = data.size();
        List<String> names = options.getModalities() == null
                ? descriptor.getModalities().stream().map(ModalitySpec::getName).toList() : options.getModalities();
        for (String name : names) {
            ModalitySpec m = descriptor.getModality(name);
            modalities.add(m);
            INDArray a = data.features(name);
            if (a.rank() == 3) {
                long s = a.size(1);
                long d = a.size(2);
                INDArray ncw = a.permute(0, 2, 1).dup('c');
                flatFeatures.add(ncw.reshape('c', n, d * s));
                rowShapes.add(new long[]{d, s});
                int[] len = data.lengths(name);
                if (len != null) {
                    float[] mk = new float[(int) (n * s)];
                    for (int i = 0; i < n; i++) {
                        for (int t = 0; t < len[i]; t++) {
                            mk[(int) (i * s + t)] = 1f;
                        }
                    }
                    masks.add(Nd4j.create(mk, new long[]{n, s}, 'c'));
                } else {
                    masks.add(null);
                }
            } else {
                flatFeatures.add(a.dup('c'));
                rowShapes.add(new long[]{a.size(1)});
                masks.add(null);
            }
        }
        if (options.isMaskEverySequence() && masks.stream().anyMatch(m -> m != null)) {
            for (int i = 0; i < masks.size(); i++) {
                if (masks.get(i) == null && rowShapes.get(i).length == 2) {
                    masks.set(i, Nd4j.ones(DataType.FLOAT, n, rowShapes.get(i)[1]));
                }
            }
        }
        for (String t : options.getTargets()) {
            TargetSpec spec = descriptor.getTarget(t);
            targets.add(spec);
            decoded.add(LabelEncoder.decode(spec, data.labels(t), null));
        }
        reset();
    }

    /** The modalities in input order. */
    public List<ModalitySpec> modalities() {
        return List.copyOf(modalities);
    }

    /** The targets in label order. */
    public List<TargetSpec> targets() {
        return List.copyOf(targets);
    }

    @Override
    protected MultiDataSet batch(int from, int b) {
        int[] rows = new int[b];
        System.arraycopy(order, from, rows, 0, b);
        INDArray[] f = new INDArray[modalities.size()];
        INDArray[] fm = new INDArray[modalities.size()];
        boolean anyMask = false;
        for (int i = 0; i < f.length; i++) {
            INDArray pulled = Nd4j.pullRows(flatFeatures.get(i), 1, rows);
            long[] rs = rowShapes.get(i);
            f[i] = rs.length == 1 ? pulled : pulled.reshape('c', b, rs[0], rs[1]);
            if (masks.get(i) != null) {
                fm[i] = Nd4j.pullRows(masks.get(i), 1, rows);
                anyMask = true;
            }
        }
        INDArray[] l = new INDArray[targets.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = LabelEncoder.toArray(targets.get(i), decoded.get(i), rows).castTo(DataType.FLOAT);
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(f, l, anyMask ? fm : null, null);
    }

    /** The epoch being iterated (0 for the first). */
    public int epoch() {
        return epoch;
    }

    /**
     * Starts epoch {@code e} (&ge; 0) from its first batch: its order (a function of the seed and e), cursor at 0. The
     * following {@link #reset()} starts epoch e + 1.
     */
    public void setEpoch(int e) {
        if (e < 0) {
            throw new IllegalArgumentException("LayoutMultiDataSetIterator: epoch must be >= 0, found " + e);
        }
        nextEpoch = e;
        reset();
    }

    /** The seed of epoch {@code e}'s shuffle: the iterator's seed and e mixed (SplitMix64's finaliser). */
    static long epochSeed(long seed, int e) {
        long z = seed + 0x9E3779B97F4A7C15L * (e + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A new epoch: examples in order, or the epoch's shuffle of them. */
    @Override
    protected void onReset() {
        epoch = nextEpoch++;
        int n = numExamples();
        order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (options.isShuffle()) {
            Random shuffleRandom = new Random(epochSeed(options.getSeed(), epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = shuffleRandom.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
        }
    }
}

package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.PgmLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateMasks;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.SdOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a trained PgM divides each modality's features (the numbers behind the paper's Fig. 4).
 *
 * <p>{@link #compute}: per modality and iteration, the share of uni channels ({@code g_u > 0.5}), of paired channels
 * ({@code g_p > 0.5}) and of channels in both (overlap), averaged over every valid step of every example of a dataset.
 *
 * <p>{@link #perExample}: per modality m and example b, the soft gates g_u, g_p of Eq. 1 of every iteration and the
 * learners' features u_m, p_m (Eq. 5, the layer's outputs ũ_m(N), p̃_m(N)), each {@code [B, D]}: a sequence modality's
 * values are the masked mean over its valid steps (the pooling of {@link org.dl4jpgm.blocks.PgmOptions.Pooling#MEAN};
 * an example without a valid step gets 0).
 *
 * <p>The gates and features are computed by the same {@link PgmBlock} as the graph's {@link PgmLayer}, in a separate
 * SameDiff instance holding copies of the layer's trained parameters.
 */
public final class PartitionStatistics {

    /**
     * Shares for one modality, one entry per iteration 1..N.
     *
     * @param modality index m
     * @param uni      share of features with g_u > 0.5
     * @param paired   share with g_p > 0.5
     * @param overlap  share with both
     */
    public record ModalityPartition(int modality, double[] uni, double[] paired, double[] overlap) {
        /** Shares after the last iteration. */
        public double lastUni() { return uni[uni.length - 1]; }
        public double lastPaired() { return paired[paired.length - 1]; }
        public double lastOverlap() { return overlap[overlap.length - 1]; }
    }

    /**
     * One modality's gates and features over a dataset, rows in the data's order.
     *
     * @param modality    index m
     * @param uniGates    per iteration 1..N, the soft uni gate g_u {@code [B, D]} (masked mean over valid steps);
     *                    empty without partitioner
     * @param pairedGates per iteration, the soft paired gate g_p {@code [B, D]}; empty without partitioner
     * @param uni         u_m {@code [B, D]}, the uni learner's output after N iterations (masked mean over steps)
     * @param paired      p_m {@code [B, D]}, the paired learner's output
     */
    public record ModalityFeatures(int modality, List<INDArray> uniGates, List<INDArray> pairedGates, INDArray uni,
                                   INDArray paired) {
        /** g_u of the last iteration, {@code [B, D]}. */
        public INDArray lastUniGate() { return uniGates.get(uniGates.size() - 1); }
        /** g_p of the last iteration, {@code [B, D]}. */
        public INDArray lastPairedGate() { return pairedGates.get(pairedGates.size() - 1); }
    }

    private PartitionStatistics() {
    }

    /**
     * Per-example, per-channel gates and features of every modality ({@link ModalityFeatures}).
     *
     * @param graph     a graph holding a {@link PgmLayer} (with or without partitioner)
     * @param pgmVertex the name of its vertex ({@link Fused#pgmVertex()})
     * @param data      the graph's inputs (labels are ignored); read once from its start, then reset
     * @return one entry per modality, B = every example of {@code data}
     */
    public static List<ModalityFeatures> perExample(ComputationGraph graph, String pgmVertex,
                                                    MultiDataSetIterator data) {
        PgmLayer conf = layer(graph, pgmVertex);
        boolean gated = conf.getOptions().isUsePartitioner();
        int mCount = conf.getModalities();
        int iters = gated ? conf.getOptions().getIterations() : 0;
        List<List<INDArray>> parts = new ArrayList<>();
        forEachBatch(graph, pgmVertex, conf, data, out -> {
            List<INDArray> batch = new ArrayList<>();
            for (int m = 0; m < mCount; m++) {
                for (int i = 0; i < iters; i++) {
                    batch.add(out.get(Gates.pooledName("u", m, i)));
                    batch.add(out.get(Gates.pooledName("p", m, i)));
                }
                batch.add(out.get(Gates.featureName("u", m)));
                batch.add(out.get(Gates.featureName("p", m)));
            }
            parts.add(batch);
        });
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("PartitionStatistics: the data has no example");
        }
        List<ModalityFeatures> result = new ArrayList<>();
        int k = 0;
        for (int m = 0; m < mCount; m++) {
            List<INDArray> gu = new ArrayList<>();
            List<INDArray> gp = new ArrayList<>();
            for (int i = 0; i < iters; i++) {
                gu.add(rows(parts, k++));
                gp.add(rows(parts, k++));
            }
            INDArray u = rows(parts, k++);
            INDArray p = rows(parts, k++);
            result.add(new ModalityFeatures(m, List.copyOf(gu), List.copyOf(gp), u, p));
        }
        return result;
    }

    /** Entry k of every batch, stacked along the batch axis. */
    private static INDArray rows(List<List<INDArray>> batches, int k) {
        return Nd4j.concat(0, batches.stream().map(b -> b.get(k)).toArray(INDArray[]::new));
    }

    private static PgmLayer layer(ComputationGraph graph, String pgmVertex) {
        PgmLayer conf = PgmGraph.pgmLayer(graph.getConfiguration(), pgmVertex);
        if (conf == null) {
            throw new IllegalArgumentException("PartitionStatistics: '" + pgmVertex + "' is not a PgmLayer of the graph; "
                    + "vertices: " + graph.getConfiguration().getVertices().keySet());
        }
        return conf;
    }

    /**
     * Runs {@link Gates} (built on the first batch, from copies of the layer's parameters) on every batch of
     * {@code data}, from its start, handing each batch's outputs to {@code onBatch}; resets {@code data} after.
     */
    private static void forEachBatch(ComputationGraph graph, String pgmVertex, PgmLayer conf, MultiDataSetIterator data,
                                     java.util.function.Consumer<Map<String, INDArray>> onBatch) {
        String packed = graph.getConfiguration().getVertexInputs().get(pgmVertex).get(0);
        Gates gates = null;
        data.reset();
        while (data.hasNext()) {
            INDArray input = packedInput(graph, packed, data.next());
            if (gates == null) {
                gates = new Gates(conf, graph.getVertex(pgmVertex).paramTable(false), input);
            }
            onBatch.accept(gates.run(input));
        }
        data.reset();
    }

    /** The packed input of the PgM layer for one batch (feature masks applied as the graph applies them). */
    private static INDArray packedInput(ComputationGraph graph, String packed, MultiDataSet ds) {
        graph.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
        try {
            return graph.feedForward(ds.getFeatures(), false, false).get(packed);
        } finally {
            graph.clearLayerMaskArrays();
        }
    }

    /**
     * @param graph     a graph holding a {@link PgmLayer}
     * @param pgmVertex the name of its vertex ({@link Fused#pgmVertex()})
     * @param data      the graph's inputs (labels are ignored)
     */
    public static List<ModalityPartition> compute(ComputationGraph graph, String pgmVertex, MultiDataSetIterator data) {
        PgmLayer conf = layer(graph, pgmVertex);
        if (!conf.getOptions().isUsePartitioner()) {
            throw new IllegalArgumentException("PartitionStatistics: layer '" + pgmVertex + "' has no partitioner "
                    + "(ablation 'w/o partitioner')");
        }
        int mCount = conf.getModalities();
        int iters = conf.getOptions().getIterations();
        double[][][] sums = new double[mCount][3][iters];
        double[] counts = new double[mCount];
        forEachBatch(graph, pgmVertex, conf, data, out -> {
            for (int m = 0; m < mCount; m++) {
                INDArray mask = out.get(Gates.maskName(m));
                for (int i = 0; i < iters; i++) {
                    INDArray gu = out.get(Gates.name("u", m, i)).gt(GateMasks.THRESHOLD).castTo(mask.dataType());
                    INDArray gp = out.get(Gates.name("p", m, i)).gt(GateMasks.THRESHOLD).castTo(mask.dataType());
                    sums[m][0][i] += weightedShare(gu, mask);
                    sums[m][1][i] += weightedShare(gp, mask);
                    sums[m][2][i] += weightedShare(gu.mul(gp), mask);
                }
                counts[m] += mask.sumNumber().doubleValue();
            }
        });
        List<ModalityPartition> result = new ArrayList<>();
        for (int m = 0; m < mCount; m++) {
            double[][] s = sums[m];
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < iters; i++) {
                    s[k][i] /= Math.max(counts[m], 1);
                }
            }
            result.add(new ModalityPartition(m, s[0], s[1], s[2]));
        }
        return result;
    }

    /** Sum over valid (b, s) of the fraction of features set: gate {@code [B, S, D]}, mask {@code [B, S]}. */
    private static double weightedShare(INDArray gate, INDArray mask) {
        return gate.mean(2).mul(mask).sumNumber().doubleValue();
    }

    /**
     * A SameDiff instance computing, from the layer's packed input, the soft gates of every modality and iteration
     * ({@code [B, S, D]}, and their masked means over steps {@code [B, D]}), the step masks and the pooled features
     * u_m, p_m {@code [B, D]}.
     */
    private static final class Gates {
        private static final String INPUT = "packed";
        private final SameDiff sd = SameDiff.create();
        private final List<String> outputs = new ArrayList<>();

        Gates(PgmLayer conf, Map<String, INDArray> params, INDArray sample) {
            PgmBlock block = conf.toBlock();
            Map<String, SDVariable> vars = new HashMap<>();
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                vars.put(e.getKey(), sd.var(e.getKey(), e.getValue().dup()));
            }
            long[] shape = sample.shape().clone();
            shape[0] = -1;
            PgmLayer.Unpacked u = conf.unpack(sd.placeHolder(INPUT, sample.dataType(), shape));
            PgmBlock.Outputs o = block.define(vars, u.x(), u.masks(), u.seqs());
            for (int m = 0; m < u.x().size(); m++) {
                SDVariable mask = u.masks().get(m);
                long seq = u.seqs()[m];
                outputs.add(mask.rename(maskName(m)).name());
                for (int i = 0; i < o.uniGates.get(m).size(); i++) {
                    SDVariable gu = o.uniGates.get(m).get(i);
                    SDVariable gp = o.pairedGates.get(m).get(i);
                    outputs.add(gu.rename(name("u", m, i)).name());
                    outputs.add(gp.rename(name("p", m, i)).name());
                    outputs.add(SdOps.maskedMeanOverSteps(gu, mask, seq).rename(pooledName("u", m, i)).name());
                    outputs.add(SdOps.maskedMeanOverSteps(gp, mask, seq).rename(pooledName("p", m, i)).name());
                }
                // the pooled u_m, p_m that the layer outputs (the objectives' masked means), not a second pooling
                outputs.add(o.pooledUni.get(m).rename(featureName("u", m)).name());
                outputs.add(o.pooledPaired.get(m).rename(featureName("p", m)).name());
            }
        }

        static String pooledName(String kind, int m, int i) {
            return "pooledGate" + kind + m + "it" + i;
        }

        static String featureName(String kind, int m) {
            return "feature" + kind + m;
        }

        static String name(String kind, int m, int i) {
            return "gate" + kind + m + "it" + i;
        }

        static String maskName(int m) {
            return "stepMask" + m;
        }

        Map<String, INDArray> run(INDArray packed) {
            return sd.output(Map.of(INPUT, packed), outputs.toArray(new String[0]));
        }
    }
}

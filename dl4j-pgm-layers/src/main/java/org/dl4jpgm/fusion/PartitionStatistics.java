package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.PgmLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateMasks;
import org.dl4jpgm.blocks.PgmBlock;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a trained PgM divides each modality's features (the numbers behind the paper's Fig. 4): per modality and
 * iteration, the share of uni channels ({@code g_u > 0.5}), of paired channels ({@code g_p > 0.5}) and of channels in
 * both (overlap), averaged over every valid step of every example of a dataset.
 *
 * <p>The gates are computed by the same {@link PgmBlock} as the graph's {@link PgmLayer}, in a separate SameDiff
 * instance holding copies of the layer's trained parameters.
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

    private PartitionStatistics() {
    }

    /**
     * @param graph     a graph holding a {@link PgmLayer}
     * @param pgmVertex the name of its vertex ({@link Fused#pgmVertex()})
     * @param data      the graph's inputs (labels are ignored)
     */
    public static List<ModalityPartition> compute(ComputationGraph graph, String pgmVertex, MultiDataSetIterator data) {
        PgmLayer conf = PgmGraph.pgmLayer(graph.getConfiguration(), pgmVertex);
        if (conf == null) {
            throw new IllegalArgumentException("PartitionStatistics: '" + pgmVertex + "' is not a PgmLayer of the graph; "
                    + "vertices: " + graph.getConfiguration().getVertices().keySet());
        }
        if (!conf.getOptions().isUsePartitioner()) {
            throw new IllegalArgumentException("PartitionStatistics: layer '" + pgmVertex + "' has no partitioner "
                    + "(ablation 'w/o partitioner')");
        }
        String packed = graph.getConfiguration().getVertexInputs().get(pgmVertex).get(0);
        int mCount = conf.getModalities();
        int iters = conf.getOptions().getIterations();
        double[][][] sums = new double[mCount][3][iters];
        double[] counts = new double[mCount];
        Gates gates = null;
        data.reset();
        while (data.hasNext()) {
            MultiDataSet ds = data.next();
            graph.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
            Map<String, INDArray> acts = graph.feedForward(ds.getFeatures(), false, false);
            graph.clearLayerMaskArrays();
            INDArray input = acts.get(packed);
            if (gates == null) {
                gates = new Gates(conf, graph.getVertex(pgmVertex).paramTable(false), input);
            }
            Map<String, INDArray> out = gates.run(input);
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
        }
        data.reset();
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
     * A SameDiff instance computing the soft gates of every modality and iteration, and the step masks, from the
     * layer's packed input.
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
                outputs.add(u.masks().get(m).rename(maskName(m)).name());
                for (int i = 0; i < o.uniGates.get(m).size(); i++) {
                    outputs.add(o.uniGates.get(m).get(i).rename(name("u", m, i)).name());
                    outputs.add(o.pairedGates.get(m).get(i).rename(name("p", m, i)).name());
                }
            }
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

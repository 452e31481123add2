package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateMasks;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.conf.Layouts;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a trained PgM divides each modality's features (the numbers behind the paper's Fig. 4): per modality and
 * iteration, the share of uni channels ({@code g_u > 0.5}), of paired channels ({@code g_p > 0.5}) and of channels in
 * both (overlap), averaged over every valid step of every example of a dataset.
 *
 * <p>The gates are computed by the same {@link PgmBlock} as the graph's {@link PgmVertex}, in a separate SameDiff
 * instance holding copies of the vertex's trained parameters.
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
     * @param graph     a graph holding a {@link PgmVertex}
     * @param pgmVertex the vertex name ({@link Fused#pgmVertex()})
     * @param data      the graph's inputs (labels are ignored)
     */
    public static List<ModalityPartition> compute(ComputationGraph graph, String pgmVertex, MultiDataSetIterator data) {
        if (!(graph.getConfiguration().getVertices().get(pgmVertex) instanceof PgmVertex conf)) {
            throw new IllegalArgumentException("PartitionStatistics: '" + pgmVertex + "' is not a PgmVertex of the graph; "
                    + "vertices: " + graph.getConfiguration().getVertices().keySet());
        }
        if (!conf.getOptions().isUsePartitioner()) {
            throw new IllegalArgumentException("PartitionStatistics: vertex '" + pgmVertex + "' has no partitioner "
                    + "(ablation 'w/o partitioner')");
        }
        List<String> inputNames = graph.getConfiguration().getVertexInputs().get(pgmVertex);
        int mCount = inputNames.size();
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
            List<INDArray> inputs = new ArrayList<>();
            for (String n : inputNames) {
                inputs.add(acts.get(n));
            }
            List<INDArray> masks = new ArrayList<>();
            for (int m = 0; m < mCount; m++) {
                masks.add(stepMask(ds, graph, inputNames.get(m), inputs.get(m), conf));
            }
            if (gates == null) {
                gates = new Gates(conf, graph.getVertex(pgmVertex).paramTable(false), inputs);
            }
            Map<String, INDArray> out = gates.run(inputs, masks);
            for (int m = 0; m < mCount; m++) {
                INDArray mask = masks.get(m);
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

    /** The [B, S] step mask of one modality: its feature mask where the input is a network input, else ones. */
    private static INDArray stepMask(MultiDataSet ds, ComputationGraph graph, String input, INDArray activation,
                                     PgmVertex conf) {
        long b = activation.size(0);
        long s = activation.rank() == 2 ? 1 : Layouts.seqLength(activation.shape(), conf.getDataFormat());
        int idx = graph.getConfiguration().getNetworkInputs().indexOf(input);
        INDArray[] fm = ds.getFeaturesMaskArrays();
        if (activation.rank() == 3 && idx >= 0 && fm != null && fm[idx] != null) {
            return fm[idx];
        }
        return org.nd4j.linalg.factory.Nd4j.ones(activation.dataType(), b, s);
    }

    /** A SameDiff instance computing the soft gates of every modality and iteration from the vertex's inputs. */
    private static final class Gates {
        private final SameDiff sd = SameDiff.create();
        private final List<String> outputs = new ArrayList<>();

        Gates(PgmVertex conf, Map<String, INDArray> params, List<INDArray> sample) {
            PgmBlock block = conf.toBlock();
            Map<String, SDVariable> vars = new HashMap<>();
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                vars.put(e.getKey(), sd.var(e.getKey(), e.getValue().dup()));
            }
            List<SDVariable> in = new ArrayList<>();
            List<SDVariable> masks = new ArrayList<>();
            long[] seqs = new long[sample.size()];
            for (int m = 0; m < sample.size(); m++) {
                long[] shape = sample.get(m).shape().clone();
                shape[0] = -1;
                SDVariable x = sd.placeHolder("in" + m, sample.get(m).dataType(), shape);
                seqs[m] = Layouts.seqLength(shape, conf.getDataFormat());
                in.add(Layouts.toBSD(x, shape.length, conf.getDataFormat(),
                        Layouts.featureWidth(shape, conf.getDataFormat())));
                masks.add(shape.length == 2 ? null : sd.placeHolder("mask" + m, sample.get(m).dataType(), -1, seqs[m]));
            }
            PgmBlock.Outputs o = block.define(vars, in, masks, seqs);
            for (int m = 0; m < sample.size(); m++) {
                for (int i = 0; i < o.uniGates.get(m).size(); i++) {
                    outputs.add(o.uniGates.get(m).get(i).rename(name("u", m, i)).name());
                    outputs.add(o.pairedGates.get(m).get(i).rename(name("p", m, i)).name());
                }
            }
        }

        static String name(String kind, int m, int i) {
            return "gate" + kind + m + "it" + i;
        }

        Map<String, INDArray> run(List<INDArray> inputs, List<INDArray> masks) {
            Map<String, INDArray> ph = new LinkedHashMap<>();
            for (int m = 0; m < inputs.size(); m++) {
                ph.put("in" + m, inputs.get(m));
                if (inputs.get(m).rank() == 3) {
                    ph.put("mask" + m, masks.get(m));
                }
            }
            return sd.output(ph, outputs.toArray(new String[0]));
        }
    }
}

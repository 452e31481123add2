package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.conf.PgmHeadLayer;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.conf.PgmLayerRuntime;
import org.dl4jpgm.conf.WeightedLoss;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code ComputationGraph} with PgM (or a baseline) in place of its fusion, with the names a user needs and the
 * switch between the stages of Eq. 12. The graph is an ordinary DL4J graph with the outputs of the graph it replaced:
 * {@code fit}, {@code output}, {@code outputSingle}, {@code score}, {@code evaluate}, early stopping and listeners work
 * as on the original. Its score is the task outputs' loss (β L_T); PgM's objective α L_P reaches the gradients through
 * the PgM layer ({@link PgmLayerRuntime}) and is observed with {@link #objectives} or a {@link org.dl4jpgm.train.PgmObjectiveListener}.
 *
 * <p>α and β live in the graph's configuration ({@link PgmLayer#getAlpha()}, {@link WeightedLoss} around each task
 * output's loss), so the weights in effect are saved and restored with the model; {@link #of} rebuilds the handle of a
 * restored graph.
 */
public final class PgmGraph {

    private final ComputationGraph graph;
    private final Fused fused;

    /**
     * @param graph an initialised graph
     * @param fused what {@link PgmFusion} added to it
     */
    public PgmGraph(ComputationGraph graph, Fused fused) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.fused = Objects.requireNonNull(fused, "fused");
    }

    /**
     * The handle of a graph that holds one {@link PgmLayer} (e.g. restored with {@code ModelSerializer}): the PgM
     * layer, and the fused output its head layer gives ({@code <prefix>Head}, as {@link PgmFusion} names it).
     *
     * @throws IllegalArgumentException if the graph holds no PgM layer or several
     */
    public static PgmGraph of(ComputationGraph graph) {
        List<String> pgm = new ArrayList<>();
        graph.getConfiguration().getVertices().forEach((name, v) -> {
            if (pgmLayer(v) != null) {
                pgm.add(name);
            }
        });
        if (pgm.size() != 1) {
            throw new IllegalArgumentException("PgmGraph: expected one PgmLayer in the graph, found " + pgm.size() + " "
                    + pgm + " among " + graph.getConfiguration().getVertices().keySet());
        }
        String name = pgm.get(0);
        String head = PgmFusion.prefixOf(name) + PgmFusion.HEAD;
        GraphVertex h = graph.getConfiguration().getVertices().get(head);
        if (!(h instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof PgmHeadLayer p)) {
            throw new IllegalArgumentException("PgmGraph: expected the PgM head layer '" + head + "' next to '" + name
                    + "', found " + (h == null ? "none" : h.getClass().getSimpleName()));
        }
        return new PgmGraph(graph, new Fused(head, p.getHidden(), name));
    }

    /** The graph. */
    public ComputationGraph graph() {
        return graph;
    }

    /** Names of the fused output and the PgM layer. */
    public Fused fused() {
        return fused;
    }

    /** The graph's outputs (the task outputs of the graph it replaced). */
    public List<String> taskOutputs() {
        return List.copyOf(graph.getConfiguration().getNetworkOutputs());
    }

    /**
     * Sets Eq. 12's weights on the built graph: α on the PgM layer (read at its next backward pass), β around the loss
     * of every output layer (a {@link WeightedLoss}, put in place the first time). No rebuild; the weights are part of
     * the configuration that {@code ModelSerializer} saves.
     *
     * @throws IllegalArgumentException if β is not 1 and an output's loss cannot be weighted (an output that is not one
     *                                  of DL4J's output or loss layers), naming it
     */
    public PgmGraph setLossWeights(LossWeights weights) {
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            PgmLayer p = pgmLayer(v);
            if (p != null) {
                p.setAlpha(weights.alpha());
            }
        }
        for (String out : graph.getConfiguration().getNetworkOutputs()) {
            Layer l = outputLayer(out);
            ILossFunction loss = l == null ? null : lossOf(l);
            if (loss instanceof WeightedLoss w) {
                w.setWeight(weights.beta());
            } else if (loss != null) {
                setLoss(l, new WeightedLoss(loss, weights.beta()));
            } else if (weights.beta() != 1.0) {
                throw new IllegalArgumentException("PgmGraph: output '" + out + "' is "
                        + (l == null ? "not a layer" : "a " + l.getClass().getSimpleName())
                        + ", whose loss cannot be weighted; β must be 1, found " + weights.beta());
            }
        }
        return this;
    }

    /** The weights in effect: α of the PgM layer (0 for a baseline), β of the first output's loss (1 if unweighted). */
    public LossWeights getLossWeights() {
        double alpha = 0;
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            PgmLayer p = pgmLayer(v);
            if (p != null) {
                alpha = p.getAlpha();
            }
        }
        double beta = 1;
        Layer l = outputLayer(graph.getConfiguration().getNetworkOutputs().get(0));
        if (l != null && lossOf(l) instanceof WeightedLoss w) {
            beta = w.getWeight();
        }
        return alpha + beta == 0 ? new LossWeights(0, 1) : new LossWeights(alpha, beta);
    }

    /**
     * Batch means of UFC, PFC and UPR (Eq. 8-10, each summed over the iterations) on one batch, in inference mode; their
     * sum is L_P (Eq. 11).
     *
     * @throws IllegalStateException for a baseline (no PgM layer)
     */
    public double[] objectives(MultiDataSet ds) {
        if (!fused.isPgm()) {
            throw new IllegalStateException("PgmGraph: the fusion '" + fused.output() + "' is a baseline without PgM's "
                    + "objectives");
        }
        graph.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
        try {
            Map<String, INDArray> acts = graph.feedForward(ds.getFeatures(), false, false);
            return objectiveMeans(acts.get(fused.pgmVertex()));
        } finally {
            graph.clearLayerMaskArrays();
        }
    }

    /** Batch means of the objective channels of a PgM layer's output {@code [B, C]} or {@code [B, C, S]}. */
    public static double[] objectiveMeans(INDArray pgmOutput) {
        long channels = pgmOutput.size(1);
        INDArray objectives = pgmOutput.get(NDArrayIndex.all(),
                NDArrayIndex.interval(channels - PgmLayer.OBJECTIVES, channels));
        if (objectives.rank() == 3) {
            objectives = objectives.mean(2);
        }
        INDArray mean = objectives.mean(0);
        return new double[]{mean.getDouble(PgmLayer.UFC), mean.getDouble(PgmLayer.PFC),
                mean.getDouble(PgmLayer.UPR)};
    }

    /**
     * The {@link PgmLayer} configuration of the graph vertex {@code name}, or null if it holds none.
     */
    public static PgmLayer pgmLayer(org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf, String name) {
        return pgmLayer(conf.getVertices().get(name));
    }

    private static PgmLayer pgmLayer(GraphVertex v) {
        return v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof PgmLayer p ? p : null;
    }

    private Layer outputLayer(String name) {
        GraphVertex v = graph.getConfiguration().getVertices().get(name);
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static ILossFunction lossOf(Layer l) {
        if (l instanceof BaseOutputLayer o) {
            return o.getLossFn();
        }
        if (l instanceof LossLayer o) {
            return o.getLossFn();
        }
        if (l instanceof RnnLossLayer o) {
            return o.getLossFn();
        }
        if (l instanceof CnnLossLayer o) {
            return o.getLossFn();
        }
        return null;
    }

    private static void setLoss(Layer l, ILossFunction loss) {
        if (l instanceof BaseOutputLayer o) {
            o.setLossFn(loss);
        } else if (l instanceof LossLayer o) {
            o.setLossFn(loss);
        } else if (l instanceof RnnLossLayer o) {
            o.setLossFn(loss);
        } else if (l instanceof CnnLossLayer o) {
            o.setLossFn(loss);
        }
    }
}

package org.dl4jpgm.train;

import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.PgmGraph;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A DL4J training listener that observes PgM's objective during {@code fit}: after every training forward pass it reads
 * the PgM layer's objective channels (the per-example UFC, PFC, UPR of Eq. 8-10) and accumulates their example-weighted
 * means; at the end of each epoch it appends the epoch's means to {@link #history()} (for Fig. 5). The values are those
 * of the training batches in training mode, as a PyTorch training log reports them.
 *
 * <p>{@code graph.addListeners(new PgmObjectiveListener(handle.fused().pgmVertex()))}.
 */
public class PgmObjectiveListener extends BaseTrainingListener {

    /** UFC, PFC, UPR means of one epoch and the examples they are over. */
    public record Epoch(int epoch, double ufc, double pfc, double upr, long examples) {
        /** L_P = UFC + PFC + UPR (Eq. 11). */
        public double objective() {
            return ufc + pfc + upr;
        }
    }

    private final String pgmVertex;
    private final double[] sums = new double[PgmLayer.OBJECTIVES];
    private long examples;
    private final List<Epoch> history = new ArrayList<>();

    /** @param pgmVertex name of the PgM vertex ({@link Fused#pgmVertex()}) */
    public PgmObjectiveListener(String pgmVertex) {
        this.pgmVertex = pgmVertex;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        INDArray out = activations.get(pgmVertex);
        if (out == null) {
            return;
        }
        double[] m = PgmGraph.objectiveMeans(out);
        long b = out.size(0);
        for (int k = 0; k < sums.length; k++) {
            sums[k] += m[k] * b;
        }
        examples += b;
    }

    @Override
    public void onEpochEnd(Model model) {
        double n = Math.max(examples, 1);
        history.add(new Epoch(history.size() + 1, sums[0] / n, sums[1] / n, sums[2] / n, examples));
        java.util.Arrays.fill(sums, 0);
        examples = 0;
    }

    /** The current (unfinished) epoch's means so far: UFC, PFC, UPR. */
    public double[] current() {
        double n = Math.max(examples, 1);
        return new double[]{sums[0] / n, sums[1] / n, sums[2] / n};
    }

    /** One entry per finished epoch. */
    public List<Epoch> history() {
        return Collections.unmodifiableList(history);
    }
}

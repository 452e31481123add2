package org.dl4jpgm.train;

import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Best-epoch selection of {@link TwoStageTrainer} ({@link TrainerOptions#getEpochSelection()}): the score of every
 * stage-2 epoch and a copy of the best epoch's parameters. The first of equal scores wins, so a plateau keeps its
 * earliest epoch.
 */
public final class EpochSelection {

    private final ScoreCalculator<? super ComputationGraph> calculator;
    private final List<Double> scores = new ArrayList<>();
    private int bestIndex = -1;
    private INDArray bestParams;

    EpochSelection(ScoreCalculator<? super ComputationGraph> calculator) {
        this.calculator = calculator;
    }

    /** Scores {@code graph} after the next stage-2 epoch and keeps its parameters if it is the best so far. */
    void afterEpoch(ComputationGraph graph) {
        double s = calculator.calculateScore(graph);
        if (Double.isNaN(s)) {
            throw new IllegalStateException("EpochSelection: the score calculator " + calculator.getClass().getName()
                    + " gave NaN after stage-2 epoch " + (scores.size() + 1));
        }
        scores.add(s);
        if (bestIndex < 0 || (calculator.minimizeScore() ? s < scores.get(bestIndex) : s > scores.get(bestIndex))) {
            bestIndex = scores.size() - 1;
            bestParams = graph.params().dup();
        }
    }

    /** Puts the best epoch's parameters back into {@code graph} (nothing if no epoch was scored). */
    void restoreBest(ComputationGraph graph) {
        if (bestParams != null) {
            graph.setParams(bestParams);
        }
    }

    /** The stage-2 epoch kept, from 1 (0 if none was scored). */
    public int bestEpoch() {
        return bestIndex + 1;
    }

    /** Its score (NaN if none was scored). */
    public double bestScore() {
        return bestIndex < 0 ? Double.NaN : scores.get(bestIndex);
    }

    /** Whether lower scores are better (the calculator's {@code minimizeScore()}). */
    public boolean minimized() {
        return calculator.minimizeScore();
    }

    /** The score after each stage-2 epoch, in order. */
    public List<Double> scores() {
        return List.copyOf(scores);
    }
}

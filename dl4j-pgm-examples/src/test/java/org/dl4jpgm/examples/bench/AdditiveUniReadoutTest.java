package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.transfer.HostInputs;
import org.dl4jpgm.examples.bench.PartitionRecoveryProbe.Role;
import org.dl4jpgm.examples.bench.PartitionRecoveryProbe.Separation;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The probe's {@code ADDITIVE_UNI} readout against a computation in plain ND4J from PgM's features and the dense
 * layers' parameters: {@code logits = Σ_m (u_m W_m + b_m) + relu([p_1 ; ... ; p_M] W_h + b_h) W_o + b_o}; and the
 * per-seed separation statistic.
 */
class AdditiveUniReadoutTest {

    @Test
    void logitsAreTheSumOfPerModalityUniTermsAndThePairedMlp() {
        List<String> modalities = List.of("a", "b", "c");
        TrainingOptions training = new TrainingOptions(Presets.CPU);
        long d = training.getWidth();
        ExperimentRunner.Built built = PartitionRecoveryProbe.additiveUniGraph(new HostInputs(modalities,
                        new InputType[]{InputType.feedForward(6), InputType.recurrent(4, 5), InputType.feedForward(9)}),
                3, training, FusionChoice.parse("PGM"), 7);
        ComputationGraph g = built.graph();
        Nd4j.getRandom().setSeed(5);
        INDArray a = Nd4j.randn(DataType.FLOAT, 16, 6);
        INDArray b = Nd4j.randn(DataType.FLOAT, 16, 4, 5);
        INDArray c = Nd4j.randn(DataType.FLOAT, 16, 9);
        Map<String, INDArray> acts = g.feedForward(new INDArray[]{a, b, c}, false);
        INDArray features = acts.get("featuresNorm").castTo(DataType.DOUBLE);
        assertEquals(2 * modalities.size() * d, features.size(1));
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, 16, 3);
        for (int m = 0; m < modalities.size(); m++) {
            INDArray u = features.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(m * d, (m + 1) * d));
            expected.addi(u.mmul(param(g, "uniLogits" + m, "W")).addRowVector(param(g, "uniLogits" + m, "b")));
        }
        INDArray p = features.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(modalities.size() * d, 2 * modalities.size() * d));
        INDArray hidden = Transforms.relu(p.mmul(param(g, "pairedHidden", "W"))
                .addRowVector(param(g, "pairedHidden", "b")), false);
        expected.addi(hidden.mmul(param(g, "pairedLogits", "W")).addRowVector(param(g, "pairedLogits", "b")));
        INDArray logits = acts.get("logits").castTo(DataType.DOUBLE);
        assertEquals(0.0, logits.sub(expected).amaxNumber().doubleValue(), 1e-4);
        INDArray softmax = Transforms.softmax(expected, true);
        assertEquals(0.0, acts.get("out").castTo(DataType.DOUBLE).sub(softmax).amaxNumber().doubleValue(), 1e-5);
        assertEquals("pgm", built.fused().pgmVertex());
    }

    private static INDArray param(ComputationGraph g, String layer, String key) {
        return g.getLayer(layer).getParam(key).castTo(DataType.DOUBLE);
    }

    @Test
    void separationCountsTheSeedsWhereTheRightStreamIsAhead() {
        List<Double> u = List.of(0.5, 0.6, 0.7);
        List<Double> p = List.of(0.7, 0.5, 0.7);
        Separation paired = Separation.of(Role.PAIRED, u, p);
        assertEquals(0.1 / 3, paired.mean(), 1e-12);
        double sd = Math.sqrt((Math.pow(0.2 - 0.1 / 3, 2) + Math.pow(-0.1 - 0.1 / 3, 2) + Math.pow(0.1 / 3, 2)) / 2);
        assertEquals(sd, paired.std(), 1e-12);
        assertEquals(1, paired.right(), "a tie is not ahead");
        assertEquals(3, paired.seeds());
        assertEquals(true, paired.rightOnMean(Role.PAIRED));
        Separation uni = Separation.of(Role.UNI, u, p);
        assertEquals(1, uni.right());
        assertEquals(false, uni.rightOnMean(Role.UNI));
        assertThrows(IllegalArgumentException.class, () -> Separation.of(Role.NONE, u, p));
        assertThrows(IllegalArgumentException.class, () -> Separation.of(Role.UNI, u, List.of(0.1)));
    }
}

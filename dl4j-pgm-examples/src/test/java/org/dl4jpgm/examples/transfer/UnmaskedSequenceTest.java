package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sequence input without lengths beside masked ones, as the MOSI layout gives them (text full length, audio and
 * vision with lengths): DL4J 1.0.0-M2.1's {@code Convolution1DLayer} fails on the missing mask, MulT's batches give
 * the sequence a mask of ones, and a mask of ones computes what no mask computes.
 */
class UnmaskedSequenceTest {

    private static final DatasetDescriptor DATA = TransferFixtures.descriptor();
    private static final TargetSpec SCORE = DATA.getDefaultTarget();

    /** The fixture with text as a sequence {@code [N, S, 12]} (its vector repeated over the steps), no lengths. */
    private static SplitData textAsSequence(SplitData s) {
        INDArray text = s.features("text");
        INDArray seq = Nd4j.create(DataType.FLOAT, text.size(0), TransferFixtures.STEPS, text.size(1));
        for (int t = 0; t < TransferFixtures.STEPS; t++) {
            seq.get(NDArrayIndex.all(), NDArrayIndex.point(t), NDArrayIndex.all()).assign(text);
        }
        Map<String, INDArray> f = new LinkedHashMap<>();
        f.put("text", seq);
        f.put("audio", s.features("audio"));
        f.put("vision", s.features("vision"));
        Map<String, int[]> lengths = new LinkedHashMap<>();
        lengths.put("audio", s.lengths("audio"));
        lengths.put("vision", s.lengths("vision"));
        Map<String, List<String>> labels = new LinkedHashMap<>();
        labels.put(SCORE.getName(), s.labels(SCORE.getName()));
        labels.put("sign", s.labels("sign"));
        return new SplitData(s.ids(), f, lengths, labels);
    }

    private static MultiDataSet batch(HostGraph h, SplitData split, boolean maskEverySequence) {
        double[] targets = LabelEncoder.decode(SCORE, split.labels(SCORE.getName()), null);
        return new IndexedBatches(DATA, split, SCORE.getName(), split.size(), false, 0,
                HostLabels.of(h, SCORE, targets, HostOptions.DEFAULTS).training(), maskEverySequence).next();
    }

    @Test
    void mulTFailsInsideDl4jOnTheMissingMaskAndTrainsWithAMaskOfOnes() {
        SplitData train = textAsSequence(TransferFixtures.split(48, 1));
        HostGraph h = HostModel.MULT.build(HostInputs.of(train, List.of("text", "audio", "vision")), SCORE,
                TransferFixtures.settings(), HostOptions.DEFAULTS, 7);
        assertTrue(HostModel.MULT.masksEverySequence());
        MultiDataSet plain = batch(h, train, false);
        assertNotNull(plain.getFeaturesMaskArray(1));
        assertEquals(null, plain.getFeaturesMaskArray(0), "the layout gives text no mask");
        // the DL4J failure that the option works around; if a later DL4J fixes it, this assertion says so
        assertThrows(NullPointerException.class, () -> h.graph().fit(plain));

        HostTrainer trainer = new HostTrainer(DATA, SCORE, train, textAsSequence(TransferFixtures.split(16, 2)),
                textAsSequence(TransferFixtures.split(16, 3)), TransferFixtures.settings(), HostOptions.DEFAULTS);
        HostGraph fresh = trainer.build(HostModel.MULT, 7);
        HostTrainer.Outcome o = trainer.train(fresh, 7, 0, 2, r -> { });
        assertTrue(Double.isFinite(o.test().selectionScore()), "MulT trained and was scored: " + o.test().format());
        HostTrainer.Outcome p = trainer.train(HostModel.withPgm(fresh, TransferFixtures.pgmSpec(fresh)), 7, 1, 1,
                r -> { });
        assertTrue(Double.isFinite(p.test().selectionScore()), "MulT +PgM trained and was scored");
    }

    @Test
    void aMaskOfOnesComputesWhatNoMaskComputes() {
        // no lengths anywhere: the batch has no masks, and every sequence full length
        SplitData s = textAsSequence(TransferFixtures.split(24, 4));
        Map<String, INDArray> f = new LinkedHashMap<>();
        for (String m : List.of("text", "audio", "vision")) {
            f.put(m, s.features(m));
        }
        Map<String, List<String>> labels = new LinkedHashMap<>();
        labels.put(SCORE.getName(), s.labels(SCORE.getName()));
        labels.put("sign", s.labels("sign"));
        SplitData full = new SplitData(s.ids(), f, Map.of(), labels);
        for (HostModel model : HostModel.values()) {
            HostGraph h = model.build(HostInputs.of(full, List.of("text", "audio", "vision")), SCORE,
                    TransferFixtures.settings(), HostOptions.DEFAULTS, 11);
            MultiDataSet ds = batch(h, full, false);
            assertEquals(null, ds.getFeaturesMaskArrays());
            ComputationGraph g = h.graph();
            INDArray[] ones = new INDArray[3];
            for (int i = 0; i < 3; i++) {
                ones[i] = Nd4j.ones(DataType.FLOAT, full.size(), TransferFixtures.STEPS);
            }
            INDArray a = g.output(false, ds.getFeatures(), null)[0];
            INDArray b = g.output(false, ds.getFeatures(), ones)[0];
            assertFalse(a.isEmpty());
            assertTrue(a.equalsWithEps(b, 1e-5), model + ": no mask " + a + " vs ones " + b);
        }
    }
}

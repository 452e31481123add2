package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The read-only labeller a training monitor uses gives the labels of the ULGM that training moves, and moves none.
 */
class HostLabelsTest {

    private static final DatasetDescriptor DATA = TransferFixtures.descriptor();
    private static final TargetSpec SCORE = DATA.getDefaultTarget();
    private static final SplitData TRAIN = TransferFixtures.split(32, 3);
    private static final double[] TARGETS = LabelEncoder.decode(SCORE, TRAIN.labels(SCORE.getName()), null);

    @Test
    void theMonitorReadsTheLabelsTrainingMovedAndMovesNone() {
        HostGraph h = HostModel.SELF_MM.build(HostInputs.of(TRAIN, List.of("text", "audio", "vision")), SCORE,
                TransferFixtures.settings(), HostOptions.DEFAULTS, 7);
        HostLabels.Labellers l = HostLabels.of(h, SCORE, TARGETS, HostOptions.DEFAULTS);
        MultiDataSet batch = new IndexedBatches(DATA, TRAIN, SCORE.getName(), TRAIN.size(), false, 0, null, false)
                .next();
        int[] rows = IntStream.range(0, TRAIN.size()).toArray();
        // epoch 0 stores the features, epoch 1 moves the labels (Ulgm counts epochs from 1, moves from 2)
        l.training().label(batch, rows, 0);
        l.training().label(batch, rows, 1);

        MultiDataSet seen = l.readOnly().label(batch, rows, 1);
        MultiDataSet seenAgain = l.readOnly().label(batch, rows, 7);
        MultiDataSet trained = l.training().label(batch, rows, 2);   // its labels are read before it moves them
        for (int k = 1; k <= 3; k++) {
            assertNotEquals(batch.getLabels(0), seen.getLabels(k), "output " + k + ": the labels moved from y_m");
            assertEquals(seen.getLabels(k), seenAgain.getLabels(k), "output " + k + ": the monitor moved labels");
            assertEquals(trained.getLabels(k), seen.getLabels(k), "output " + k);
            assertEquals(trained.getLabelsMaskArray(k), seen.getLabelsMaskArray(k), "output " + k + ": weights");
        }
        assertNotEquals(trained.getLabels(1), l.readOnly().label(batch, rows, 2).getLabels(1),
                "the training labeller's update at epoch 3 shows in the read-only view");
    }

    @Test
    void otherHostsShareOneLabeller() {
        for (HostModel m : List.of(HostModel.MMIM, HostModel.MULT)) {
            HostGraph h = m.build(HostInputs.of(TRAIN, List.of("text", "audio", "vision")), SCORE,
                    TransferFixtures.settings(), HostOptions.DEFAULTS, 7);
            HostLabels.Labellers l = HostLabels.of(h, SCORE, TARGETS, HostOptions.DEFAULTS);
            assertSame(l.training(), l.readOnly(), m.toString());
        }
    }
}

package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LabelEncoder;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.fusion.FusionSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each host trains (its task loss falls), its fusion can be replaced by PgM keeping every other trained weight bit
 * for bit, and host and host+PgM give the same outputs after a {@code ModelSerializer} round trip.
 */
class HostModelTest {

    private static final DatasetDescriptor DATA = TransferFixtures.descriptor();
    private static final TargetSpec SCORE = DATA.getDefaultTarget();
    private static final SplitData TRAIN = TransferFixtures.split(48, 1);
    private static final double[] TARGETS = LabelEncoder.decode(SCORE, TRAIN.labels(SCORE.getName()), null);

    /** All training examples as one labelled batch (the host's auxiliary labels included). */
    private static MultiDataSet all(HostGraph h) {
        IndexedBatches it = new IndexedBatches(DATA, TRAIN, SCORE.getName(), TRAIN.size(), false, 0,
                HostLabels.of(h, SCORE, TARGETS, HostOptions.DEFAULTS).training(), false);
        return it.next();
    }

    /** Mean |out − y| of the multimodal output on the training split. */
    private static double taskLoss(HostGraph h) {
        MultiDataSet ds = all(h);
        INDArray out = h.graph().output(false, ds.getFeatures(), ds.getFeaturesMaskArrays())[0];
        return Transforms.abs(out.sub(ds.getLabels(0))).meanNumber().doubleValue();
    }

    private static HostGraph trainedHost(HostModel model, int epochs) {
        HostGraph h = model.build(HostInputs.of(TRAIN, List.of("text", "audio", "vision")), SCORE,
                TransferFixtures.settings(), HostOptions.DEFAULTS, 7);
        IndexedBatches it = new IndexedBatches(DATA, TRAIN, SCORE.getName(), 16, true, 7,
                HostLabels.of(h, SCORE, TARGETS, HostOptions.DEFAULTS).training(), false);
        if (epochs > 0) {
            h.graph().fit(it, epochs);
        }
        return h;
    }

    private static FusionSpec pgm(HostGraph h) {
        return TransferFixtures.pgmSpec(h);
    }

    @ParameterizedTest
    @EnumSource(HostModel.class)
    void theHostTrainsAndItsTaskLossFalls(HostModel model) {
        HostGraph h = trainedHost(model, 0);
        double before = taskLoss(h);
        IndexedBatches it = new IndexedBatches(DATA, TRAIN, SCORE.getName(), 16, true, 7,
                HostLabels.of(h, SCORE, TARGETS, HostOptions.DEFAULTS).training(), false);
        h.graph().fit(it, 8);
        double after = taskLoss(h);
        assertTrue(after < 0.8 * before, model + ": task L1 " + before + " -> " + after);
        assertEquals(HostModel.OUT, h.graph().getConfiguration().getNetworkOutputs().get(0));
        assertEquals(switch (model) {
            case SELF_MM -> List.of("out_text", "out_audio", "out_vision");
            case MMIM -> List.of("cpc_text", "cpc_audio", "cpc_vision", "cpc_text_audio", "cpc_text_vision");
            case MULT -> List.of();
        }, h.auxiliaryOutputs());
    }

    @ParameterizedTest
    @EnumSource(HostModel.class)
    void replacingTheFusionOfATrainedHostKeepsEveryOtherWeightBitForBit(HostModel model) {
        HostGraph host = trainedHost(model, 2);
        String hostJson = host.graph().getConfiguration().toJson();
        INDArray hostParams = host.graph().params().dup();
        HostGraph tuned = model.withPgm(host.graph(), host.inputs(), pgm(host));
        assertTrue(tuned.fused().isPgm());
        assertNull(tuned.graph().getVertex(HostModel.FUSION), "the host's fusion is gone");
        int kept = 0;
        for (GraphVertex v : host.graph().getVertices()) {
            GraphVertex w = tuned.graph().getVertex(v.getVertexName());
            if (v.numParams() > 0 && !v.getVertexName().equals(HostModel.FUSION)) {
                assertNotNull(w, v.getVertexName());
                assertEquals(v.params(), w.params(), v.getVertexName() + " kept bit for bit");
                assertFalse(v.params() == w.params(), "a copy, not the host's array");
                kept++;
            }
        }
        assertTrue(kept >= 5, "kept " + kept);
        assertEquals(List.copyOf(host.graph().getConfiguration().getNetworkOutputs()),
                tuned.graph().getConfiguration().getNetworkOutputs(), "the host's outputs");
        assertEquals(hostJson, host.graph().getConfiguration().toJson(), "the host is not changed");
        assertEquals(hostParams, host.graph().params());

        HostGraph fresh = HostModel.withPgm(host, pgm(host));
        assertEquals(tuned.graph().getConfiguration().getVertices().keySet(),
                fresh.graph().getConfiguration().getVertices().keySet(), "from the configuration: the same graph");
        assertEquals(tuned.graph().numParams(), fresh.graph().numParams());
        assertEquals(host.fused().width(), fresh.fused().width(), "the fused output keeps the replaced width");
    }

    @ParameterizedTest
    @EnumSource(HostModel.class)
    void hostAndHostWithPgmGiveTheSameOutputsAfterAModelSerializerRoundTrip(HostModel model, @TempDir Path dir)
            throws Exception {
        HostGraph host = trainedHost(model, 1);
        HostGraph tuned = model.withPgm(host.graph(), host.inputs(), pgm(host));
        IndexedBatches it = new IndexedBatches(DATA, TRAIN, SCORE.getName(), 16, true, 8,
                HostLabels.of(tuned, SCORE, TARGETS, HostOptions.DEFAULTS).training(), false);
        tuned.graph().fit(it, 1);
        for (HostGraph h : List.of(host, tuned)) {
            MultiDataSet ds = all(h);
            ComputationGraph g = h.graph();
            File f = dir.resolve(model + (h.fused().isPgm() ? "-pgm" : "") + ".zip").toFile();
            ModelSerializer.writeModel(g, f, true);
            ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
            INDArray[] a = g.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
            INDArray[] b = restored.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays());
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], model + " output " + i);
            }
            assertEquals(g.score(ds), restored.score(ds), 1e-6, model + " score with the auxiliary losses");
            assertEquals(g.getConfiguration(), restored.getConfiguration());
        }
    }
}

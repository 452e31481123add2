package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PgmFusion;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PartitionRecoveryProbe.PartitionerStep}: with plain SGD, one update of the partitioner's parameters under
 * scale k is k times the update under scale 1 from the same initialisation; k = 0 leaves them bit-identical while the
 * other parameters move.
 */
class PartitionerStepTest {

    private static Object[] graph() {
        return graph(GateGradient.STRAIGHT_THROUGH);
    }

    private static Object[] graph(GateGradient gate) {
        Sgd sgd = new Sgd(0.05);
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(sgd).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.feedForward(4), InputType.feedForward(4));
        PgmOptions opts = PgmOptions.builder().width(4).iterations(1).learnerMode(LearnerMode.SEQUENCE)
                .learnerHeads(2).tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).gateGradient(gate).build();
        Fused f = PgmFusion.add(b, FusionSpec.builder().pgm(opts).headHeads(2).headFfnSize(8).modelUpdater(sgd)
                .learnerUpdater(sgd).decoderUpdater(sgd).build(), "a", "b");
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                .activation(Activation.SOFTMAX).build(), f.output()).setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return new Object[]{g, f.pgmVertex()};
    }

    private static MultiDataSet data() {
        java.util.Random r = new java.util.Random(11);
        INDArray a = Nd4j.create(DataType.FLOAT, 8, 4);
        INDArray bb = Nd4j.create(DataType.FLOAT, 8, 4);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 4; j++) {
                a.putScalar(i, j, r.nextGaussian());
                bb.putScalar(i, j, r.nextGaussian());
            }
        }
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 2);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 2, 1.0);
        }
        return new MultiDataSet(new INDArray[]{a, bb}, new INDArray[]{y});
    }

    private static Map<String, INDArray> partitioner(ComputationGraph g, String vertex) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        g.getVertex(vertex).paramTable(false).forEach((k, v) -> {
            if (k.startsWith(PgmBlock.PARTITIONER_PREFIX)) {
                out.put(k, v.dup());
            }
        });
        return out;
    }

    /** The partitioner's change after one update with scale k, and whether the graph's other parameters moved. */
    private static Object[] oneUpdate(double k, MultiDataSet ds) {
        Object[] gv = graph();
        ComputationGraph g = (ComputationGraph) gv[0];
        String vertex = (String) gv[1];
        Map<String, INDArray> before = partitioner(g, vertex);
        INDArray all = g.params().dup();
        g.addListeners(new PartitionRecoveryProbe.PartitionerStep(g, vertex, k));
        g.fit(ds);
        Map<String, INDArray> delta = new LinkedHashMap<>();
        partitioner(g, vertex).forEach((name, v) -> delta.put(name, v.sub(before.get(name))));
        long moved = all.neq(g.params()).castTo(DataType.INT32).sumNumber().longValue();
        return new Object[]{delta, moved, before};
    }

    @SuppressWarnings("unchecked")
    @Test
    void scalesThePartitionersUpdate() {
        MultiDataSet ds = data();
        Object[] one = oneUpdate(1, ds);
        Object[] two = oneUpdate(2, ds);
        Object[] zero = oneUpdate(0, ds);
        Map<String, INDArray> d1 = (Map<String, INDArray>) one[0];
        Map<String, INDArray> d2 = (Map<String, INDArray>) two[0];
        Map<String, INDArray> d0 = (Map<String, INDArray>) zero[0];
        assertEquals(((Map<String, INDArray>) one[2]).keySet(), ((Map<String, INDArray>) two[2]).keySet());
        double largest = 0;
        for (String name : d1.keySet()) {
            assertEquals(((Map<String, INDArray>) one[2]).get(name), ((Map<String, INDArray>) two[2]).get(name),
                    "same initialisation: " + name);
            largest = Math.max(largest, d1.get(name).amaxNumber().doubleValue());
            assertEquals(0.0, d2.get(name).sub(d1.get(name).mul(2)).amaxNumber().doubleValue(), 1e-6,
                    "scale 2 doubles the update of " + name);
            assertEquals(0.0, d0.get(name).amaxNumber().doubleValue(), 0.0, "scale 0 freezes " + name);
        }
        assertTrue(largest > 1e-5, "the partitioner was updated: " + largest);
        assertTrue((long) zero[1] > 0, "the other parameters moved under scale 0");
    }

    /**
     * Why the frozen variant scales the partitioner's updates instead of using {@code GateGradient.NONE}: with the hard
     * gates' gradient at zero, the soft gates of Eq. 3 still pass the learners' gradient to the partitioner.
     */
    @Test
    void hardGatesWithoutGradientStillTrainThePartitioner() {
        Object[] gv = graph(GateGradient.NONE);
        ComputationGraph g = (ComputationGraph) gv[0];
        String vertex = (String) gv[1];
        Map<String, INDArray> before = partitioner(g, vertex);
        g.fit(data());
        double largest = 0;
        for (Map.Entry<String, INDArray> e : partitioner(g, vertex).entrySet()) {
            largest = Math.max(largest, e.getValue().sub(before.get(e.getKey())).amaxNumber().doubleValue());
        }
        assertTrue(largest > 1e-5, "expected the partitioner to move under GateGradient.NONE; largest change " + largest);
    }
}

package org.dl4jpgm.fusion;


import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A user's multimodal graph (an LSTM encoder per modality, late fusion by a MergeVertex) and data for it. */
final class FusionFixtures {

    static final long WIDTH_A = 5;
    static final long WIDTH_B = 3;
    static final long SEQ = 4;
    static final long ENCODED = 6;

    private FusionFixtures() {
    }

    static InputType[] inputTypes() {
        return new InputType[]{InputType.recurrent(WIDTH_A, SEQ), InputType.recurrent(WIDTH_B, SEQ)};
    }

    /** in A, in B -> LSTM encoders -> merge "fusion" -> dense -> softmax output (2 classes). */
    static ComputationGraphConfiguration lateFusion(DataType dt, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(42).dataType(dt).updater(updater)
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(inputTypes())
                .addLayer("encA", new LSTM.Builder().nOut(ENCODED).activation(Activation.TANH).build(), "a")
                .addLayer("encB", new LSTM.Builder().nOut(ENCODED).activation(Activation.TANH).build(), "b")
                .addLayer("poolA", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encA")
                .addLayer("poolB", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encB")
                .addVertex("fusion", new MergeVertex(), "poolA", "poolB")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "fusion")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build();
    }

    /** Small PgM options for tests. */
    static PgmOptions smallPgm(LearnerMode mode, int iterations, GateGradient gate) {
        return PgmOptions.builder().width(4).iterations(iterations).learnerMode(mode).learnerHeads(2).tokenWidth(4)
                .learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).partitionerChunkSize(1).gateGradient(gate)
                .build();
    }

    static FusionSpec pgmSpec(PgmOptions opts) {
        return FusionSpec.builder().pgm(opts).headHeads(2).headFfnSize(8).build();
    }

    /**
     * Examples whose class is the sign of (a's first feature mean) x (b's first feature mean): a paired target that
     * neither modality reveals alone. Modality b's last steps are padded for some examples.
     */
    static MultiDataSetIterator data(int examples, int batch, long seed, DataType dt, boolean masked) {
        Random r = new Random(seed);
        List<MultiDataSet> list = new ArrayList<>();
        for (int start = 0; start < examples; start += batch) {
            int n = Math.min(batch, examples - start);
            INDArray a = Nd4j.create(dt, n, WIDTH_A, SEQ);
            INDArray b = Nd4j.create(dt, n, WIDTH_B, SEQ);
            INDArray y = Nd4j.create(dt, n, 2);
            INDArray mask = Nd4j.ones(dt, n, SEQ);
            for (int i = 0; i < n; i++) {
                double za = r.nextBoolean() ? 1 : -1;
                double zb = r.nextBoolean() ? 1 : -1;
                for (int s = 0; s < SEQ; s++) {
                    for (int d = 0; d < WIDTH_A; d++) {
                        a.putScalar(new long[]{i, d, s}, (d == 0 ? za : 0) + 0.3 * r.nextGaussian());
                    }
                    for (int d = 0; d < WIDTH_B; d++) {
                        b.putScalar(new long[]{i, d, s}, (d == 0 ? zb : 0) + 0.3 * r.nextGaussian());
                    }
                }
                if (masked && i % 3 == 1) {
                    mask.putScalar(i, SEQ - 1, 0.0);
                }
                y.putScalar(i, za * zb > 0 ? 1 : 0, 1.0);
            }
            INDArray[] fm = masked ? new INDArray[]{Nd4j.ones(dt, n, SEQ), mask} : null;
            list.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{a, b}, new INDArray[]{y}, fm, null));
        }
        return new ListIterator(list);
    }

    /** Feed-forward version of {@link #data}: a [B, 5] and b [B, 3], class = sign(a_0 x b_0). */
    static MultiDataSetIterator dataFF(int examples, int batch, long seed, DataType dt) {
        Random r = new Random(seed);
        List<MultiDataSet> list = new ArrayList<>();
        for (int start = 0; start < examples; start += batch) {
            int n = Math.min(batch, examples - start);
            INDArray a = Nd4j.create(dt, n, WIDTH_A);
            INDArray b = Nd4j.create(dt, n, WIDTH_B);
            INDArray y = Nd4j.create(dt, n, 2);
            for (int i = 0; i < n; i++) {
                double za = r.nextBoolean() ? 1 : -1;
                double zb = r.nextBoolean() ? 1 : -1;
                for (int d = 0; d < WIDTH_A; d++) {
                    a.putScalar(i, d, (d == 0 ? za : 0) + 0.3 * r.nextGaussian());
                }
                for (int d = 0; d < WIDTH_B; d++) {
                    b.putScalar(i, d, (d == 0 ? zb : 0) + 0.3 * r.nextGaussian());
                }
                y.putScalar(i, za * zb > 0 ? 1 : 0, 1.0);
            }
            list.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{a, b}, new INDArray[]{y}));
        }
        return new ListIterator(list);
    }

    /** inputs a [B, 5], b [B, 3] -> fusion of {@code spec} -> dense -> softmax output; returns the graph and names. */
    static ComputationGraph ffGraph(FusionSpec spec, IUpdater updater, java.util.function.Consumer<Fused> out) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(42)
                .dataType(DataType.FLOAT).updater(updater).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(InputType.feedForward(WIDTH_A), InputType.feedForward(WIDTH_B));
        Fused f = PgmFusion.add(b, spec, "a", "b");
        b.addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), f.output())
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "dense");
        b.setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        out.accept(f);
        return g;
    }

    static IUpdater adam() {
        return new Adam(1e-2);
    }

    /** PgM straight on the two sequence modalities a and b, then a 2-class softmax output "out"; initialised. */
    static Classifier pgmClassifier(PgmOptions opts, long seed) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(adam()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("a", "b").setInputTypes(inputTypes());
        Fused f = PgmFusion.add(b, pgmSpec(opts), "a", "b");
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                .activation(Activation.SOFTMAX).build(), f.output()).setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return new Classifier(g, f);
    }

    /** A graph and the names of its fusion's vertices. */
    record Classifier(ComputationGraph graph, Fused fused) {
    }
}

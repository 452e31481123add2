package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small graphs over PgM's layers, shared by the tests. */
public final class TestGraphs {

    private TestGraphs() {
    }

    public static InputType inputType(long width, long seq, RNNFormat format) {
        return seq == 0 ? InputType.feedForward(width) : InputType.recurrent(width, seq, format);
    }

    public static ComputationGraphConfiguration.GraphBuilder builder(long seed, IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(updater)
                .weightInit(WeightInit.XAVIER).graphBuilder();
    }

    public static void addOutput(ComputationGraphConfiguration.GraphBuilder b, String from, long width, long seq,
                          RNNFormat format) {
        if (seq == 0) {
            b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                    .nOut(2).build(), from);
        } else {
            b.addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .activation(Activation.IDENTITY).nOut(2).dataFormat(format).build(), from);
        }
        b.setOutputs("out");
    }

    /** in -> partitioner -> output. seq == 0 means feed-forward input. */
    public static ComputationGraph partitioner(long width, long seq, RNNFormat format, int iterations, int chunkSize) {
        ComputationGraphConfiguration.GraphBuilder b = builder(12345, new NoOp()).addInputs("in")
                .setInputTypes(inputType(width, seq, format))
                .addLayer("part", new ModalPartitionerLayer.Builder().iterations(iterations).chunkSize(chunkSize).build(),
                        "in");
        addOutput(b, "part", 4 * width, seq, format);
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /** in ([x ; g], width 2D) -> learner -> output. */
    public static ComputationGraph learner(long width, long seq, RNNFormat format, LearnerMode mode, int chunkSize, int layers) {
        ComputationGraphConfiguration.GraphBuilder b = builder(12345, new NoOp()).addInputs("in")
                .setInputTypes(inputType(2 * width, seq, format))
                .addLayer("learner", new MaskedLearnerLayer.Builder().mode(mode).heads(2).tokenWidth(4).ffnSize(6)
                        .chunkSize(chunkSize).layers(layers).gateGradient(GateGradient.NONE).build(), "in");
        addOutput(b, "learner", width, seq, format);
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /** (uni, paired) -> decoder -> output. */
    public static ComputationGraph decoder(long width, long seq, RNNFormat format) {
        ComputationGraphConfiguration.GraphBuilder b = builder(12345, new NoOp()).addInputs("uni", "paired")
                .setInputTypes(inputType(width, seq, format), inputType(width, seq, format))
                .addVertex("dec", new UniPairedDecoderVertex.Builder().heads(2).ffnSize(6).build(), "uni", "paired");
        addOutput(b, "dec", width, seq, format);
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /** in -> partitioner -> (uni learner, paired learner) -> decoder -> output: all three components chained. */
    public static ComputationGraphConfiguration chainConf(long width, long seq, RNNFormat format, LearnerMode mode,
                                                   GateGradient gateGradient, IUpdater updater) {
        int[] uni = ModalPartitionerLayer.partRange(width, ModalPartitionerLayer.UNI, ModalPartitionerLayer.UNI_GATE);
        int[] paired = ModalPartitionerLayer.partRange(width, ModalPartitionerLayer.PAIRED,
                ModalPartitionerLayer.PAIRED_GATE);
        ComputationGraphConfiguration.GraphBuilder b = builder(12345, updater).addInputs("in")
                .setInputTypes(inputType(width, seq, format))
                .addLayer("part", new ModalPartitionerLayer.Builder().iterations(2).chunkSize(2).build(), "in")
                .addVertex("uniIn", new SubsetVertex(uni[0], uni[1]), "part")
                .addVertex("pairedIn", new SubsetVertex(paired[0], paired[1]), "part")
                .addLayer("uniLearner", new MaskedLearnerLayer.Builder().mode(mode).heads(2).tokenWidth(4).ffnSize(6)
                        .chunkSize(2).gateGradient(gateGradient).build(), "uniIn")
                .addLayer("pairedLearner", new MaskedLearnerLayer.Builder().mode(mode).heads(2).tokenWidth(4)
                        .ffnSize(6).chunkSize(2).gateGradient(gateGradient).build(), "pairedIn")
                .addVertex("dec", new UniPairedDecoderVertex.Builder().heads(2).ffnSize(6).build(), "uniLearner",
                        "pairedLearner");
        addOutput(b, "dec", width, seq, format);
        return b.build();
    }

    public static ComputationGraph chain(long width, long seq, RNNFormat format, LearnerMode mode, GateGradient gateGradient) {
        ComputationGraph g = new ComputationGraph(chainConf(width, seq, format, mode, gateGradient, new NoOp()));
        g.init();
        return g;
    }

    /** Random input in the layout of {@code format}: [B, D, S] (NCW), [B, S, D] (NWC) or [B, D] (seq == 0). */
    public static INDArray input(long mb, long width, long seq, RNNFormat format, long seed) {
        Nd4j.getRandom().setSeed(seed);
        if (seq == 0) {
            return Nd4j.randn(DataType.DOUBLE, mb, width);
        }
        return format == RNNFormat.NWC ? Nd4j.randn(DataType.DOUBLE, mb, seq, width)
                : Nd4j.randn(DataType.DOUBLE, mb, width, seq);
    }

    /** A [B, S] mask with the last steps of example b >= 1 padded (every example keeps at least one step). */
    public static INDArray mask(long mb, long seq) {
        INDArray m = Nd4j.ones(DataType.DOUBLE, mb, seq);
        for (int b = 1; b < mb; b++) {
            for (long s = seq - b; s < seq; s++) {
                if (s >= 1) {
                    m.putScalar(b, s, 0.0);
                }
            }
        }
        return m;
    }

    /**
     * A learner input [x ; g] whose gates are 0.2 or 0.8 (far from the 0.5 threshold), constant inside chunks of
     * {@code chunkSize}, and alternate between chunks so that every step keeps at least one chunk and masks another.
     * (A fully masked attention row is finite but puts every logit near C = -10000, where finite differences lose
     * about four digits; {@code MaskIsolationTest} covers that case.)
     */
    public static INDArray learnerInput(long mb, long width, long seq, RNNFormat format, int chunkSize, long seed) {
        INDArray x = input(mb, width, seq, format, seed);
        INDArray g = x.like();
        long steps = Math.max(seq, 1);
        for (int b = 0; b < mb; b++) {
            for (int s = 0; s < steps; s++) {
                for (int d = 0; d < width; d++) {
                    double v = ((d / chunkSize) + b + s) % 2 == 0 ? 0.8 : 0.2;
                    if (seq == 0) {
                        g.putScalar(new long[]{b, d}, v);
                    } else if (format == RNNFormat.NWC) {
                        g.putScalar(new long[]{b, s, d}, v);
                    } else {
                        g.putScalar(new long[]{b, d, s}, v);
                    }
                }
            }
        }
        int axis = seq != 0 && format == RNNFormat.NWC ? 2 : 1;
        return Nd4j.concat(axis, x, g);
    }
}

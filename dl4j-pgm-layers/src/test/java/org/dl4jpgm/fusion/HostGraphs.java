package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A host graph of the kind the paper transfers PgM into: text {@code [B, 768]} through a dense encoder, audio
 * {@code [B, 5, S]} and vision {@code [B, 20, S]} through LSTM encoders with masked average pooling, a
 * {@code MergeVertex} named {@code fusion}, a dense layer, and a softmax (3 classes) or identity (regression) output;
 * and data for it with variable-length sequences.
 */
final class HostGraphs {

    static final long TEXT = 768;
    static final long AUDIO = 5;
    static final long VISION = 20;
    static final long SEQ = 6;
    static final int CLASSES = 3;

    private HostGraphs() {
    }

    static InputType[] inputTypes() {
        return new InputType[]{InputType.feedForward(TEXT), InputType.recurrent(AUDIO, SEQ),
                InputType.recurrent(VISION, SEQ)};
    }

    static ComputationGraphConfiguration configuration(boolean regression, DataType dt) {
        return new NeuralNetConfiguration.Builder().seed(42).dataType(dt).updater(new Adam(1e-2))
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("text", "audio", "vision").setInputTypes(inputTypes())
                .addLayer("encText", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "text")
                .addLayer("encAudio", new LSTM.Builder().nOut(6).activation(Activation.TANH).build(), "audio")
                .addLayer("encVision", new LSTM.Builder().nOut(6).activation(Activation.TANH).build(), "vision")
                .addLayer("poolAudio", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encAudio")
                .addLayer("poolVision", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "encVision")
                .addVertex("fusion", new MergeVertex(), "encText", "poolAudio", "poolVision")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "fusion")
                .addLayer("out", regression
                        ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build()
                        : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build();
    }

    /** The host, trained for two epochs on {@link #data}. */
    static ComputationGraph trained(boolean regression, DataType dt) {
        ComputationGraph g = new ComputationGraph(configuration(regression, dt));
        g.init();
        MultiDataSetIterator d = data(regression, 24, 8, 1, dt);
        g.fit(d, 2);
        return g;
    }

    /** Small PgM options; gates without a gradient and an attached UPR target where {@code differentiable}. */
    static FusionSpec spec(boolean differentiable) {
        PgmOptions.Builder o = PgmOptions.builder().width(4).iterations(1).learnerMode(LearnerMode.SEQUENCE)
                .learnerHeads(2).tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6)
                .partitionerChunkSize(1);
        if (differentiable) {
            o.gateGradient(GateGradient.NONE).detachUprTarget(false);
        }
        return FusionSpec.builder().pgm(o.build()).headHeads(2).headFfnSize(8).build();
    }

    /**
     * Task labels only: class (or value) from the signs of text's first feature and audio's first feature mean; audio
     * and vision have their last steps padded for some examples (step masks).
     */
    static MultiDataSetIterator data(boolean regression, int examples, int batch, long seed, DataType dt) {
        Random r = new Random(seed);
        List<MultiDataSet> list = new ArrayList<>();
        for (int start = 0; start < examples; start += batch) {
            int n = Math.min(batch, examples - start);
            INDArray text = Nd4j.create(dt, n, TEXT);
            INDArray audio = Nd4j.create(dt, n, AUDIO, SEQ);
            INDArray vision = Nd4j.create(dt, n, VISION, SEQ);
            INDArray audioMask = Nd4j.ones(dt, n, SEQ);
            INDArray visionMask = Nd4j.ones(dt, n, SEQ);
            INDArray y = regression ? Nd4j.create(dt, n, 1) : Nd4j.create(dt, n, CLASSES);
            for (int i = 0; i < n; i++) {
                double zt = r.nextBoolean() ? 1 : -1;
                double za = r.nextBoolean() ? 1 : -1;
                for (int d = 0; d < TEXT; d++) {
                    text.putScalar(i, d, (d == 0 ? zt : 0) + 0.3 * r.nextGaussian());
                }
                for (int s = 0; s < SEQ; s++) {
                    for (int d = 0; d < AUDIO; d++) {
                        audio.putScalar(new long[]{i, d, s}, (d == 0 ? za : 0) + 0.3 * r.nextGaussian());
                    }
                    for (int d = 0; d < VISION; d++) {
                        vision.putScalar(new long[]{i, d, s}, 0.5 * r.nextGaussian());
                    }
                }
                int pad = i % 3;
                for (int s = (int) SEQ - pad; s < SEQ; s++) {
                    audioMask.putScalar(i, s, 0.0);
                    visionMask.putScalar(i, s, 0.0);
                }
                if (regression) {
                    y.putScalar(i, 0, zt + za + 0.1 * r.nextGaussian());
                } else {
                    y.putScalar(i, zt > 0 ? (za > 0 ? 0 : 1) : 2, 1.0);
                }
            }
            list.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{text, audio, vision}, new INDArray[]{y},
                    new INDArray[]{null, audioMask, visionMask}, null));
        }
        return new ListIterator(list);
    }
}

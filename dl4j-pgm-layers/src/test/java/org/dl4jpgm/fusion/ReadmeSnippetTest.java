package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "PgM in place of your fusion step" block is the part of {@link #theReadmeSnippetRuns} between the
 * markers: the test fails when the two differ, and runs the code on a trained host graph ({@link HostGraphs}).
 */
class ReadmeSnippetTest {

    private static final String BEGIN = "// README snippet: begin";
    private static final String END = "// README snippet: end";

    @Test
    void theReadmeShowsExactlyThisTestsCode() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("## PgM in place of your fusion step\\s+```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "README.md: the java block of 'PgM in place of your fusion step'");
        String source = Files.readString(Path.of("src", "test", "java", "org", "dl4jpgm", "fusion",
                "ReadmeSnippetTest.java"), StandardCharsets.UTF_8);
        int from = source.indexOf(BEGIN + "\n") + BEGIN.length() + 1;
        int to = source.lastIndexOf("        " + END);
        String snippet = source.substring(from, to).lines().map(l -> l.startsWith("        ") ? l.substring(8) : l)
                .reduce("", (a, b) -> a + b + "\n");
        assertEquals(snippet, m.group(1), "README.md's snippet and ReadmeSnippetTest's code");
    }

    @Test
    void theReadmeSnippetRuns(@TempDir Path dir) throws Exception {
        ComputationGraph trainedHost = HostGraphs.trained(false, DataType.FLOAT);
        MultiDataSetIterator trainIterator = HostGraphs.data(false, 24, 8, 11, DataType.FLOAT);
        MultiDataSetIterator validIterator = HostGraphs.data(false, 16, 8, 12, DataType.FLOAT);
        MultiDataSet batch = HostGraphs.data(false, 8, 8, 13, DataType.FLOAT).next();
        INDArray textBatch = batch.getFeatures(0);
        INDArray audioBatch = batch.getFeatures(1);
        INDArray visionBatch = batch.getFeatures(2);
        File modelFile = dir.resolve("pgm.zip").toFile();
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("text", "audio").setInputTypes(HostGraphs.inputTypes()[0], HostGraphs.inputTypes()[1])
                .addLayer("encText", new DenseLayer.Builder().nOut(8).build(), "text")
                .addLayer("encAudio", new LSTM.Builder().nOut(6).build(), "audio");

        // README snippet: begin
        // (a) in a trained graph: replace its MergeVertex / ElementWiseVertex / MLP fusion, keep every other weight
        PgmGraph pgm = PgmFusion.replace(trainedHost, "fusion", FusionSpec.builder().build());  // input types from the host
        ComputationGraph graph = pgm.graph();                 // the host's inputs and outputs, nothing added
        graph.fit(trainIterator);                             // your features and task labels: trains 0.5 L_P + L_T (Eq. 12)
        INDArray prediction = graph.outputSingle(textBatch, audioBatch, visionBatch);

        // the paper's two stages (stage 1: L_P alone; stage 2: 0.5 L_P + L_T) on the built graph, no rebuild
        List<EpochRecord> history = new TwoStageTrainer(TrainerOptions.builder().stage1Epochs(2).stage2Epochs(3).build())
                .onEpoch(r -> System.out.println(r.format()))  // UFC, PFC, UPR and the task loss after every epoch
                .fit(pgm, trainIterator, validIterator);
        ModelSerializer.writeModel(graph, modelFile, true);   // α and β in effect are saved with the graph
        PgmGraph restored = PgmGraph.of(ModelSerializer.restoreComputationGraph(modelFile, true));

        // (b) while building a graph: modality encoders "encText", "encAudio" exist in the builder (input types set)
        Fused fused = PgmFusion.add(builder, FusionSpec.builder().build(), "encText", "encAudio");
        builder.addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nOut(7).activation(Activation.SOFTMAX).build(),
                fused.output()).setOutputs("out");
        // README snippet: end

        assertArrayEquals(new long[]{8, HostGraphs.CLASSES}, prediction.shape());
        assertEquals(5, history.size());
        assertTrue(history.get(1).ufc() + history.get(1).pfc() + history.get(1).upr()
                < history.get(0).ufc() + history.get(0).pfc() + history.get(0).upr(), "stage 1 lowers L_P: " + history);
        assertEquals(LossWeights.JOINT, restored.getLossWeights());
        assertEquals(graph.outputSingle(textBatch, audioBatch, visionBatch),
                restored.graph().outputSingle(textBatch, audioBatch, visionBatch));
        ComputationGraph built = new ComputationGraph(builder.build());
        built.init();
        assertEquals(List.of("out"), built.getConfiguration().getNetworkOutputs());
    }
}

package org.dl4jpgm.examples.bench;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepPhasesTest {

    @Test
    void phasesOfEveryStepAddUpToMostOfItsCpuTimeAndTheListenersAreGivenBack() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3))
                .graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(64).nOut(256).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build());
        g.init();
        ScoreIterationListener own = new ScoreIterationListener(1000);
        g.setListeners(own);
        INDArray labels = Nd4j.eye(10).repeat(0, 13).get(NDArrayIndex.interval(0, 128)).castTo(DataType.FLOAT);
        MultiDataSet batch = new MultiDataSet(Nd4j.rand(DataType.FLOAT, 128, 64), labels);
        g.fit(batch);
        int iterations = g.getIterationCount();

        StepPhases phases = new StepPhases();
        var cpu = ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime();
        phases.run(g, batch, 20);
        double totalMs = (cpu.getCurrentThreadCpuTime() - c0) / 1e6;

        List<double[]> steps = phases.steps();
        assertEquals(20, steps.size(), "one entry per step");
        assertEquals(iterations + 20, g.getIterationCount(), "the steps are training steps");
        double sum = 0;
        for (double[] s : steps) {
            for (double phase : s) {
                assertTrue(phase >= 0, "a phase of negative time: a hook not called in its order");
                sum += phase;
            }
            assertTrue(s[1] > 0, "the backward pass takes time");
        }
        assertTrue(sum <= totalMs && sum >= 0.5 * totalMs,
                "the phases cover most of the steps' CPU time: " + sum + " of " + totalMs + " ms");
        assertEquals(List.of(own), List.copyOf(g.getListeners()), "the graph's own listeners, as before");
    }
}

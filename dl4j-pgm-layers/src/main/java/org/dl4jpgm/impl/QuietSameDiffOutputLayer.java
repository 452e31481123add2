package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's SameDiff output-layer runtime, with its gradient function built by {@link QuietGradFunction} (without ND4J
 * 1.0.0-M2.1's line per op on standard output). Everything else is the stock runtime.
 */
public class QuietSameDiffOutputLayer extends SameDiffOutputLayer {

    public QuietSameDiffOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
        }
        QuietGradFunction.ensure(sameDiff, INPUT_KEY);
        return super.backpropGradient(epsilon, workspaceMgr);
    }
}

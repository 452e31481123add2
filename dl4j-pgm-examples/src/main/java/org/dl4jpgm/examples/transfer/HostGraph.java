package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.fusion.Fused;

import java.util.List;

/**
 * A built host model, or a host with its fusion replaced by PgM.
 *
 * @param model  which host
 * @param graph  the initialised graph; its first output is the multimodal task output {@code out}
 * @param fused  the fusion's names: the host's own fusion vertex ({@link HostModel#FUSION}, not PgM) or what
 *               {@code PgmFusion} put in its place
 * @param inputs the modalities it reads
 */
public record HostGraph(HostModel model, ComputationGraph graph, Fused fused, HostInputs inputs) {

    /** The auxiliary outputs after {@code out} (Self-MM's uni-modal heads, MMIM's CPC terms; none for MulT). */
    public List<String> auxiliaryOutputs() {
        List<String> outs = graph.getConfiguration().getNetworkOutputs();
        return List.copyOf(outs.subList(1, outs.size()));
    }
}

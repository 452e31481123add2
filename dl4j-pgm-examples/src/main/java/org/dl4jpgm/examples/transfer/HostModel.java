package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PgmFusion;
import org.dl4jpgm.fusion.PgmGraph;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The three host models of the paper's transfer experiment (Table 4), re-implemented as DL4J graphs of the same
 * structure, each with its own fusion vertex named {@link #FUSION}: {@link #SELF_MM} ({@link SelfMmHost}),
 * {@link #MMIM} ({@link MmimHost}), {@link #MULT} ({@link MultHost}). {@link #build} gives the host;
 * {@link #withPgm(HostGraph, FusionSpec)} the host with its fusion replaced by PgM from the host's configuration,
 * {@link #withPgm(ComputationGraph, HostInputs, FusionSpec)} from a trained host (keeping its trained weights), both
 * through {@link PgmFusion#replace}.
 */
public enum HostModel {
    /** Self-MM-style: concatenation + MLP fusion, one multimodal and M uni-modal tasks, uni-modal labels by ULGM. */
    SELF_MM("Self-MM"),
    /** MMIM-style: concatenation + MLP fusion, CPC mutual-information terms as extra losses. */
    MMIM("MMIM"),
    /** MulT-style: cross-modal attention between every pair of modalities, concatenation as fusion. */
    MULT("MulT");

    /** Name of every host's fusion vertex, the one PgM replaces. */
    public static final String FUSION = "fusion";
    /** Name of every host's multimodal task output (the graph's first output). */
    public static final String OUT = "out";

    private final String label;

    HostModel(String label) {
        this.label = label;
    }

    /**
     * Whether the host's batches must give every sequence input a step mask once one has a mask (ones where the data
     * set has no lengths): MulT projects each sequence with DL4J's {@code Convolution1DLayer}, which in 1.0.0-M2.1
     * throws a NullPointerException on a null mask when other inputs are masked. The other hosts take masks as they
     * come.
     */
    public boolean masksEverySequence() {
        return this == MULT;
    }

    /** The name in tables, e.g. {@code Self-MM}. */
    public String label() {
        return label;
    }

    /**
     * The host for {@code inputs} and {@code target}, initialised from {@code seed}: width D, Adam at the model
     * learning rate of {@code settings}, Xavier initialisation, float32.
     */
    public HostGraph build(HostInputs inputs, TargetSpec target, TrainingSettings settings, HostOptions options,
                           long seed) {
        int d = settings.getWidth();
        GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(settings.getModelLearningRate())).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs(inputs.names().toArray(new String[0])).setInputTypes(inputs.types());
        String[] outputs = switch (this) {
            case SELF_MM -> SelfMmHost.add(b, inputs, target, d);
            case MMIM -> MmimHost.add(b, inputs, target, d, options.cpcWeight());
            case MULT -> MultHost.add(b, inputs, target, d, options.attentionHeads());
        };
        b.setOutputs(outputs);
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        long width = g.getConfiguration().clone().getLayerActivationTypes(inputs.types()).get(FUSION)
                .arrayElementsPerExample();
        return new HostGraph(this, g, new Fused(FUSION, width, null), inputs);
    }

    /**
     * The host's configuration with its fusion replaced by {@code spec} (PgM), initialised afresh from the host's
     * seed. The fused output keeps the replaced fusion's width (the spec's head width is set to 0), so the layers
     * after it are unchanged.
     */
    public static HostGraph withPgm(HostGraph host, FusionSpec spec) {
        PgmFusion.Replacement r = PgmFusion.replace(host.graph().getConfiguration(), FUSION, keepWidth(spec),
                host.inputs().types());
        ComputationGraph g = new ComputationGraph(r.configuration());
        g.init();
        return new HostGraph(host.model(), g, r.fused(), host.inputs());
    }

    /**
     * A trained host with its fusion replaced by {@code spec} (PgM): every other vertex keeps its trained weights bit
     * for bit (fine-tuning starts from them); PgM and its head are initialised afresh.
     */
    public HostGraph withPgm(ComputationGraph trained, HostInputs inputs, FusionSpec spec) {
        InputType[] types = inputs.types();
        PgmGraph p = PgmFusion.replace(trained, FUSION, keepWidth(spec), types);
        return new HostGraph(this, p.graph(), p.fused(), inputs);
    }

    private static FusionSpec keepWidth(FusionSpec spec) {
        return spec.toBuilder().headHidden(0).build();
    }
}

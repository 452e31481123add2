package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.BoundBatchNormalization;
import org.dl4jpgm.conf.ModalityPackVertex;
import org.dl4jpgm.conf.PgmHeadLayer;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.conf.PgmLayerRuntime;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.conf.Layouts;
import org.dl4jpgm.impl.GraphUpdaters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drop-in API: puts PgM (or a Table 2 baseline) in place of the fusion step of a DL4J {@code ComputationGraph}.
 * <ul>
 *   <li>{@link #add}: adds the fusion to a {@code GraphBuilder}, given the names of the modality vertices, and returns
 *   the name of the fused output ({@link Fused#output()}, {@code [B, H]});</li>
 *   <li>{@link #replace(ComputationGraphConfiguration, String, FusionSpec, InputType...)}: in a copy of an existing
 *   configuration, replaces a named fusion vertex (a {@code MergeVertex}, an {@code ElementWiseVertex}, or an MLP
 *   fusion: a layer fed by a merge) with the chosen fusion, keeping everything else;</li>
 *   <li>{@link #replace(ComputationGraph, String, FusionSpec, InputType...)}: the same for a trained graph, which keeps
 *   the trained weights of everything else, and returns a {@link PgmGraph} handle.</li>
 * </ul>
 * The graph keeps the outputs it had: PgM's objective L_P reaches the gradients through the PgM layer's backward pass
 * ({@link PgmLayerRuntime}), so {@code fit} takes the user's features and task labels as before. The weights of Eq. 12
 * are set on the built graph ({@link PgmGraph#setLossWeights}); {@link org.dl4jpgm.train.TwoStageTrainer} runs the paper's two stages.
 */
public final class PgmFusion {

    /** Name suffixes of what {@link #add} puts in a graph for PgM, after the {@link FusionSpec#getPrefix() prefix}. */
    static final String PGM = "Pgm";
    static final String PACK = "Modalities";
    static final String FEATURES = "Features";
    static final String NORM = "FeaturesNorm";
    static final String DROPOUT = "FeaturesDropout";
    static final String HEAD = "Head";

    private PgmFusion() {
    }

    /** The prefix of the names {@link #add} gave, from the name of its PgM layer ({@code <prefix>Pgm}). */
    static String prefixOf(String pgmVertex) {
        if (!pgmVertex.endsWith(PGM)) {
            throw new IllegalArgumentException("PgmFusion: expected a PgM layer named <prefix>" + PGM + ", found '"
                    + pgmVertex + "'");
        }
        return pgmVertex.substring(0, pgmVertex.length() - PGM.length());
    }

    /**
     * Adds the fusion of {@code spec} over the given modality vertices.
     *
     * @param b              a builder whose network input types are set ({@code setInputTypes})
     * @param spec           what to build
     * @param modalityInputs names of the vertices (or network inputs) that carry each modality's representation
     * @return names of what was added; for PgM the objective output is already appended to the network outputs
     */
    public static Fused add(GraphBuilder b, FusionSpec spec, String... modalityInputs) {
        if (b.getNetworkInputTypes() == null || b.getNetworkInputTypes().size() != b.getNetworkInputs().size()) {
            throw new IllegalArgumentException("PgmFusion: the graph builder needs its input types "
                    + "(GraphBuilder.setInputTypes) to size the fusion; found " + b.getNetworkInputTypes() + " for inputs "
                    + b.getNetworkInputs());
        }
        return add(b, spec, 0, b.getLayerActivationTypes(), modalityInputs);
    }

    private static Fused add(GraphBuilder b, FusionSpec spec, long replacedWidth, Map<String, InputType> types,
                             String... modalityInputs) {
        if (modalityInputs.length < 2) {
            throw new IllegalArgumentException("PgmFusion: fusion needs M >= 2 modality inputs, found "
                    + Arrays.toString(modalityInputs));
        }
        InputType[] in = new InputType[modalityInputs.length];
        for (int m = 0; m < in.length; m++) {
            in[m] = types.get(modalityInputs[m]);
            if (in[m] == null) {
                throw new IllegalArgumentException("PgmFusion: unknown modality vertex '" + modalityInputs[m]
                        + "'; the graph has " + types.keySet());
            }
        }
        String p = spec.getPrefix();
        for (String name : List.of(p + PACK, p + PGM, p + HEAD, p + FEATURES, p + NORM)) {
            if (b.getVertices().containsKey(name)) {
                throw new IllegalArgumentException("PgmFusion: the graph already has a vertex '" + name + "'; choose another "
                        + "FusionSpec prefix");
            }
        }
        return switch (spec.getType()) {
            case PGM -> addPgm(b, spec, replacedWidth, in, modalityInputs);
            default -> BaselineFusions.add(b, spec, in, modalityInputs);
        };
    }

    private static Fused addPgm(GraphBuilder b, FusionSpec spec, long replacedWidth, InputType[] in, String[] inputs) {
        String p = spec.getPrefix();
        int modalities = inputs.length;
        PgmOptions opts = spec.getPgm();
        long[] widths = new long[modalities];
        long[] seqs = new long[modalities];
        for (int m = 0; m < modalities; m++) {
            widths[m] = Layouts.width(in[m]);
            seqs[m] = ModalityPackVertex.steps(in[m]);
        }
        opts = opts.resolveWidth(widths);
        long d = opts.getWidth();
        b.addVertex(p + PACK, new ModalityPackVertex(), inputs);
        b.addLayer(p + PGM, new PgmLayer(opts, widths, seqs, spec.getModelUpdater(), spec.getLearnerUpdater(),
                spec.getDecoderUpdater()), p + PACK);
        int[] features = PgmLayer.featureRange(modalities, d);
        b.addVertex(p + FEATURES, new SubsetVertex(features[0], features[1]), p + PGM);
        String headInput = p + FEATURES;
        IUpdater headUpdater = spec.getHeadUpdater() != null ? spec.getHeadUpdater() : spec.getModelUpdater();
        if (spec.isHeadInputNormalized()) {
            b.addLayer(p + NORM, BoundBatchNormalization.withUpdater(headUpdater), p + FEATURES);
            headInput = p + NORM;
        }
        if (spec.getHeadDropout() > 0) {
            b.addLayer(p + DROPOUT, dropout(spec.getHeadDropout()), headInput);
            headInput = p + DROPOUT;
        }
        long hidden = spec.getHeadHidden() > 0 ? spec.getHeadHidden() : (replacedWidth > 0 ? replacedWidth : d);
        PgmHeadLayer.Builder head = new PgmHeadLayer.Builder().modalities(modalities).modalityWidth(d).hidden(hidden)
                .heads(spec.getHeadHeads()).ffnSize(spec.getHeadFfnSize());
        if (headUpdater != null) {
            head.updater(headUpdater);
        }
        b.addLayer(p + HEAD, head.build(), headInput);
        return new Fused(p + HEAD, hidden, p + PGM);
    }

    /** A dropout layer that drops each unit with {@code probability} (DL4J's builder takes the probability to keep). */
    static DropoutLayer dropout(double probability) {
        return new DropoutLayer.Builder(1 - probability).build();
    }

    /**
     * A configuration with its fusion replaced, and the names of what was added.
     *
     * @param configuration the new configuration (a deep copy: it shares no object with the one it was made from)
     * @param fused         names of the fused output and the PgM vertex
     */
    public record Replacement(ComputationGraphConfiguration configuration, Fused fused) {
    }

    /**
     * Replaces the fusion vertex {@code fusionVertex} in a deep copy of a configuration (the given one is not changed,
     * and the copy shares no configuration object with it: updaters, layers, pre-processors). The modality inputs are
     * the fusion vertex's inputs (for an MLP fusion, a layer fed by a {@code MergeVertex}, the merge's inputs; both are
     * removed). Every consumer of the old fusion now reads the new fused output, whose width defaults to the old one
     * so their weights stay valid. The network outputs stay as they were.
     *
     * @param networkInputTypes the input types of the graph's inputs; none to infer them from the layers that read each
     *                          input ({@link GraphInputTypes#infer})
     * @throws IllegalArgumentException naming the vertex and listing what the graph has, for an unknown or unsupported
     *                                  fusion vertex; naming the input and its consumer, for input types that do not
     *                                  fit the graph
     */
    public static Replacement replace(ComputationGraphConfiguration conf, String fusionVertex, FusionSpec spec,
                                      InputType... networkInputTypes) {
        ComputationGraphConfiguration copy = ComputationGraphConfiguration.fromJson(conf.toJson());
        Map<String, GraphVertex> vertices = copy.getVertices();
        GraphVertex fusion = vertices.get(fusionVertex);
        if (fusion == null) {
            throw new IllegalArgumentException("PgmFusion: no vertex '" + fusionVertex + "' to replace; the graph has "
                    + vertices.keySet());
        }
        InputType[] types = networkInputTypes.length == 0 ? GraphInputTypes.infer(copy)
                : GraphInputTypes.check(copy, networkInputTypes);
        List<String> removed = new ArrayList<>(List.of(fusionVertex));
        List<String> modalities = new ArrayList<>(copy.getVertexInputs().get(fusionVertex));
        if (fusion instanceof LayerVertex) {
            if (modalities.size() != 1 || !(vertices.get(modalities.get(0)) instanceof MergeVertex)) {
                throw new IllegalArgumentException("PgmFusion: vertex '" + fusionVertex + "' is a layer; an MLP fusion is a "
                        + "layer fed by a MergeVertex, but its inputs are " + modalities + "; the graph's merge and "
                        + "element-wise vertices are " + fusionCandidates(copy));
            }
            removed.add(0, modalities.get(0));
            modalities = new ArrayList<>(copy.getVertexInputs().get(modalities.get(0)));
        } else if (!(fusion instanceof MergeVertex) && !(fusion instanceof ElementWiseVertex)) {
            throw new IllegalArgumentException("PgmFusion: vertex '" + fusionVertex + "' is a "
                    + fusion.getClass().getSimpleName() + "; expected a MergeVertex, an ElementWiseVertex or an MLP "
                    + "fusion (a layer fed by a MergeVertex); the graph's merge and element-wise vertices are "
                    + fusionCandidates(copy));
        }
        Map<String, InputType> activationTypes = copy.clone().getLayerActivationTypes(types);
        long replacedWidth = Layouts.width(activationTypes.get(fusionVertex));

        NeuralNetConfiguration.Builder global = new NeuralNetConfiguration.Builder(copy.getDefaultConfiguration())
                .dataType(copy.getDataType());
        GraphBuilder b = new GraphBuilder(copy, global);
        b.setInputTypes(types);
        Map<String, List<String>> consumers = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : b.getVertexInputs().entrySet()) {
            if (e.getValue().contains(fusionVertex) && !removed.contains(e.getKey())) {
                consumers.put(e.getKey(), e.getValue());
            }
        }
        List<String> outputs = new ArrayList<>(b.getNetworkOutputs());
        for (String r : removed) {
            b.removeVertex(r, false);
        }
        Fused fused = add(b, spec, replacedWidth, activationTypes, modalities.toArray(new String[0]));
        for (Map.Entry<String, List<String>> e : consumers.entrySet()) {
            List<String> rewired = new ArrayList<>();
            for (String s : e.getValue()) {
                rewired.add(s.equals(fusionVertex) ? fused.output() : s);
            }
            b.getVertexInputs().put(e.getKey(), rewired);
            if (b.getVertices().get(e.getKey()) instanceof LayerVertex lv) {
                lv.setPreProcessor(null);    // re-derived for the new fused input type at build()
            }
        }
        outputs.replaceAll(o -> o.equals(fusionVertex) ? fused.output() : o);
        b.setOutputs(outputs.toArray(new String[0]));
        return new Replacement(b.build(), fused);
    }

    /**
     * Replaces the fusion of a trained graph: a new graph with the fusion of {@code spec}, holding copies of the trained
     * parameters of every vertex that it kept (bit-identical). The trained graph is not changed, and the new one shares
     * no configuration object or array with it. Its updater is on {@link GraphUpdaters}' fast paths (DL4J's arithmetic
     * without DL4J M2.1's per-step views, Adam in Java).
     *
     * @param networkInputTypes as for {@link #replace(ComputationGraphConfiguration, String, FusionSpec, InputType...)}
     * @return the new graph with the names of what was added
     */
    public static PgmGraph replace(ComputationGraph trained, String fusionVertex, FusionSpec spec,
                                   InputType... networkInputTypes) {
        Replacement r = replace(trained.getConfiguration(), fusionVertex, spec, networkInputTypes);
        ComputationGraph g = new ComputationGraph(r.configuration());
        g.init();
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex v : g.getVertices()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex old = trained.getVertex(v.getVertexName());
            if (old != null && v.numParams() > 0 && old.numParams() == v.numParams()) {
                v.params().assign(old.params());
            }
        }
        GraphUpdaters.install(g);
        return new PgmGraph(g, r.fused());
    }

    private static List<String> fusionCandidates(ComputationGraphConfiguration conf) {
        List<String> names = new ArrayList<>();
        conf.getVertices().forEach((name, v) -> {
            if (v instanceof MergeVertex || v instanceof ElementWiseVertex) {
                names.add(name + " (" + v.getClass().getSimpleName() + ")");
            }
        });
        return names;
    }
}

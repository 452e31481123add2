package org.dl4jpgm.util;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.FeedForwardBlock;
import org.dl4jpgm.blocks.LayerNormBlock;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.MaskedLearnerBlock;
import org.dl4jpgm.blocks.ModalPartitionerBlock;
import org.dl4jpgm.blocks.MultiHeadAttentionBlock;
import org.dl4jpgm.conf.MaskedLearnerLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter counts of a {@link ComputationGraph}: per vertex (in topological order) and, for vertices whose parameter
 * keys are all PgM block keys (the layers and vertices of {@code org.dl4jpgm.conf}), per component. A component is the
 * key's block prefix plus a short tag: {@code L0attn} (attention of encoder block 0: {@code 4E² + 4E}),
 * {@code L0ln1}, {@code L0ln2} (layer norms: {@code 2E} each), {@code L0ff} (FFN: {@code 2EF + F + E}), {@code part}
 * (partitioner gates: {@code 2(DT + T)}), {@code tok} / {@code out} (FEATURE-mode token embedding and projection),
 * {@code xattn}, {@code ln}, {@code ff} (decoder). The closed forms are in the blocks' Javadoc.
 *
 * <p>{@link #toString()} gives a table; {@link #main} prints the table of the paper's reference learner (Table 5: one
 * Transformer encoder block at D = 768, FFN 3072, 7,087,872 parameters).
 */
public final class ParameterCounts {

    /** Parameter key suffixes of the PgM blocks and the tag each adds to its block prefix to name the component. */
    private static final Map<String, String> SUFFIX_TAGS = new LinkedHashMap<>();

    static {
        for (String s : new String[]{MultiHeadAttentionBlock.WQ, MultiHeadAttentionBlock.BQ, MultiHeadAttentionBlock.WK,
                MultiHeadAttentionBlock.BK, MultiHeadAttentionBlock.WV, MultiHeadAttentionBlock.BV,
                MultiHeadAttentionBlock.WO, MultiHeadAttentionBlock.BO, LayerNormBlock.GAIN, LayerNormBlock.BIAS}) {
            SUFFIX_TAGS.put(s, "");
        }
        for (String s : new String[]{FeedForwardBlock.W1, FeedForwardBlock.B1, FeedForwardBlock.W2, FeedForwardBlock.B2}) {
            SUFFIX_TAGS.put(s, "ff");
        }
        for (String s : new String[]{ModalPartitionerBlock.W_UNI, ModalPartitionerBlock.B_UNI,
                ModalPartitionerBlock.W_PAIRED, ModalPartitionerBlock.B_PAIRED}) {
            SUFFIX_TAGS.put(s, "part");
        }
        for (String s : new String[]{MaskedLearnerBlock.TOKEN_W, MaskedLearnerBlock.TOKEN_B, MaskedLearnerBlock.TOKEN_POS}) {
            SUFFIX_TAGS.put(s, "tok");
        }
        for (String s : new String[]{MaskedLearnerBlock.OUT_W, MaskedLearnerBlock.OUT_B}) {
            SUFFIX_TAGS.put(s, "out");
        }
    }

    /**
     * One vertex: its name, its type (layer or vertex class), its parameter count, and its components (empty for
     * vertices that are not PgM's).
     */
    public record VertexCount(String name, String type, long params, Map<String, Long> components) {
    }

    private final List<VertexCount> vertices;

    private ParameterCounts(List<VertexCount> vertices) {
        this.vertices = Collections.unmodifiableList(vertices);
    }

    /** Counts the parameters of an initialised graph. */
    public static ParameterCounts of(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<VertexCount> rows = new ArrayList<>();
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] all = graph.getVertices();
        for (int idx : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = all[idx];
            if (v.isInputVertex()) {
                continue;
            }
            Map<String, INDArray> table = v.paramTable(false);
            long n = 0;
            for (INDArray a : table.values()) {
                n += a.length();
            }
            rows.add(new VertexCount(v.getVertexName(), typeOf(conf.getVertices().get(v.getVertexName())), n,
                    components(table)));
        }
        return new ParameterCounts(rows);
    }

    private static String typeOf(GraphVertex vertexConf) {
        if (vertexConf instanceof LayerVertex lv) {
            return lv.getLayerConf().getLayer().getClass().getSimpleName();
        }
        return vertexConf == null ? "?" : vertexConf.getClass().getSimpleName();
    }

    /**
     * The component of a PgM parameter key, e.g. {@code L0attnWq -> L0attn}, {@code L1ffW2 -> L1ff},
     * {@code partWu -> part}; null when the key is not a PgM block key.
     */
    public static String component(String key) {
        String best = null;
        for (String suffix : SUFFIX_TAGS.keySet()) {
            if (key.endsWith(suffix) && (best == null || suffix.length() > best.length())) {
                best = suffix;
            }
        }
        return best == null ? null : key.substring(0, key.length() - best.length()) + SUFFIX_TAGS.get(best);
    }

    /** Per-component counts in key order; empty unless every key is a PgM block key. */
    private static Map<String, Long> components(Map<String, INDArray> table) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            String c = component(e.getKey());
            if (c == null) {
                return Map.of();
            }
            out.merge(c, e.getValue().length(), Long::sum);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Vertices with parameters or not, in topological order (inputs left out). */
    public List<VertexCount> vertices() {
        return vertices;
    }

    /** Parameters of the named vertex. */
    public long vertex(String name) {
        return find(name).params();
    }

    /** Per-component parameters of the named vertex (empty for vertices that are not PgM's). */
    public Map<String, Long> components(String name) {
        return find(name).components();
    }

    /** All parameters of the graph. */
    public long total() {
        return vertices.stream().mapToLong(VertexCount::params).sum();
    }

    private VertexCount find(String name) {
        return vertices.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("ParameterCounts: no vertex named '" + name + "'; vertices are "
                        + vertices.stream().map(VertexCount::name).toList()));
    }

    /** A table: one line per vertex, indented lines per component, and the total. */
    @Override
    public String toString() {
        int w = Math.max(12, vertices.stream().mapToInt(v -> v.name().length()).max().orElse(0) + 4);
        for (VertexCount v : vertices) {
            w = Math.max(w, v.components().keySet().stream().mapToInt(c -> c.length() + 4).max().orElse(0));
        }
        String fmt = "%-" + w + "s %-26s %,14d%n";
        StringBuilder sb = new StringBuilder(String.format("%-" + w + "s %-26s %14s%n", "vertex", "type", "parameters"));
        for (VertexCount v : vertices) {
            sb.append(String.format(fmt, v.name(), v.type(), v.params()));
            for (Map.Entry<String, Long> c : v.components().entrySet()) {
                sb.append(String.format(fmt, "  " + c.getKey(), "", c.getValue()));
            }
        }
        sb.append(String.format(fmt, "total", "", total()));
        return sb.toString();
    }

    /**
     * The paper's reference learner (Table 5: "7.08 M" per learner): one SEQUENCE-mode {@link MaskedLearnerLayer}
     * block at width D with F hidden FFN units and the given heads, in FLOAT, on a one-step recurrent input of width
     * 2D ({@code [x ; g]}). The graph's only vertex is the learner (no output layer), so it is for counting and
     * inference only.
     */
    public static ComputationGraph referenceLearner(long width, long ffnSize, int heads) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").setInputTypes(InputType.recurrent(2 * width, 1))
                .addLayer("learner", new MaskedLearnerLayer.Builder().mode(LearnerMode.SEQUENCE).layers(1).heads(heads)
                        .ffnSize(ffnSize).build(), "in")
                .setOutputs("learner").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /**
     * Prints the table of {@link #referenceLearner}. Arguments (optional): D (default 768), F (default 3072), heads
     * (default 12).
     */
    public static void main(String[] args) {
        long width = args.length > 0 ? Long.parseLong(args[0]) : 768;
        long ffn = args.length > 1 ? Long.parseLong(args[1]) : 3072;
        int heads = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        System.out.println("One PgM learner block (SEQUENCE mode), D = " + width + ", F = " + ffn + ", heads = " + heads);
        System.out.print(of(referenceLearner(width, ffn, heads)));
    }
}

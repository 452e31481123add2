package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;

/**
 * Packs the M modality representations and their step masks into one recurrent array, the single input of the
 * {@link PgmLayer} that follows it. DL4J's layers take one input (its own idiom for several is a {@code MergeVertex}
 * before the layer), and only layers count in {@code ComputationGraph.numParams()} and {@code summary()}; this vertex
 * is that merge for inputs of different widths, lengths, layouts and masks. It has no parameters.
 *
 * <p>Inputs: modality m is {@code [B, D_m, S_m]} (NCW), {@code [B, S_m, D_m]} (NWC) or a vector {@code [B, D_m]}, with
 * an optional DL4J mask {@code [B, S_m]} ({@code [B, 1]} for a vector: 0 marks the modality missing for that example).
 * Output, NCW {@code [B, ΣD_m + M, S]} with {@code S = max_m S_m} (a vector counts as one step):
 * <pre>
 *   channels [o_m, o_m + D_m)   x_m at steps [0, S_m), zero after        o_m = D_1 + .. + D_{m-1}
 *   channel  ΣD_m + m           the step mask of x_m (all ones where none is given), zero after S_m
 * </pre>
 * The output mask is the union of the inputs' step masks where every recurrent input has one (null otherwise), as a
 * {@code MergeVertex} gives; a mean-pooling {@link PgmLayer} drops it.
 */
public class ModalityPackVertex extends GraphVertex {

    /** D_m of each input (set from the input types). */
    @JsonProperty
    private long[] widths;
    /** S_m of each input: 0 for a vector, -1 for a sequence of unknown length (set from the input types). */
    @JsonProperty
    private long[] seqLengths;
    /** Layout of each recurrent input (NCW for vectors). */
    @JsonProperty
    private RNNFormat[] formats;

    public ModalityPackVertex() {
    }

    /** Number of packed channels for these modality widths: {@code ΣD_m + M}. */
    public static long channels(long[] widths) {
        return Arrays.stream(widths).sum() + widths.length;
    }

    /** First channel of modality m's features: {@code D_1 + .. + D_{m-1}}. */
    public static long featureOffset(long[] widths, int m) {
        long o = 0;
        for (int i = 0; i < m; i++) {
            o += widths[i];
        }
        return o;
    }

    /** The channel of modality m's step mask: {@code ΣD_m + m}. */
    public static long maskChannel(long[] widths, int m) {
        return Arrays.stream(widths).sum() + m;
    }

    /** S_m of a modality's input type: 0 for a vector, the time series length, or -1 where it is not known. */
    public static long steps(InputType type) {
        if (!(type instanceof InputType.InputTypeRecurrent r)) {
            return 0;
        }
        return r.getTimeSeriesLength() > 0 ? r.getTimeSeriesLength() : -1;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (in.length < 2) {
            throw new InvalidInputTypeException(this + ": PgM needs M >= 2 modality inputs, found " + in.length);
        }
        long[] w = new long[in.length];
        long[] s = new long[in.length];
        RNNFormat[] f = new RNNFormat[in.length];
        long steps = 1;
        boolean known = true;
        for (int m = 0; m < in.length; m++) {
            f[m] = RNNFormat.NCW;
            if (in[m] instanceof InputType.InputTypeFeedForward ff) {
                w[m] = ff.getSize();
            } else if (in[m] instanceof InputType.InputTypeRecurrent r) {
                w[m] = r.getSize();
                s[m] = steps(r);
                f[m] = r.getFormat() == null ? RNNFormat.NCW : r.getFormat();
                known &= s[m] > 0;
                steps = Math.max(steps, s[m]);
            } else {
                throw new InvalidInputTypeException(this + ": input " + m + " must be feed-forward [B, D] or recurrent "
                        + "[B, D, S], found " + in[m]);
            }
            if (w[m] <= 0) {
                throw new InvalidInputTypeException(this + ": input " + m + " has no feature width: " + in[m]);
            }
        }
        widths = w;
        seqLengths = s;
        formats = f;
        return InputType.recurrent(channels(w), known ? steps : -1, RNNFormat.NCW);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        if (widths == null) {
            throw new IllegalStateException("ModalityPackVertex '" + name + "': input widths not known; the graph "
                    + "configuration needs input types (GraphBuilder.setInputTypes)");
        }
        return new ModalityPackGraphVertex(this, graph, name, idx, networkDatatype);
    }

    /** D_m of each input. */
    public long[] getWidths() {
        return widths == null ? null : widths.clone();
    }

    /** S_m of each input: 0 for a vector, -1 for unknown. */
    public long[] getSeqLengths() {
        return seqLengths == null ? null : seqLengths.clone();
    }

    /** Layout of each input. */
    public RNNFormat[] getFormats() {
        return formats == null ? null : formats.clone();
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return Integer.MAX_VALUE;
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, ModalityPackVertex.class, inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public ModalityPackVertex clone() {
        ModalityPackVertex c = new ModalityPackVertex();
        c.widths = getWidths();
        c.seqLengths = getSeqLengths();
        c.formats = getFormats();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModalityPackVertex v && Arrays.equals(widths, v.widths)
                && Arrays.equals(seqLengths, v.seqLengths) && Arrays.equals(formats, v.formats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(widths), Arrays.hashCode(seqLengths), Arrays.hashCode(formats));
    }

    @Override
    public String toString() {
        return "ModalityPackVertex(widths=" + Arrays.toString(widths) + ", seqLengths=" + Arrays.toString(seqLengths)
                + ")";
    }
}

package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.dl4jpgm.conf.Layouts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The input types of a graph's inputs, which a {@code ComputationGraphConfiguration} does not store but its layers
 * imply: a recurrent layer that reads an input directly ({@code LSTM}, {@code SimpleRnn}, wrapped in
 * {@code Bidirectional} or {@code LastTimeStep} too) takes {@code recurrent(nIn)} in its data format, a feed-forward
 * layer ({@code DenseLayer}, {@code EmbeddingLayer}, ...) without a pre-processor takes {@code feedForward(nIn)}.
 * Inputs read by anything else (a vertex, a convolution, a layer with a pre-processor) cannot be inferred.
 */
public final class GraphInputTypes {

    private GraphInputTypes() {
    }

    /**
     * The input type of every network input, in input order.
     *
     * @throws IllegalArgumentException naming the input that cannot be inferred and what reads it
     */
    public static InputType[] infer(ComputationGraphConfiguration conf) {
        List<String> inputs = conf.getNetworkInputs();
        InputType[] types = new InputType[inputs.size()];
        for (int i = 0; i < types.length; i++) {
            String input = inputs.get(i);
            InputType found = null;
            for (String consumer : consumers(conf, input)) {
                InputType t = implied(conf, consumer);
                if (t == null) {
                    throw new IllegalArgumentException("PgmFusion: cannot infer the type of input '" + input + "': it "
                            + "is read by '" + consumer + "' (" + describe(conf.getVertices().get(consumer))
                            + "); give the input types of " + inputs + " to replace(...)");
                }
                found = found == null ? t : found;
            }
            if (found == null) {
                throw new IllegalArgumentException("PgmFusion: cannot infer the type of input '" + input + "': no layer "
                        + "reads it; give the input types of " + inputs + " to replace(...)");
            }
            types[i] = found;
        }
        return types;
    }

    /**
     * Checks given input types against the layers that read each input directly: their count, the width each layer
     * was built for (nIn), and recurrent versus feed-forward.
     *
     * @return {@code types}
     * @throws IllegalArgumentException naming the input, its consumer, what it was built for and what was given
     */
    public static InputType[] check(ComputationGraphConfiguration conf, InputType... types) {
        List<String> inputs = conf.getNetworkInputs();
        if (types.length != inputs.size()) {
            throw new IllegalArgumentException("PgmFusion: expected " + inputs.size() + " input types for " + inputs
                    + ", found " + types.length);
        }
        for (int i = 0; i < types.length; i++) {
            for (String consumer : consumers(conf, inputs.get(i))) {
                InputType implied = implied(conf, consumer);
                if (implied == null) {
                    continue;
                }
                boolean recurrent = implied instanceof InputType.InputTypeRecurrent;
                boolean given = types[i] instanceof InputType.InputTypeRecurrent;
                long width = Layouts.width(types[i]);
                if (recurrent != given || width != Layouts.width(implied)) {
                    throw new IllegalArgumentException("PgmFusion: input '" + inputs.get(i) + "' is given as " + types[i]
                            + ", but '" + consumer + "' (" + describe(conf.getVertices().get(consumer))
                            + ") was built for " + (recurrent ? "recurrent" : "feed-forward") + " input of width "
                            + Layouts.width(implied));
                }
            }
        }
        return types;
    }

    private static List<String> consumers(ComputationGraphConfiguration conf, String input) {
        List<String> c = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(input)) {
                c.add(e.getKey());
            }
        }
        return c;
    }

    /** The input type a vertex reading a network input directly was built for, or null if it does not say. */
    private static InputType implied(ComputationGraphConfiguration conf, String consumer) {
        GraphVertex v = conf.getVertices().get(consumer);
        if (!(v instanceof LayerVertex lv) || lv.getPreProcessor() != null || lv.getLayerConf() == null) {
            return null;
        }
        Layer l = lv.getLayerConf().getLayer();
        RNNFormat format = RNNFormat.NCW;
        while (true) {
            if (l instanceof Bidirectional bi) {
                l = bi.getFwd();
            } else if (l instanceof LastTimeStep lts) {
                l = lts.getUnderlying();
            } else if (l instanceof BaseWrapperLayer w) {
                l = w.getUnderlying();
            } else {
                break;
            }
        }
        if (l instanceof BaseRecurrentLayer r && r.getNIn() > 0) {
            if (r.getRnnDataFormat() != null) {
                format = r.getRnnDataFormat();
            }
            return InputType.recurrent(r.getNIn(), format);
        }
        if (l instanceof org.deeplearning4j.nn.conf.layers.RnnOutputLayer r && r.getNIn() > 0) {
            return InputType.recurrent(r.getNIn(), r.getRnnDataFormat() != null ? r.getRnnDataFormat() : format);
        }
        if (l instanceof FeedForwardLayer f && !(l instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer)
                && f.getNIn() > 0) {
            return InputType.feedForward(f.getNIn());
        }
        return null;
    }

    private static String describe(GraphVertex v) {
        if (v instanceof LayerVertex lv && lv.getLayerConf() != null) {
            return lv.getLayerConf().getLayer().getClass().getSimpleName()
                    + (lv.getPreProcessor() != null ? " with a pre-processor" : "");
        }
        return v == null ? "nothing" : v.getClass().getSimpleName();
    }
}

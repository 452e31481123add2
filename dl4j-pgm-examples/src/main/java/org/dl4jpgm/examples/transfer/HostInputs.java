package org.dl4jpgm.examples.transfer;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.dl4jpgm.datavec.layout.SplitData;

import java.util.List;

/**
 * The modalities a host graph reads, in input order: each a vector {@code [B, D_m]} or a sequence
 * {@code [B, D_m, S_m]} with its step mask {@code [B, S_m]} (1 = keep), as the project's layout iterator gives them.
 *
 * @param names modality names, also the graph's input names
 * @param types one input type per modality ({@code feedForward(D_m)} or {@code recurrent(D_m, S_m)})
 */
public record HostInputs(List<String> names, InputType[] types) {

    /** The modalities of a split, in the given order: rank-2 features are vectors, rank-3 ({@code [N, S, D]}) sequences. */
    public static HostInputs of(SplitData split, List<String> names) {
        InputType[] types = new InputType[names.size()];
        for (int m = 0; m < types.length; m++) {
            long[] s = split.features(names.get(m)).shape();
            types[m] = s.length == 2 ? InputType.feedForward(s[1]) : InputType.recurrent(s[2], s[1]);
        }
        return new HostInputs(List.copyOf(names), types);
    }

    /** Number of modalities M. */
    public int size() {
        return names.size();
    }

    /** Whether modality m is a sequence. */
    public boolean isSequence(int m) {
        return types[m] instanceof InputType.InputTypeRecurrent;
    }

    /**
     * The anchor modality of the pairwise terms (MMIM's text-to-audio and text-to-vision): the one named "text" if
     * there is one, else the first.
     */
    public int anchor() {
        int t = names.indexOf("text");
        return t < 0 ? 0 : t;
    }
}

package org.dl4jpgm.blocks;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Modalities stacked along the batch axis: the G modalities of a group (equal S) run as one tensor
 * {@code [G B, S, D]}, modality-major (rows {@code k B .. (k + 1) B - 1} belong to the group's k-th modality), so
 * that every op of {@link PgmBlock} runs once per group instead of once per modality. Per-(modality, example) terms
 * {@code [G B]} are summed over the group to per-example terms {@code [B]}.
 */
final class ModalityGroups {

    private ModalityGroups() {
    }

    /**
     * Modality indices grouped by equal S, each group in modality order, groups in order of first appearance; one
     * group per modality when {@code stack} is false.
     */
    static List<int[]> bySequenceLength(long[] seqs, boolean stack) {
        Map<Long, List<Integer>> bySeq = new LinkedHashMap<>();
        for (int m = 0; m < seqs.length; m++) {
            bySeq.computeIfAbsent(stack ? seqs[m] : -1L - m, k -> new ArrayList<>()).add(m);
        }
        List<int[]> groups = new ArrayList<>();
        bySeq.values().forEach(l -> groups.add(l.stream().mapToInt(Integer::intValue).toArray()));
        return groups;
    }

    /** {@code [B, S, D]} of each modality in {@code group}, concatenated along the batch axis: {@code [G B, S, D]}. */
    static SDVariable stack(SDVariable[] perModality, int[] group) {
        if (group.length == 1) {
            return perModality[group[0]];
        }
        SDVariable[] parts = new SDVariable[group.length];
        for (int k = 0; k < group.length; k++) {
            parts[k] = perModality[group[k]];
        }
        return parts[0].getSameDiff().concat(0, parts);
    }

    /** The inverse of {@link #stack}: {@code [G B, S, D]} to G tensors {@code [B, S, D]}. */
    static SDVariable[] unstack(SDVariable stacked, int groupSize, long seq, long width) {
        if (groupSize == 1) {
            return new SDVariable[]{stacked};
        }
        return stacked.getSameDiff().unstack(stacked.reshape(groupSize, -1, seq, width), 0, groupSize);
    }

    /** The inverse of {@link #stack} for rows: {@code [G B, D]} to G tensors {@code [B, D]}. */
    static SDVariable[] unstackRows(SDVariable stacked, int groupSize, long width) {
        if (groupSize == 1) {
            return new SDVariable[]{stacked};
        }
        return stacked.getSameDiff().unstack(stacked.reshape(groupSize, -1, width), 0, groupSize);
    }

    /**
     * The step masks of a group stacked like the features ({@code [G B, S]}); null when no modality of the group has
     * one; an all-ones mask stands in for a missing one when others have one.
     *
     * @param in the group's features {@code [B, S, D]} per modality (for the batch size of an all-ones mask)
     */
    static SDVariable stackMasks(List<SDVariable> masks, int[] group, SDVariable[] in, long seq) {
        boolean any = false;
        for (int m : group) {
            any |= masks.get(m) != null;
        }
        if (!any) {
            return null;
        }
        SDVariable[] filled = new SDVariable[masks.size()];
        for (int m : group) {
            filled[m] = masks.get(m) != null ? masks.get(m)
                    : SdOps.constantLike(in[m].sum(2).reshape(-1, seq), 1.0);
        }
        return stack(filled, group);
    }

    /**
     * Per-(modality, example) terms with those of missing modalities set to 0 (multiplied by {@code present}).
     *
     * @param terms   {@code [R G, B]} or {@code [R G B]} (R stacked repeats of the group, e.g. ũ and p̃ for PFC)
     * @param present {@code [G B]} or null (returns {@code terms})
     * @return {@code [R G B]}
     */
    static SDVariable onlyPresent(SDVariable terms, SDVariable present, int repeats) {
        if (present == null) {
            return terms;
        }
        SDVariable flat = terms.reshape(-1);
        SDVariable weights = repeats == 1 ? present : present.getSameDiff().concat(0, present, present);
        return flat.mul(weights);
    }

    /** {@code [G, B]} or {@code [G B]} (modality-major) summed over the G stacked modalities: {@code [B]}. */
    static SDVariable sumOverGroup(SDVariable x, int groupSize) {
        return groupSize == 1 ? x.reshape(-1) : x.reshape(groupSize, -1).sum(0);
    }
}

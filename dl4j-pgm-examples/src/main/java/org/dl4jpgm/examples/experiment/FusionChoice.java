package org.dl4jpgm.examples.experiment;

import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.FusionType;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;
import java.util.Locale;

/**
 * One row of the results table: PgM, a Table 2 baseline, a uni-modal baseline on one modality, or a Table 3 ablation
 * of PgM. {@link #spec} turns it into the {@link FusionSpec} that {@code PgmFusion} builds.
 *
 * @param name     row label (e.g. {@code PGM}, {@code UNI:image}, {@code NO_UFC})
 * @param type     fusion type
 * @param modality modality name for {@code UNI:<m>} (null otherwise, and for the not yet expanded {@code UNIMODAL})
 * @param ablation which PgM component is switched off (null = none)
 */
public record FusionChoice(String name, FusionType type, String modality, String ablation) {

    /** Every accepted name, comma-separated (a constant, for the usage's annotations). */
    public static final String NAMES_TEXT = "PGM,CONCAT,ADD,MAX,LINEAR,MLP,UNIMODAL,UNI:<modality>,NO_PARTITIONER,"
            + "NO_UFC,NO_PFC,NO_UPR";
    /** Every accepted name. */
    public static final List<String> NAMES = List.of(NAMES_TEXT.split(","));

    /** The main job's default, comma-separated: PgM, every Table 2 baseline and every Table 3 ablation. */
    public static final String DEFAULT_LIST_TEXT = "PGM,UNIMODAL,CONCAT,ADD,MAX,LINEAR,MLP,NO_PARTITIONER,NO_UFC,NO_PFC,"
            + "NO_UPR";
    /** PgM, every Table 2 baseline (uni-modal ones for every modality) and every Table 3 ablation. */
    public static final List<String> DEFAULT_LIST = List.of(DEFAULT_LIST_TEXT.split(","));

    /** Parses one name of {@link #NAMES} (case-insensitive). */
    public static FusionChoice parse(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (u.startsWith("UNI:")) {
            String m = s.substring(4);
            if (m.isEmpty()) {
                throw new IllegalArgumentException("MainJob: fusion 'UNI:' needs a modality name, e.g. UNI:image");
            }
            return new FusionChoice("UNI:" + m, FusionType.UNIMODAL, m, null);
        }
        return switch (u) {
            case "PGM", "CONCAT", "ADD", "MAX", "LINEAR", "MLP", "UNIMODAL" ->
                    new FusionChoice(u, FusionType.valueOf(u), null, null);
            case "NO_PARTITIONER", "NO_UFC", "NO_PFC", "NO_UPR" -> new FusionChoice(u, FusionType.PGM, null, u);
            default -> throw new IllegalArgumentException("MainJob: unknown fusion '" + s + "'; expected one of " + NAMES);
        };
    }

    /** {@code UNIMODAL} becomes one {@code UNI:<m>} per modality; a {@code UNI:<m>} is checked against them. */
    public List<FusionChoice> expand(List<String> modalities) {
        if (type == FusionType.UNIMODAL && modality == null) {
            return modalities.stream().map(m -> new FusionChoice("UNI:" + m, FusionType.UNIMODAL, m, null)).toList();
        }
        if (modality != null && !modalities.contains(modality)) {
            throw new IllegalArgumentException("MainJob: fusion " + name + " names modality '" + modality
                    + "'; the dataset has " + modalities);
        }
        return List.of(this);
    }

    /** True for PgM and its ablations (trained in two stages, with objectives). */
    public boolean isPgm() {
        return type == FusionType.PGM;
    }

    /** The paper's Table 3 label of an ablation ("w/o UFC"), else the name. */
    public String label() {
        if (ablation == null) {
            return name.equals("PGM") ? "PgM" : name;
        }
        return "PgM w/o " + switch (ablation) {
            case "NO_PARTITIONER" -> "partitioner";
            case "NO_UFC" -> "UFC";
            case "NO_PFC" -> "PFC";
            default -> "UPR";
        };
    }

    /**
     * The Adam learning rate of this fusion's graph (PgM's: of everything but its learners and decoder): the model
     * part's for PgM and its ablations, {@link TrainingSettings#getBaselineLearningRate()} for a baseline.
     */
    public double learningRate(TrainingSettings o) {
        return isPgm() ? o.getModelLearningRate() : o.getBaselineLearningRate();
    }

    /**
     * The fusion to build.
     *
     * @param o          widths, iterations and learner mode come from here
     * @param modalities the dataset's modality names, in input order
     */
    public FusionSpec spec(TrainingSettings o, List<String> modalities) {
        int d = o.getWidth();
        FusionSpec.Builder b = FusionSpec.builder().type(type).prefix("fusion").baselineWidth(d).mlpHidden(d)
                .headHidden(d).headHeads(2).headFfnSize(2L * d).headInputNormalized(o.isHeadInputNormalized())
                .headDropout(o.getHeadDropout()).baselineDropout(o.getBaselineDropout())
                .modelUpdater(new Adam(learningRate(o))).learnerUpdater(new Adam(o.getLearnerLearningRate()))
                .decoderUpdater(new Adam(o.getDecoderLearningRate()));
        if (modality != null) {
            b.uniModalIndex(modalities.indexOf(modality));
        }
        if (isPgm()) {
            PgmOptions.Builder p = PgmOptions.builder().width(d).iterations(o.getIterations())
                    .learnerMode(o.getLearnerMode()).learnerHeads(2).learnerFfnSize(2L * d).learnerChunkSize(4)
                    .tokenWidth(16).decoderHeads(2).decoderFfnSize(2L * d).partitionerChunkSize(1)
                    .uprSteps(o.getUprSteps()).pairedShareWeight(o.getPairedShareWeight())
                    .gateExclusivityWeight(o.getGateExclusivityWeight())
                    .streamDecorrelationWeight(o.getStreamDecorrelationWeight());
            if (ablation != null) {
                switch (ablation) {
                    case "NO_PARTITIONER" -> p.usePartitioner(false);
                    case "NO_UFC" -> p.useUfc(false);
                    case "NO_PFC" -> p.usePfc(false);
                    default -> p.useUpr(false);
                }
            }
            b.pgm(p.build());
        }
        return b.build();
    }
}

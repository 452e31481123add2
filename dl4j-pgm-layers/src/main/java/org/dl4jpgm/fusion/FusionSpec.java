package org.dl4jpgm.fusion;

import org.dl4jpgm.blocks.PgmOptions;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What {@link PgmFusion} builds in place of a fusion step: the fusion type, PgM's options and head, per-component
 * updaters, and the baselines' settings. Immutable; build with {@link #builder()}. Defaults are the paper's.
 */
public final class FusionSpec {

    private FusionType type = FusionType.PGM;
    private PgmOptions pgm = PgmOptions.builder().build();
    private long headHidden;
    private int headHeads = 2;
    private long headFfnSize;
    private boolean headInputNormalized;
    private IUpdater modelUpdater = new Adam(3e-4);
    private IUpdater learnerUpdater = new Adam(1e-4);
    private IUpdater decoderUpdater = new Adam(1e-3);
    private IUpdater headUpdater;
    private double headDropout;
    private double baselineDropout;
    private long baselineWidth;
    private long mlpHidden;
    private int uniModalIndex;
    private String prefix = "fusion";

    private FusionSpec() {
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.s = copy();
        return b;
    }

    private FusionSpec copy() {
        FusionSpec c = new FusionSpec();
        c.type = type;
        c.pgm = pgm;
        c.headHidden = headHidden;
        c.headHeads = headHeads;
        c.headFfnSize = headFfnSize;
        c.headInputNormalized = headInputNormalized;
        c.modelUpdater = modelUpdater;
        c.learnerUpdater = learnerUpdater;
        c.decoderUpdater = decoderUpdater;
        c.headUpdater = headUpdater;
        c.headDropout = headDropout;
        c.baselineDropout = baselineDropout;
        c.baselineWidth = baselineWidth;
        c.mlpHidden = mlpHidden;
        c.uniModalIndex = uniModalIndex;
        c.prefix = prefix;
        return c;
    }

    /** Fusion type (default PGM). */
    public FusionType getType() { return type; }
    /** PgM's options (used by PGM). */
    public PgmOptions getPgm() { return pgm; }
    /** H, width of the fused output of PgM's head (0 = the width the replaced fusion had, else D). */
    public long getHeadHidden() { return headHidden; }
    /** Attention heads of PgM's head Transformers. */
    public int getHeadHeads() { return headHeads; }
    /** FFN width of PgM's head (0 = 2H). */
    public long getHeadFfnSize() { return headFfnSize; }
    /**
     * Whether a batch normalisation layer ({@code <prefix>FeaturesNorm}, a {@link
     * org.dl4jpgm.conf.BoundBatchNormalization}: DL4J's {@code BatchNormalization} on ops bound once, the same results)
     * standardises PgM's features, per channel, before the head (default false, the paper's head). Stage 1 trains PgM on L_P alone, and the untrained
     * head then maps its features to nearly one output for every example; stage 2 drives the head to the class prior
     * and its ReLUs die. With the features standardised the head learns (docs/design.md, "The head after stage 1",
     * has the measurements). DL4J 1.0.0-M2.1's {@code ComputationGraph.setLearningRate} fails on a graph with a
     * {@code BatchNormalization} layer (docs/dl4j-m2.1-notes.md); set learning rates through the updaters instead.
     */
    public boolean isHeadInputNormalized() { return headInputNormalized; }
    /** Updater of PgM's partitioners, projections, classifiers and head (paper: learning rate 3e-4; null = global). */
    public IUpdater getModelUpdater() { return modelUpdater; }
    /** Updater of the two learners (paper: 1e-4). */
    public IUpdater getLearnerUpdater() { return learnerUpdater; }
    /** Updater of the decoder (paper: 1e-3). */
    public IUpdater getDecoderUpdater() { return decoderUpdater; }
    /**
     * Updater of PgM's head and of the normalisation before it ({@link #isHeadInputNormalized()}); default null: the
     * model updater. Stage 1 leaves the head untrained, so this is where a stage-2 warm-up of the head goes, e.g.
     * {@code org.dl4jpgm.train.StageTwoWarmup.adam(rate, stage1Iterations, k)}. Not used by the baselines.
     */
    public IUpdater getHeadUpdater() { return headUpdater; }
    /**
     * Probability with which each of PgM's (standardised) features is dropped before the head in training, a DL4J
     * {@code DropoutLayer} ({@code <prefix>FeaturesDropout}) after the normalisation; default 0: no layer, the graph
     * as without the option. Not used by the baselines.
     */
    public double getHeadDropout() { return headDropout; }
    /**
     * Probability with which each unit of a baseline's fused output is dropped in training, a DL4J
     * {@code DropoutLayer} ({@code <prefix>Dropout}) between the fusion and the layers that read it: the baselines'
     * counterpart of {@link #getHeadDropout()}, so that a comparison can regularise every fusion alike. Default 0: no
     * layer, the graph as without the option. Not used by PGM.
     */
    public double getBaselineDropout() { return baselineDropout; }
    /** Common width of ADD / MAX / LINEAR baselines (0 = the largest input width). */
    public long getBaselineWidth() { return baselineWidth; }
    /** Hidden width of the MLP baseline (0 = the sum of input widths). */
    public long getMlpHidden() { return mlpHidden; }
    /** The modality kept by UNIMODAL. */
    public int getUniModalIndex() { return uniModalIndex; }
    /** Prefix of the names of every vertex the fusion adds (default "fusion"). */
    public String getPrefix() { return prefix; }

    /** Whether {@code p} is a dropout probability: in [0, 1) (1 would drop everything). */
    public static boolean isDropProbability(double p) {
        return p >= 0 && p < 1;
    }

    private static void requireDropProbability(String key, double p) {
        if (!isDropProbability(p)) {
            throw new IllegalArgumentException("FusionSpec: " + key + " is a probability in [0, 1); found " + p);
        }
    }

    @Override
    public String toString() {
        return "FusionSpec(" + type + (type == FusionType.PGM ? ", " + pgm : "")
                + (type == FusionType.UNIMODAL ? ", modality " + uniModalIndex : "") + ")";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private FusionSpec s = new FusionSpec();

        public Builder type(FusionType v) { s.type = v; return this; }
        public Builder pgm(PgmOptions v) { s.pgm = v; return this; }
        public Builder headHidden(long v) { s.headHidden = v; return this; }
        public Builder headHeads(int v) { s.headHeads = v; return this; }
        public Builder headFfnSize(long v) { s.headFfnSize = v; return this; }
        public Builder headInputNormalized(boolean v) { s.headInputNormalized = v; return this; }
        public Builder modelUpdater(IUpdater v) { s.modelUpdater = v; return this; }
        public Builder learnerUpdater(IUpdater v) { s.learnerUpdater = v; return this; }
        public Builder decoderUpdater(IUpdater v) { s.decoderUpdater = v; return this; }
        public Builder headUpdater(IUpdater v) { s.headUpdater = v; return this; }
        public Builder headDropout(double v) { s.headDropout = v; return this; }
        public Builder baselineDropout(double v) { s.baselineDropout = v; return this; }
        public Builder baselineWidth(long v) { s.baselineWidth = v; return this; }
        public Builder mlpHidden(long v) { s.mlpHidden = v; return this; }
        public Builder uniModalIndex(int v) { s.uniModalIndex = v; return this; }
        public Builder prefix(String v) { s.prefix = v; return this; }

        public FusionSpec build() {
            FusionSpec r = s.copy();
            if (r.type == null || r.pgm == null || r.prefix == null || r.prefix.isEmpty()) {
                throw new IllegalArgumentException("FusionSpec: type, pgm options and a non-empty prefix are required; "
                        + "found type = " + r.type + ", pgm = " + r.pgm + ", prefix = '" + r.prefix + "'");
            }
            requireDropProbability("headDropout", r.headDropout);
            requireDropProbability("baselineDropout", r.baselineDropout);
            if (r.headHidden < 0 || r.headHeads < 1 || r.headFfnSize < 0 || r.baselineWidth < 0 || r.mlpHidden < 0
                    || r.uniModalIndex < 0) {
                throw new IllegalArgumentException("FusionSpec: sizes must be >= 0 and headHeads >= 1; found headHidden = "
                        + r.headHidden + ", headHeads = " + r.headHeads + ", headFfnSize = " + r.headFfnSize
                        + ", baselineWidth = " + r.baselineWidth + ", mlpHidden = " + r.mlpHidden
                        + ", uniModalIndex = " + r.uniModalIndex);
            }
            return r;
        }
    }
}

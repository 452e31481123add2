package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.LinearFusionLayer;
import org.dl4jpgm.conf.ModalityPackVertex;
import org.dl4jpgm.conf.PgmHeadLayer;
import org.dl4jpgm.conf.PgmLayer;

/** The fusion choices of the paper's Table 2, PgM included, all built by {@link PgmFusion}. */
public enum FusionType {
    /** PgM: {@link ModalityPackVertex}, {@link PgmLayer} and the head of Eq. 13-14 ({@link PgmHeadLayer}). */
    PGM,
    /** Concatenation of the (pooled) modality vectors. */
    CONCAT,
    /** Element-wise sum (after projection to a common width when widths differ). */
    ADD,
    /** Element-wise maximum (after projection to a common width when widths differ). */
    MAX,
    /** Learned linear combination {@code Σ_m w_m x_m} ({@link LinearFusionLayer} after a {@code MergeVertex}). */
    LINEAR,
    /** Concatenation followed by a hidden dense layer. */
    MLP,
    /** One chosen modality only ({@link FusionSpec#getUniModalIndex()}). */
    UNIMODAL
}

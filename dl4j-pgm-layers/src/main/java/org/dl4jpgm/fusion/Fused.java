package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.PgmLayer;

/**
 * What {@link PgmFusion} added to a graph.
 *
 * @param output    name of the vertex with the fused representation {@code [B, width]}: connect the task layers here
 * @param width     its width
 * @param pgmVertex name of the graph vertex holding the {@link PgmLayer} (whose objective channels carry UFC, PFC,
 *                  UPR), or null for baselines
 */
public record Fused(String output, long width, String pgmVertex) {

    /** Whether the fusion is PgM (it has PgM's objective L_P). */
    public boolean isPgm() {
        return pgmVertex != null;
    }
}

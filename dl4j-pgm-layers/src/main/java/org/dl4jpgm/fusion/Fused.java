package org.dl4jpgm.fusion;

/**
 * What {@link PgmFusion} added to a graph.
 *
 * @param output          name of the vertex with the fused representation {@code [B, width]}: connect the task
 *                        layers here
 * @param width           its width
 * @param objectiveOutput name of the {@link PgmObjectiveOutputLayer} (a graph output, already registered), or null
 *                        for fusions without PgM's objective
 * @param pgmVertex       name of the {@link PgmVertex}, or null for baselines
 */
public record Fused(String output, long width, String objectiveOutput, String pgmVertex) {
}

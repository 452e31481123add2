/**
 * The drop-in API: PgM (or a Table 2 baseline) in place of the fusion step of a DL4J {@code ComputationGraph}.
 * {@link org.dl4jpgm.fusion.PgmFusion} adds a fusion to a graph builder, or replaces the fusion vertex of a
 * configuration or a trained graph; {@link org.dl4jpgm.fusion.FusionSpec} (with {@link org.dl4jpgm.fusion.FusionType})
 * says what to build; {@link org.dl4jpgm.fusion.Fused} and {@link org.dl4jpgm.fusion.PgmGraph} name what was added,
 * and {@code PgmGraph} switches Eq. 12's stages on the built graph; {@link org.dl4jpgm.fusion.GraphInputTypes} infers
 * and checks a trained graph's input types; {@link org.dl4jpgm.fusion.PartitionStatistics} reads the uni/paired
 * shares of Fig. 4. Depends on {@code conf} (what it puts in the graph), {@code blocks} and {@code impl}; training is
 * in {@code org.dl4jpgm.train}, which depends on this package.
 */
package org.dl4jpgm.fusion;

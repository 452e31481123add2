/**
 * Utilities around graphs built with PgM's layers: {@link org.dl4jpgm.util.ParameterCounts} reports parameter counts
 * per vertex and, inside PgM's layers and vertices, per component (attention, layer norms, FFN, partitioner gates,
 * token embedding).
 */
package org.dl4jpgm.util;

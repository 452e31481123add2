/**
 * DL4J configurations of PgM's components, usable one by one in a {@code ComputationGraph}:
 * {@link org.dl4jpgm.conf.ModalPartitionerLayer}, {@link org.dl4jpgm.conf.MaskedLearnerLayer} and
 * {@link org.dl4jpgm.conf.UniPairedDecoderVertex}. Inputs are {@code [B, D, S]} (NCW), {@code [B, S, D]} (NWC) or
 * feed-forward {@code [B, D]}; sequence masks are {@code [B, S]}, 1 = real step, 0 = padding.
 */
package org.dl4jpgm.conf;

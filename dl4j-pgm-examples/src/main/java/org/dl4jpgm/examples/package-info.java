/**
 * Runnable mains. {@link org.dl4jpgm.examples.Demo} builds a two-modality graph with PgM's partitioner, learners and
 * decoder and trains it a few steps on generated data.
 */
package org.dl4jpgm.examples;

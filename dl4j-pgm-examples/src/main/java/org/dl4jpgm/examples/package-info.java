/**
 * Runnable mains. {@link org.dl4jpgm.examples.MainJob} (the README's first command) trains PgM, the Table 2 baselines
 * and the Table 3 ablations on a dataset in the project's layout and writes tables and figures.
 * {@link org.dl4jpgm.examples.Demo} builds a two-modality graph with PgM's partitioner, learners and decoder and trains
 * it a few steps on generated data.
 */
package org.dl4jpgm.examples;

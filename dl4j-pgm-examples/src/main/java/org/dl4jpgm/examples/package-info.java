/**
 * Runnable mains. {@link org.dl4jpgm.examples.MainJob} (the README's first command) trains PgM, the Table 2 baselines
 * and the Table 3 ablations on a dataset in the project's layout and writes tables and figures.
 * {@link org.dl4jpgm.examples.Demo} builds a two-modality graph with PgM's partitioner, learners and decoder and trains
 * it a few steps on generated data. {@link org.dl4jpgm.examples.tasks} holds one main per task of the paper (MSA, MERC,
 * CR, ITC), each on its dataset as distributed; {@link org.dl4jpgm.examples.predict.Predict} runs a model a main saved.
 * Every command line is a picocli command ({@link org.dl4jpgm.examples.cli}).
 */
package org.dl4jpgm.examples;

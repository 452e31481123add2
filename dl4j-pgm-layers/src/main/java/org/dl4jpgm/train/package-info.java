/**
 * Training a graph with PgM: {@link org.dl4jpgm.train.TwoStageTrainer} runs the paper's two stages (Eq. 12's weights
 * switched on the built graph) with {@link org.dl4jpgm.train.TrainerOptions}, writes and resumes
 * {@link org.dl4jpgm.train.TrainingCheckpoint}s, stops on non-finite values ({@link org.dl4jpgm.train.NonFiniteWatchdog},
 * {@link org.dl4jpgm.train.TrainingDivergedException}) and records each epoch ({@link org.dl4jpgm.train.EpochRecord});
 * {@link org.dl4jpgm.train.PgmObjectiveListener} reports UFC, PFC and UPR during any DL4J {@code fit}. Depends on
 * {@code fusion} (the {@code PgmGraph} handle) and {@code conf}.
 */
package org.dl4jpgm.train;

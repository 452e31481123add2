/**
 * The experiment engine the main job, the task mains, the benchmarks and the Spark job share: the fusion rows
 * ({@link org.dl4jpgm.examples.experiment.FusionChoice}: PgM, a Table 2 baseline or a Table 3 ablation, as a
 * {@code FusionSpec}), one build / train / evaluate run ({@link org.dl4jpgm.examples.experiment.ExperimentRunner}
 * with its {@link org.dl4jpgm.examples.experiment.TrainingSettings}), its result
 * ({@link org.dl4jpgm.examples.experiment.RunResult}, {@link org.dl4jpgm.examples.experiment.TaskMetrics}) and DL4J's
 * training statistics of a run ({@link org.dl4jpgm.examples.experiment.TrainingStats}).
 */
package org.dl4jpgm.examples.experiment;

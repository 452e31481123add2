/**
 * The parts of {@link org.dl4jpgm.examples.MainJob}: its options ({@link org.dl4jpgm.examples.mainjob.MainJobOptions}),
 * the fusion rows ({@link org.dl4jpgm.examples.mainjob.FusionChoice}), one training/evaluation run
 * ({@link org.dl4jpgm.examples.mainjob.ExperimentRunner}), the Table 2/3 results table
 * ({@link org.dl4jpgm.examples.mainjob.ResultsTable}), the XChart figures ({@link org.dl4jpgm.examples.mainjob.Figures})
 * and DL4J's training statistics of a run ({@link org.dl4jpgm.examples.mainjob.TrainingStats}).
 */
package org.dl4jpgm.examples.mainjob;

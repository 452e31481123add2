/**
 * What only {@link org.dl4jpgm.examples.MainJob} uses: its options
 * ({@link org.dl4jpgm.examples.mainjob.MainJobOptions}), the Table 2/3 results table
 * ({@link org.dl4jpgm.examples.mainjob.ResultsTable}) and the XChart figures
 * ({@link org.dl4jpgm.examples.mainjob.Figures}). The training and evaluation it shares with the task mains is in
 * {@code org.dl4jpgm.examples.experiment}.
 */
package org.dl4jpgm.examples.mainjob;

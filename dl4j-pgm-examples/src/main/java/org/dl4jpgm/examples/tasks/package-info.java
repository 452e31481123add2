/**
 * One example main per task of the paper (Sec. 4.1, Table 1), each on its dataset as distributed: it exports the data
 * with the dataset's reader into the project's layout, builds {@code inputs -> PgM -> head -> dense -> out} with
 * {@link org.dl4jpgm.examples.experiment.ExperimentRunner}, trains it in PgM's two stages (Eq. 12) and prints the task's
 * metrics in the layout of Table 2.
 * <ul>
 *   <li>{@link org.dl4jpgm.examples.tasks.MsaMain}: multimodal sentiment analysis, CMU-MOSI (MMSA pickles);</li>
 *   <li>{@link org.dl4jpgm.examples.tasks.MercMain}: multimodal emotion recognition in conversation, MELD;</li>
 *   <li>{@link org.dl4jpgm.examples.tasks.CrossModalRetrievalMain}: cross-modal retrieval, Wikipedia (.mat or raw);</li>
 *   <li>{@link org.dl4jpgm.examples.tasks.ImageTextClassificationMain}: image-text classification, UPMC Food-101.</li>
 * </ul>
 * Shared parts: the options ({@link org.dl4jpgm.examples.tasks.TaskOptions}), training
 * ({@link org.dl4jpgm.examples.tasks.TaskRunner}) and the printed row ({@link org.dl4jpgm.examples.tasks.TaskReport}).
 * Command lines: docs/tasks.md.
 */
package org.dl4jpgm.examples.tasks;

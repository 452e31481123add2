/**
 * Saved models and predictions: {@link org.dl4jpgm.examples.predict.SavedModel} (a trained graph with what it was
 * trained on: options, modality shapes, the data set's fingerprint, the standardisation) and
 * {@link org.dl4jpgm.examples.predict.Predict} (runs a saved model on a data set in the project's layout, writes the
 * predictions as CSV, prints the metrics).
 */
package org.dl4jpgm.examples.predict;

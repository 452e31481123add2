/**
 * The paper's evaluation metrics: {@link org.dl4jpgm.eval.MosiMetrics} (MSA regression), {@link
 * org.dl4jpgm.eval.ClassificationMetrics} (MERC, ITC: accuracy and weighted F1 through DL4J's Evaluation) and
 * {@link org.dl4jpgm.eval.RetrievalMetrics} (CR: MAP and Precision@10 by category), and {@link org.dl4jpgm.eval.RidgeProbe}, a closed-form
 * linear probe of learned features (held-out R² or accuracy).
 */
package org.dl4jpgm.eval;

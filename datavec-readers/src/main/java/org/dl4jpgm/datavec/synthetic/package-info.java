/**
 * Seeded, streaming synthetic multimodal data: {@link org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator}
 * makes M modalities (widths D, sequence lengths S and nuisance channels per modality) whose targets depend on a
 * uni-modal factor per modality and on a paired factor that only two modalities together reveal;
 * {@link org.dl4jpgm.datavec.synthetic.SyntheticMultiDataSetIterator} streams it as DL4J MultiDataSets
 * (features [B, D] or [B, D, S], masks [B, S] with 1 = keep, 0 = masked; one-hot labels [B, K]) and
 * {@link org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter} writes it in the project's dataset layout.
 */
package org.dl4jpgm.datavec.synthetic;

/**
 * The project's own dataset layout: a {@code dataset.json} ({@link org.dl4jpgm.datavec.layout.DatasetDescriptor}),
 * one numpy {@code .npy} per modality per split ([N, D] or [N, S, D], float32, optional {@code <name>_lengths.npy}),
 * {@code labels.csv} (header {@code id,label}) as the default target and optional extra target CSVs.
 * {@link org.dl4jpgm.datavec.layout.LayoutWriter} writes it, {@link org.dl4jpgm.datavec.layout.LayoutReader} reads and
 * validates it, and {@link org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator} feeds one split to DL4J:
 * features [B, D] or [B, D, S] (NCW) with masks [B, S] (1 = keep, 0 = masked), labels one-hot [B, K] or [B, 1].
 */
package org.dl4jpgm.datavec.layout;

/**
 * The on-disk feature cache: encoders run over a dataset once; their features [N, ...] are stored as a numpy
 * {@code .npy} file beside a JSON header naming the encoder's identity, the dataset's fingerprint and the
 * data's SHA-256 ({@link org.dl4jpgm.datavec.cache.FeatureCache}); readers read them back only when all
 * three match ({@link org.dl4jpgm.datavec.cache.CachedFeatureRecordReader}); long extractions show a
 * progress bar with throughput ({@link org.dl4jpgm.datavec.cache.ProgressBar}).
 */
package org.dl4jpgm.datavec.cache;

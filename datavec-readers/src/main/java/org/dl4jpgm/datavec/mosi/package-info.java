/**
 * CMU-MOSI readers: the MMSA pickles ({@code aligned_50.pkl}, {@code unaligned_50.pkl}) and the CMU-MultimodalSDK
 * computational sequences ({@code .csd}, HDF5). Features are served as sequences [S, D] per record (one
 * {@code NDArrayWritable [1, D]} per step), labels as regression scores in [-3, 3].
 */
package org.dl4jpgm.datavec.mosi;

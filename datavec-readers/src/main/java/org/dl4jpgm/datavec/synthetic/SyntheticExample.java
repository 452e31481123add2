package org.dl4jpgm.datavec.synthetic;

/**
 * One generated example: its latent factors and its features.
 *
 * @param uni      uni factor per modality, u_m in 0..uniClasses-1
 * @param pairedA  paired factor of the first paired modality
 * @param pairedB  paired factor of the second paired modality
 * @param features per modality, the row in NCW order flattened: D values (feed-forward) or D*S values
 *                 (channel-major: index c*S + t); padding steps (t &gt;= length) are 0
 * @param lengths  per modality, the true length (S for fixed-length, 0 for feed-forward)
 */
public record SyntheticExample(int[] uni, int pairedA, int pairedB, float[][] features, int[] lengths) {
}

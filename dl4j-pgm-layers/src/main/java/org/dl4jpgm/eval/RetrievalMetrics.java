package org.dl4jpgm.eval;

import java.util.Arrays;
import java.util.Locale;

/**
 * Cross-modal retrieval on Wikipedia (the paper's Table 5), by the standard protocol: every test item of one modality
 * queries all test items of the other; an item is relevant when it has the query's category; items are ranked by
 * cosine similarity (higher first; equal scores keep gallery order, i.e. the lower index ranks first).
 *
 * <ul>
 *   <li>AP of a query: {@code (1/R) sum_k P@k * rel(k)} over the ranked list (R = relevant items retrieved; the whole
 *       gallery unless a cut-off is given); a query with no relevant item has AP = 0 and still counts;</li>
 *   <li>MAP: mean AP over the queries, image&rarr;text and text&rarr;image, and their mean;</li>
 *   <li>Precision@10: mean over queries of the fraction of relevant items among the first 10 (fewer if the gallery
 *       is smaller).</li>
 * </ul>
 * Shapes: image features [N, Di], text features [N, Dt] (in a common space, Di = Dt), categories [N].
 */
public final class RetrievalMetrics {

    /** Rank of the precision cut-off reported ({@value}). */
    public static final int PRECISION_AT = 10;

    private final double mapImageToText;
    private final double mapTextToImage;
    private final double precisionImageToText;
    private final double precisionTextToImage;

    private RetrievalMetrics(double i2t, double t2i, double p10i2t, double p10t2i) {
        this.mapImageToText = i2t;
        this.mapTextToImage = t2i;
        this.precisionImageToText = p10i2t;
        this.precisionTextToImage = p10t2i;
    }

    /**
     * @param image      image representations [N, D]
     * @param text       text representations [N, D], row i paired with image row i
     * @param categories category of pair i [N]
     */
    public static RetrievalMetrics compute(double[][] image, double[][] text, int[] categories) {
        if (image.length != text.length || image.length != categories.length) {
            throw new IllegalArgumentException("RetrievalMetrics: expected as many images, texts and categories, found "
                    + image.length + ", " + text.length + ", " + categories.length);
        }
        double[][] sim = cosine(image, text);
        double[][] simT = new double[text.length][image.length];
        for (int i = 0; i < image.length; i++) {
            for (int j = 0; j < text.length; j++) {
                simT[j][i] = sim[i][j];
            }
        }
        return new RetrievalMetrics(meanAveragePrecision(sim, categories, categories, 0),
                meanAveragePrecision(simT, categories, categories, 0),
                precisionAt(sim, categories, categories, PRECISION_AT),
                precisionAt(simT, categories, categories, PRECISION_AT));
    }

    /** @return cosine similarity [Nq, Ng] of every query row with every gallery row (0 for a zero vector) */
    public static double[][] cosine(double[][] queries, double[][] gallery) {
        double[][] s = new double[queries.length][gallery.length];
        for (int i = 0; i < queries.length; i++) {
            for (int j = 0; j < gallery.length; j++) {
                if (queries[i].length != gallery[j].length) {
                    throw new IllegalArgumentException("RetrievalMetrics: expected equal widths, found query " + i
                            + " of " + queries[i].length + " and gallery " + j + " of " + gallery[j].length);
                }
                double dot = 0;
                double nq = 0;
                double ng = 0;
                for (int k = 0; k < queries[i].length; k++) {
                    dot += queries[i][k] * gallery[j][k];
                    nq += queries[i][k] * queries[i][k];
                    ng += gallery[j][k] * gallery[j][k];
                }
                s[i][j] = nq == 0 || ng == 0 ? 0 : dot / Math.sqrt(nq * ng);
            }
        }
        return s;
    }

    /** @return gallery indices by descending score, ties by ascending index */
    static Integer[] rank(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(scores[b], scores[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order;
    }

    /**
     * @param similarity   score of query i against gallery j [Nq, Ng]
     * @param queryLabels  category per query [Nq]
     * @param galleryLabels category per gallery item [Ng]
     * @param cutoff       rank cut-off k (MAP@k), 0 for the whole gallery
     * @return mean average precision; NaN for no queries
     */
    public static double meanAveragePrecision(double[][] similarity, int[] queryLabels, int[] galleryLabels,
                                              int cutoff) {
        double sum = 0;
        for (int q = 0; q < similarity.length; q++) {
            Integer[] order = rank(similarity[q]);
            int k = cutoff <= 0 ? order.length : Math.min(cutoff, order.length);
            double p = 0;
            int r = 0;
            for (int pos = 0; pos < k; pos++) {
                if (galleryLabels[order[pos]] == queryLabels[q]) {
                    r++;
                    p += r / (double) (pos + 1);
                }
            }
            sum += r == 0 ? 0 : p / r;
        }
        return similarity.length == 0 ? Double.NaN : sum / similarity.length;
    }

    /** @return mean over queries of the fraction of relevant items among the first k (k clipped to Ng) */
    public static double precisionAt(double[][] similarity, int[] queryLabels, int[] galleryLabels, int k) {
        double sum = 0;
        for (int q = 0; q < similarity.length; q++) {
            Integer[] order = rank(similarity[q]);
            int kk = Math.min(k, order.length);
            int rel = 0;
            for (int pos = 0; pos < kk; pos++) {
                if (galleryLabels[order[pos]] == queryLabels[q]) {
                    rel++;
                }
            }
            sum += kk == 0 ? 0 : rel / (double) kk;
        }
        return similarity.length == 0 ? Double.NaN : sum / similarity.length;
    }

    /** @return MAP with images as queries and texts as the gallery */
    public double mapImageToText() {
        return mapImageToText;
    }

    /** @return MAP with texts as queries and images as the gallery */
    public double mapTextToImage() {
        return mapTextToImage;
    }

    /** @return the mean of the two MAPs */
    public double mapMean() {
        return (mapImageToText + mapTextToImage) / 2;
    }

    /** @return Precision@10, image&rarr;text */
    public double precisionAt10ImageToText() {
        return precisionImageToText;
    }

    /** @return Precision@10, text&rarr;image */
    public double precisionAt10TextToImage() {
        return precisionTextToImage;
    }

    /** The paper's Table 5 layout: MAP image&rarr;text, text&rarr;image, average; then Precision@10. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MAP I->T %.4f | T->I %.4f | Avg %.4f | P@10 I->T %.4f | T->I %.4f",
                mapImageToText, mapTextToImage, mapMean(), precisionImageToText, precisionTextToImage);
    }
}

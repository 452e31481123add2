package org.dl4jpgm.examples.features;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model-free image feature: the image averaged down to a {@code side x side} grid (each cell the mean of the source
 * pixels that fall in it; images smaller than the grid repeat pixels), RGB in [0, 1]. Output: a vector
 * [3 * side * side], channel-major ({@code c * side * side + y * side + x}). For runs without the image encoder's model
 * files (tests, smoke runs); colour layout is all it captures.
 *
 * <p>Gray images (one colour component: 8-bit grayscale JPEGs as Pillow writes them, 8- or 16-bit gray PNGs, with or
 * without alpha) are read from their raw samples, each divided by its maximum ({@code 2^bits - 1}), and the three
 * channels get the same value: {@link BufferedImage#getRGB} would convert ImageIO's linear gray colour space to sRGB
 * and brighten every mid-tone. Colour images are read through {@code getRGB} (sRGB, 8 bits per channel).
 */
public final class ThumbnailImageFeatures {

    /** Grid side. */
    private final int side;

    /** @param side grid side (>= 1); the feature width is {@code 3 * side * side} */
    public ThumbnailImageFeatures(int side) {
        if (side < 1) {
            throw new IllegalArgumentException("ThumbnailImageFeatures: side must be >= 1, found " + side);
        }
        this.side = side;
    }

    /** Feature width {@code 3 * side * side}. */
    public int width() {
        return 3 * side * side;
    }

    /**
     * @throws IOException naming the file when it cannot be read or is not an image ImageIO can decode
     */
    public float[] features(Path image) throws IOException {
        BufferedImage img = ImageIO.read(image.toFile());
        if (img == null) {
            throw new IOException("ThumbnailImageFeatures: " + image + ": expected an image ImageIO can decode "
                    + "(JPEG, PNG, GIF, BMP), found none");
        }
        return features(img);
    }

    /** The feature vector of a decoded image. */
    public float[] features(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[width()];
        if (img.getColorModel().getNumColorComponents() == 1) {
            return gray(img, out);
        }
        for (int gy = 0; gy < side; gy++) {
            int y0 = gy * h / side;
            int y1 = Math.max(y0 + 1, (gy + 1) * h / side);
            for (int gx = 0; gx < side; gx++) {
                int x0 = gx * w / side;
                int x1 = Math.max(x0 + 1, (gx + 1) * w / side);
                double r = 0;
                double g = 0;
                double b = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int rgb = img.getRGB(x, y);
                        r += (rgb >> 16) & 0xFF;
                        g += (rgb >> 8) & 0xFF;
                        b += rgb & 0xFF;
                    }
                }
                double n = 255.0 * (y1 - y0) * (x1 - x0);
                int cell = gy * side + gx;
                out[cell] = (float) (r / n);
                out[side * side + cell] = (float) (g / n);
                out[2 * side * side + cell] = (float) (b / n);
            }
        }
        return out;
    }

    /** Gray: the raw samples of band 0 over their maximum, the same value in all three channels. */
    private float[] gray(BufferedImage img, float[] out) {
        java.awt.image.Raster raster = img.getRaster();
        int w = img.getWidth();
        int h = img.getHeight();
        double max = (1L << raster.getSampleModel().getSampleSize(0)) - 1;
        for (int gy = 0; gy < side; gy++) {
            int y0 = gy * h / side;
            int y1 = Math.max(y0 + 1, (gy + 1) * h / side);
            for (int gx = 0; gx < side; gx++) {
                int x0 = gx * w / side;
                int x1 = Math.max(x0 + 1, (gx + 1) * w / side);
                double v = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        v += raster.getSample(x, y, 0);
                    }
                }
                float mean = (float) (v / (max * (y1 - y0) * (x1 - x0)));
                int cell = gy * side + gx;
                out[cell] = mean;
                out[side * side + cell] = mean;
                out[2 * side * side + cell] = mean;
            }
        }
        return out;
    }
}

package org.dl4jpgm.examples.features;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed thumbnails of a 2 x 2 image, and the error for a file that is not an image. */
class ThumbnailImageFeaturesTest {

    private static BufferedImage image() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(0, 1, 0x0000FF);
        img.setRGB(1, 1, 0xFFFFFF);
        return img;
    }

    @Test
    void cellsAreMeanColoursChannelMajor() {
        float[] one = new ThumbnailImageFeatures(1).features(image());
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f}, one, 1e-6f, "each channel: two of four pixels at 255");
        float[] two = new ThumbnailImageFeatures(2).features(image());
        assertEquals(12, two.length);
        assertArrayEquals(new float[]{1, 0, 0, 1, /* G */ 0, 1, 0, 1, /* B */ 0, 0, 1, 1}, two, 1e-6f);
        float[] four = new ThumbnailImageFeatures(4).features(image());
        assertEquals(1f, four[0], 0f, "a grid finer than the image repeats pixels");
        assertEquals(0f, four[3], 0f);
    }

    /** The number of components of a baseline JPEG's frame (SOF0 / SOF2): 1 for grayscale, 3 for colour. */
    private static int jpegComponents(byte[] b) {
        for (int i = 2; i + 9 < b.length; ) {
            int marker = b[i + 1] & 0xFF;
            int len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            if (marker == 0xC0 || marker == 0xC2) {
                return b[i + 9] & 0xFF;
            }
            i += 2 + len;
        }
        return -1;
    }

    @Test
    void grayscaleJpegsAreReadFromTheirRawSamples(@TempDir Path dir) throws IOException {
        // a single-component 8-bit JPEG, as Pillow writes an "L" image: a horizontal ramp, mean about 0.49
        BufferedImage gray = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                gray.getRaster().setSample(x, y, 0, x * 16);
            }
        }
        Path f = dir.resolve("gray.jpg");
        assertTrue(javax.imageio.ImageIO.write(gray, "jpg", f.toFile()));
        assertEquals(1, jpegComponents(Files.readAllBytes(f)), "a grayscale JPEG");
        BufferedImage decoded = javax.imageio.ImageIO.read(f.toFile());
        double raw = 0;
        double viaGetRgb = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                raw += decoded.getRaster().getSample(x, y, 0);
                viaGetRgb += decoded.getRGB(x, y) & 0xFF;
            }
        }
        raw /= 255.0 * 128;
        viaGetRgb /= 255.0 * 128;
        assertTrue(viaGetRgb > raw + 0.1, "getRGB brightens ImageIO's linear gray: " + viaGetRgb + " vs " + raw);
        float[] one = new ThumbnailImageFeatures(1).features(f);
        assertArrayEquals(new float[]{(float) raw, (float) raw, (float) raw}, one, 1e-6f);
        float[] two = new ThumbnailImageFeatures(2).features(f);
        assertEquals(two[0], two[4], 0f, "R = G");
        assertEquals(two[1], two[9], 0f, "R = B");
        assertTrue(two[1] > two[0], "the ramp rises to the right");

        // 16-bit gray (a PNG of mode I;16): samples over 65535
        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(0, 0, 0, 65535);
        g16.getRaster().setSample(1, 0, 0, 0);
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f}, new ThumbnailImageFeatures(1).features(g16), 1e-6f);
    }

    @Test
    void colourJpegsStayAsTheyWere(@TempDir Path dir) throws IOException {
        BufferedImage rgb = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                rgb.setRGB(x, y, (x * 32) << 16 | (y * 32) << 8 | 0x80);
            }
        }
        Path f = dir.resolve("rgb.jpg");
        assertTrue(javax.imageio.ImageIO.write(rgb, "jpg", f.toFile()));
        assertEquals(3, jpegComponents(Files.readAllBytes(f)));
        BufferedImage decoded = javax.imageio.ImageIO.read(f.toFile());
        double[] sum = new double[3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int p = decoded.getRGB(x, y);
                sum[0] += (p >> 16) & 0xFF;
                sum[1] += (p >> 8) & 0xFF;
                sum[2] += p & 0xFF;
            }
        }
        float[] one = new ThumbnailImageFeatures(1).features(f);
        for (int c = 0; c < 3; c++) {
            assertEquals((float) (sum[c] / (255.0 * 64)), one[c], 1e-6f, "channel " + c);
        }
    }

    @Test
    void aFileThatIsNoImageIsNamed(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.jpg");
        Files.writeString(f, "not an image");
        IOException e = assertThrows(IOException.class, () -> new ThumbnailImageFeatures(8).features(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("expected an image"), e.getMessage());
    }
}

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

    @Test
    void aFileThatIsNoImageIsNamed(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.jpg");
        Files.writeString(f, "not an image");
        IOException e = assertThrows(IOException.class, () -> new ThumbnailImageFeatures(8).features(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("expected an image"), e.getMessage());
    }
}

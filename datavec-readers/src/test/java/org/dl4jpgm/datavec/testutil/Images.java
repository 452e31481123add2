package org.dl4jpgm.datavec.testutil;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes tiny real JPEG files for fixtures. */
public final class Images {

    private Images() {
    }

    /** Writes a 4x4 JPEG of one colour at {@code file}, creating parent folders. */
    public static void jpeg(Path file, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        if (!ImageIO.write(img, "jpg", file.toFile())) {
            throw new IOException("no JPEG writer");
        }
    }
}

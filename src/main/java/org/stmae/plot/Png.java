package org.stmae.plot;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.stmae.io.AtomicFile;

/** Writes PNGs atomically, so a reader never sees half a picture. */
public final class Png {
    private Png() {}

    public static void write(BufferedImage img, Path png) throws IOException {
        AtomicFile.write(png, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
        });
    }
}

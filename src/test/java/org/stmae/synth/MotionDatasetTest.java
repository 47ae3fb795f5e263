package org.stmae.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmae.video.RgbFrame;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoReader;

/** The generated motion classes move as their names say, and the files are deterministic and readable. */
class MotionDatasetTest {
    /** A black background frame and a white object frame: the object's pixels are the bright ones. */
    static List<RgbFrame> plainTextures() {
        byte[] black = new byte[80 * 80 * 3], white = new byte[80 * 80 * 3];
        java.util.Arrays.fill(white, (byte) 255);
        return List.of(new RgbFrame(0, 0, 80, 80, black), new RgbFrame(1, 0, 80, 80, white));
    }

    /** Bright-pixel centroid x, y and area of one rendered frame. */
    static double[] blob(byte[] rgb, int size) {
        double sx = 0, sy = 0, n = 0;
        for (int i = 0; i < size * size; i++) {
            double v = (rgb[3 * i] & 0xff) / 255.0;
            sx += v * (i % size);
            sy += v * (i / size);
            n += v;
        }
        return new double[] {sx / n, sy / n, n};
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void translationAndScaleClassesMoveAsNamed(long seed) {
        List<RgbFrame> tex = plainTextures();
        for (String cls : List.of("left", "right", "up", "down", "grow", "shrink")) {
            // Redraw until the object frame is the white one (textures are picked at random).
            byte[][] clip;
            SplittableRandom rng = new SplittableRandom(seed);
            // Black background and white object: the first frame's bright area is the disk (about
            // 360 px, 1430 for shrink); a white background would give more than 2600.
            int tries = 0;
            do clip = MotionDataset.render(cls, 64, 16, tex, 1.0, rng);
            while ((blob(clip[0], 64)[2] < 100 || blob(clip[0], 64)[2] > 2000) && ++tries < 100);
            assertTrue(tries < 100, "no black-background draw in 100 tries");
            double[] a = blob(clip[0], 64), b = blob(clip[15], 64);
            String m = "seed " + seed + " " + cls + ": first " + java.util.Arrays.toString(a) + " last " + java.util.Arrays.toString(b);
            switch (cls) {
                case "left" -> assertTrue(b[0] < a[0] - 20, m);
                case "right" -> assertTrue(b[0] > a[0] + 20, m);
                case "up" -> assertTrue(b[1] < a[1] - 20, m);
                case "down" -> assertTrue(b[1] > a[1] + 20, m);
                case "grow" -> assertTrue(b[2] > 3 * a[2], m);
                default -> assertTrue(b[2] < a[2] / 3, m);
            }
        }
    }

    @Test
    void rotationTurnsTheTextureBothWays() {
        // Object texture bright on its left half only: the bright half turns with the disk. The
        // same seed with an all-white object gives the same geometry, hence the disk's centre.
        byte[] bg = new byte[80 * 80 * 3], half = new byte[80 * 80 * 3], white = new byte[80 * 80 * 3];
        java.util.Arrays.fill(white, (byte) 255);
        for (int i = 0; i < 80 * 80; i++) if (i % 80 < 40) java.util.Arrays.fill(half, 3 * i, 3 * i + 3, (byte) 255);
        List<RgbFrame> halfTex = List.of(new RgbFrame(0, 0, 80, 80, bg), new RgbFrame(1, 0, 80, 80, half));
        List<RgbFrame> fullTex = List.of(new RgbFrame(0, 0, 80, 80, bg), new RgbFrame(1, 0, 80, 80, white));
        String[] classes = {"cw", "ccw"};
        double[] turned = new double[2];
        for (int k = 0; k < 2; k++) {
            long seed = 0;
            byte[][] full;
            do full = MotionDataset.render(classes[k], 64, 9, fullTex, 1.0, new SplittableRandom(++seed));
            while ((blob(full[0], 64)[2] < 100 || blob(full[0], 64)[2] > 800) && seed < 100);
            assertTrue(seed < 100, "no black-background draw in 100 seeds");
            byte[][] clip = MotionDataset.render(classes[k], 64, 9, halfTex, 1.0, new SplittableRandom(seed));
            double[] centre = blob(full[0], 64), c0 = blob(clip[0], 64), c1 = blob(clip[4], 64);
            double a0 = Math.atan2(c0[1] - centre[1], c0[0] - centre[0]), a1 = Math.atan2(c1[1] - centre[1], c1[0] - centre[0]);
            turned[k] = Math.atan2(Math.sin(a1 - a0), Math.cos(a1 - a0));
        }
        // A quarter of the clip turns by about pi/4; image y points down, so clockwise on screen
        // increases the angle.
        assertTrue(turned[0] > 0.4 && turned[1] < -0.4, java.util.Arrays.toString(turned));
    }

    @Test
    void sameSeedSameFilesAndTheLoaderReadsThem(@TempDir Path dir) throws Exception {
        List<RgbFrame> tex = plainTextures();
        var o1 = new MotionDataset.Options(dir.resolve("a"), List.of("left", "cw"), 2, 32, 8, 15, 3, 1.0);
        var o2 = new MotionDataset.Options(dir.resolve("b"), List.of("left", "cw"), 2, 32, 8, 15, 3, 1.0);
        List<Path> a = MotionDataset.generate(o1, tex);
        Thread.sleep(1100); // MP4 header times have 1 s resolution: the files must not carry the clock
        List<Path> b = MotionDataset.generate(o2, tex);
        assertEquals(4, a.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)), a.get(i).toString());
        VideoDataset ds = VideoDataset.labelledFolder(dir.resolve("a"));
        assertEquals(List.of("cw", "left"), ds.classes());
        try (VideoReader r = VideoReader.open(a.get(0))) {
            assertEquals(8, r.frameCount());
            assertEquals(32, r.info().width());
        }
        assertEquals("left\ncw\n", Files.readString(dir.resolve("a").resolve("classes.txt")));
    }
}

package org.stmae.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jcodec.api.SequenceEncoder;
import org.jcodec.common.Codec;
import org.jcodec.common.Format;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rational;
import org.stmae.io.AtomicFile;
import org.stmae.video.RgbFrame;

/**
 * A labelled video dataset whose classes differ only in how a textured object moves: left,
 * right, up, down, clockwise, counter-clockwise, growing, shrinking. Background and object are
 * cut from real photographs (frames of real clips), drawn afresh for every clip, so a single frame
 * says nothing about the class; only motion does. Clips are H.264 MP4 written with jcodec's
 * encoder, read back through the same loader the trainer uses. Deterministic for a seed.
 *
 * <p>Per clip (SPEC.md, synthetic dataset): background = a random size x size crop of a random
 * texture frame; object = a disk of diameter size/3 cut from another random frame at a random
 * spot; start position, speed and phase are random within bounds that keep the object inside
 * the picture. Translation moves the centre by 0.5 size over the clip; rotation turns the
 * texture by 180 degrees; growth and shrinking scale the diameter by 2x over the clip.
 */
public final class MotionDataset {
    private MotionDataset() {}

    public static final List<String> CLASSES = List.of("left", "right", "up", "down", "cw", "ccw", "grow", "shrink");

    /** What to generate. */
    /**
     * @param backgroundContrast scales the background crop's deviations from its own mean colour
     *                           (1 = the photograph as it is; lower makes the object easier to see
     *                           without telling its class)
     */
    public record Options(Path out, List<String> classes, int clipsPerClass, int size, int frames, int fps, long seed,
                          double backgroundContrast) {
        public Options {
            if (!(backgroundContrast >= 0 && backgroundContrast <= 1))
                throw new IllegalArgumentException("background contrast must be in [0, 1], got " + backgroundContrast);
            for (String c : classes)
                if (!CLASSES.contains(c)) throw new IllegalArgumentException("unknown class '" + c + "' (" + String.join(", ", CLASSES) + ")");
            if (clipsPerClass < 1 || size < 16 || frames < 2 || fps < 1)
                throw new IllegalArgumentException("need clips-per-class >= 1, size >= 16, frames >= 2, fps >= 1");
        }

        /** The background as photographed (contrast 1). */
        public Options(Path out, List<String> classes, int clipsPerClass, int size, int frames, int fps, long seed) {
            this(out, classes, clipsPerClass, size, frames, fps, seed, 1.0);
        }
    }

    /** Writes {@code out/CLASS/CLASS_NNNN.mp4} for every class and a {@code classes.txt}; returns the files. */
    public static List<Path> generate(Options o, List<RgbFrame> textures) throws IOException {
        if (textures.size() < 2) throw new IllegalArgumentException("need at least 2 texture frames, got " + textures.size());
        List<Path> written = new ArrayList<>();
        for (int ci = 0; ci < o.classes().size(); ci++) {
            String cls = o.classes().get(ci);
            Path dir = Files.createDirectories(o.out().resolve(cls));
            for (int k = 0; k < o.clipsPerClass(); k++) {
                SplittableRandom rng = new SplittableRandom(mix(o.seed(), CLASSES.indexOf(cls), k));
                byte[][] clip = render(cls, o.size(), o.frames(), textures, o.backgroundContrast(), rng);
                Path file = dir.resolve(String.format(Locale.ROOT, "%s_%04d.mp4", cls, k));
                encode(clip, o.size(), o.fps(), file);
                written.add(file);
            }
        }
        Files.writeString(o.out().resolve("classes.txt"), String.join("\n", o.classes()) + "\n");
        return written;
    }

    static long mix(long seed, int cls, int k) {
        long z = seed * 0x9E3779B97F4A7C15L + cls * 0xD1B54A32D192ED03L + k * 0x8CB92BA72F3D8DD7L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The clip as interleaved RGB bytes per frame. */
    static byte[][] render(String cls, int size, int frames, List<RgbFrame> textures, double bgContrast, SplittableRandom rng) {
        RgbFrame bgFrame = textures.get(rng.nextInt(textures.size()));
        int bx = rng.nextInt(Math.max(1, bgFrame.width() - size + 1)), by = rng.nextInt(Math.max(1, bgFrame.height() - size + 1));
        double radius0 = size / 6.0;
        // The object's texture: a square around a random spot of its frame, big enough for 2x growth.
        // Of a few random spots of random frames, the one with the most texture: a flat patch
        // would hide rotation.
        RgbFrame objFrame = null;
        double texR = 0, tcx = 0, tcy = 0, bestStd = -1;
        for (int tries = 0; tries < 8; tries++) {
            RgbFrame f = textures.get(rng.nextInt(textures.size()));
            double r = Math.min(Math.min(f.width(), f.height()) / 2.0 - 1, 2 * radius0 + 2);
            double x = r + rng.nextDouble() * Math.max(0, f.width() - 2 * r), y = r + rng.nextDouble() * Math.max(0, f.height() - 2 * r);
            double std = stats(f, x, y, r)[1];
            if (std > bestStd) { bestStd = std; objFrame = f; texR = r; tcx = x; tcy = y; }
        }
        double texScale = texR / (2 * radius0 + 2); // texture pixels per output pixel at scale 1
        double travel = 0.5 * size;
        double margin = cls.equals("grow") || cls.equals("shrink") ? 2 * radius0 + 1 : radius0 + 1;
        double cx = margin + rng.nextDouble() * Math.max(0, size - 2 * margin), cy = margin + rng.nextDouble() * Math.max(0, size - 2 * margin);
        switch (cls) { // start so that the whole path stays inside the picture
            case "left" -> cx = size - radius0 - 1 - rng.nextDouble() * Math.max(0, size - travel - 2 * radius0 - 2);
            case "right" -> cx = radius0 + 1 + rng.nextDouble() * Math.max(0, size - travel - 2 * radius0 - 2);
            case "up" -> cy = size - radius0 - 1 - rng.nextDouble() * Math.max(0, size - travel - 2 * radius0 - 2);
            case "down" -> cy = radius0 + 1 + rng.nextDouble() * Math.max(0, size - travel - 2 * radius0 - 2);
            default -> { }
        }
        double phase = rng.nextDouble() * 2 * Math.PI;
        double[] stretch = contrast(objFrame, tcx, tcy, texR);
        double[] bgMean = meanColour(bgFrame, bx, by, size);
        byte[][] out = new byte[frames][];
        for (int f = 0; f < frames; f++) {
            double u = (double) f / (frames - 1);
            double x = cx, y = cy, angle = phase, radius = radius0;
            switch (cls) {
                case "left" -> x = cx - travel * u;
                case "right" -> x = cx + travel * u;
                case "up" -> y = cy - travel * u;
                case "down" -> y = cy + travel * u;
                case "cw" -> angle = phase + Math.PI * u;
                case "ccw" -> angle = phase - Math.PI * u;
                case "grow" -> radius = radius0 * (1 + u);
                case "shrink" -> radius = radius0 * (2 - u);
                default -> throw new IllegalStateException(cls);
            }
            out[f] = frame(size, bgFrame, bx, by, bgMean, bgContrast, objFrame, tcx, tcy, texScale * radius0 / radius, x, y, radius, angle, stretch);
        }
        return out;
    }

    /** One frame: background crop with the textured disk composited at (x, y). */
    private static byte[] frame(int size, RgbFrame bg, int bx, int by, double[] bgMean, double bgContrast, RgbFrame obj, double tcx, double tcy, double texPerPixel,
                                double x, double y, double radius, double angle, double[] stretch) {
        byte[] px = new byte[size * size * 3];
        double cos = Math.cos(angle), sin = Math.sin(angle);
        for (int r = 0; r < size; r++)
            for (int c = 0; c < size; c++) {
                double dx = c + 0.5 - x, dy = r + 0.5 - y, dist = Math.sqrt(dx * dx + dy * dy);
                double alpha = Math.max(0, Math.min(1, radius - dist + 0.5)); // one-pixel soft edge
                for (int ch = 0; ch < 3; ch++) {
                    double v = bgMean[ch] + bgContrast * (bg.get(ch, Math.min(bg.height() - 1, by + r), Math.min(bg.width() - 1, bx + c)) - bgMean[ch]);
                    if (alpha > 0) {
                        // Rotate the offset into the texture's frame, then scale to texture pixels.
                        double tx = tcx + (cos * dx + sin * dy) * texPerPixel, ty = tcy + (-sin * dx + cos * dy) * texPerPixel;
                        double t = stretch[1] + (bilinear(obj, ch, ty, tx) - stretch[0]) * stretch[2];
                        v = (1 - alpha) * v + alpha * Math.max(0, Math.min(255, t));
                    }
                    px[(r * size + c) * 3 + ch] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        return px;
    }

    /** Mean of each channel over the size x size background crop at (bx, by). */
    private static double[] meanColour(RgbFrame f, int bx, int by, int size) {
        double[] m = new double[3];
        for (int r = 0; r < size; r++)
            for (int c = 0; c < size; c++)
                for (int ch = 0; ch < 3; ch++) m[ch] += px(f, ch, by + r, bx + c);
        for (int ch = 0; ch < 3; ch++) m[ch] /= (double) size * size;
        return m;
    }

    /**
     * A linear stretch of the object's texture to a standard deviation of 50 around its own mean
     * moved to mid-grey +- 40: a dark or flat patch would otherwise hide a rotation. Returns
     * {mean, new mean, gain}; a flat patch (std < 1) is left as it is.
     */
    static double[] contrast(RgbFrame f, double cx, double cy, double r) {
        double[] ms = stats(f, cx, cy, r);
        double mean = ms[0], std = ms[1];
        if (std < 1) return new double[] {mean, mean, 1};
        return new double[] {mean, Math.max(88, Math.min(168, mean)), 50 / std};
    }

    /**
     * Mean over all channels, and the texture's standard deviation: within each channel, averaged
     * over channels, so a flat but saturated colour (whose channels differ) counts as flat.
     */
    private static double[] stats(RgbFrame f, double cx, double cy, double r) {
        double[] s = new double[3], ss = new double[3];
        int n = 0;
        for (int y = (int) (cy - r); y <= (int) (cy + r); y++)
            for (int x = (int) (cx - r); x <= (int) (cx + r); x++, n++)
                for (int ch = 0; ch < 3; ch++) {
                    double v = px(f, ch, y, x);
                    s[ch] += v;
                    ss[ch] += v * v;
                }
        double mean = 0, var = 0;
        for (int ch = 0; ch < 3; ch++) {
            double m = s[ch] / n;
            mean += m / 3;
            var += Math.max(0, ss[ch] / n - m * m) / 3;
        }
        return new double[] {mean, Math.sqrt(var)};
    }

    private static double bilinear(RgbFrame f, int ch, double y, double x) {
        int x0 = (int) Math.floor(x - 0.5), y0 = (int) Math.floor(y - 0.5);
        double ax = x - 0.5 - x0, ay = y - 0.5 - y0;
        double a = px(f, ch, y0, x0), b = px(f, ch, y0, x0 + 1), c = px(f, ch, y0 + 1, x0), d = px(f, ch, y0 + 1, x0 + 1);
        return (1 - ay) * ((1 - ax) * a + ax * b) + ay * ((1 - ax) * c + ax * d);
    }

    private static int px(RgbFrame f, int ch, int y, int x) {
        return f.get(ch, Math.max(0, Math.min(f.height() - 1, y)), Math.max(0, Math.min(f.width() - 1, x)));
    }

    /** H.264 in MP4 through jcodec's encoder (baseline profile, which our reader decodes exactly). */
    static void encode(byte[][] frames, int size, int fps, Path file) throws IOException {
        AtomicFile.write(file, tmp -> encodeTo(frames, size, fps, tmp));
    }

    private static void encodeTo(byte[][] frames, int size, int fps, Path tmp) throws IOException {
        SeekableByteChannel ch = NIOUtils.writableChannel(tmp.toFile());
        try {
            SequenceEncoder enc = new SequenceEncoder(ch, Rational.R(fps, 1), Format.MOV, Codec.H264, null);
            for (byte[] rgb : frames) {
                Picture p = Picture.create(size, size, ColorSpace.RGB);
                byte[] d = p.getPlaneData(0);
                for (int i = 0; i < rgb.length; i++) d[i] = (byte) ((rgb[i] & 0xff) - 128); // jcodec stores samples minus 128
                enc.encodeNativeFrame(p);
            }
            enc.finish();
        } finally {
            NIOUtils.closeQuietly(ch);
        }
        Files.write(tmp, zeroHeaderTimes(Files.readAllBytes(tmp)));
    }

    /**
     * jcodec stamps the wall clock into the movie, track and media headers; set those times to 0
     * so a file's bytes depend only on the seed. Walks moov/trak/mdia; each header's version byte
     * says whether its two times are 32 or 64 bits.
     */
    static byte[] zeroHeaderTimes(byte[] mp4) {
        zeroTimes(mp4, 0, mp4.length);
        return mp4;
    }

    private static void zeroTimes(byte[] b, int from, int to) {
        for (int at = from; at + 8 <= to; ) {
            long size = readU32(b, at);
            String type = new String(b, at + 4, 4, StandardCharsets.ISO_8859_1);
            int header = 8;
            if (size == 1) { size = ((long) readU32(b, at + 8) << 32) | readU32(b, at + 12); header = 16; }
            else if (size == 0) size = to - at;
            if (size < header || at + size > to) return; // not a box we can walk: leave the rest alone
            int body = at + header, end = (int) (at + size);
            switch (type) {
                case "moov", "trak", "mdia" -> zeroTimes(b, body, end);
                case "mvhd", "tkhd", "mdhd" -> Arrays.fill(b, body + 4, Math.min(end, body + 4 + (b[body] == 1 ? 16 : 8)), (byte) 0);
                default -> { }
            }
            at = end;
        }
    }

    private static long readU32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }
}

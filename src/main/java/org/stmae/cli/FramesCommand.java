package org.stmae.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.stmae.video.BadVideoException;
import org.stmae.video.Normalization;
import org.stmae.video.RgbFrame;
import org.stmae.video.SpatialTransform;
import org.stmae.video.VideoInfo;
import org.stmae.video.VideoReader;

/** {@code stmae frames VIDEO --out DIR}: decodes frames to PNG files and prints what the video is. */
final class FramesCommand implements Command {
    public String name() { return "frames"; }

    public String summary() { return "decode video frames to PNG (frame_00000.png, ...) and print size, frames, fps, codec"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae frames VIDEO --out DIR [--start N] [--count K] [--size S]",
                "  decodes frames START .. START+K-1 (presentation order) of VIDEO with jcodec and writes",
                "  DIR/frame_00000.png, ... (numbered by frame index); prints width, height, frame count, fps, codec.",
                "  --start N   first frame (default 0)",
                "  --count K   number of frames (default: all from START)",
                "  --size S    resize so that the short side is S pixels (bilinear); default: decoded size",
                "  A file that cannot be decoded prints one line to stderr and exits with status 2.");
    }

    public int run(Args args) throws Exception {
        List<String> pos = args.positionals();
        if (pos.size() != 1) throw new UsageException("expected exactly one VIDEO argument");
        Path out = Path.of(args.required("out"));
        int start = args.integer("start", 0);
        int count = args.integer("count", -1);
        int size = args.integer("size", 0);
        args.finish();
        if (start < 0) throw new UsageException("--start must be >= 0");
        if (size < 0) throw new UsageException("--size must be > 0");
        Path video = Path.of(pos.get(0));
        try (VideoReader r = VideoReader.open(video)) {
            VideoInfo info = r.info();
            System.out.println(info.path() + ": " + info.describe());
            int n = info.frameCount();
            if (start >= n) {
                System.err.println("stmae frames: " + video + ": --start " + start + " is past the last frame (" + n + " frames)");
                return 2;
            }
            int k = count < 0 ? n - start : Math.min(count, n - start);
            Files.createDirectories(out);
            // Decode in chunks so that a long video never sits in memory whole.
            int chunk = 64;
            for (int s = start; s < start + k; s += chunk) {
                RgbFrame[] frames = r.readRange(s, Math.min(chunk, start + k - s));
                for (RgbFrame f : frames) writePng(size > 0 ? resize(f, size) : f, out.resolve(String.format(Locale.ROOT, "frame_%05d.png", f.index())));
            }
            System.out.printf(Locale.ROOT, "wrote %d frames (%d..%d) to %s%n", k, start, start + k - 1, out);
            return 0;
        } catch (BadVideoException e) {
            System.err.println("stmae frames: " + e.getMessage());
            return 2;
        }
    }

    /** Short side to {@code size}, long side floor(long * size / short), bilinear. */
    static RgbFrame resize(RgbFrame f, int size) {
        boolean landscape = f.width() >= f.height();
        int shortSide = landscape ? f.height() : f.width();
        int longSide = (int) Math.floor((double) (landscape ? f.width() : f.height()) * size / shortSide);
        int w = landscape ? longSide : size, h = landscape ? size : longSide;
        var g = SpatialTransform.box(0, 0, f.width(), f.height(), w, h, false);
        float[] buf = new float[3 * w * h];
        SpatialTransform.render(new RgbFrame[] {f}, g, Normalization.NONE, buf, 0);
        byte[] rgb = new byte[3 * w * h];
        int plane = w * h;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = (byte) Math.max(0, Math.min(255, Math.round(buf[c * plane + i] * 255f)));
        return new RgbFrame(f.index(), f.pts(), w, h, rgb);
    }

    static void writePng(RgbFrame f, Path file) throws IOException {
        BufferedImage img = new BufferedImage(f.width(), f.height(), BufferedImage.TYPE_INT_RGB);
        int[] px = new int[f.width() * f.height()];
        byte[] b = f.rgb();
        for (int i = 0; i < px.length; i++) px[i] = (b[3 * i] & 0xff) << 16 | (b[3 * i + 1] & 0xff) << 8 | (b[3 * i + 2] & 0xff);
        img.setRGB(0, 0, f.width(), f.height(), px, 0, f.width());
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
    }
}

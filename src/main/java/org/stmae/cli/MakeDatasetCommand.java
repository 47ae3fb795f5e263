package org.stmae.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.stmae.synth.MotionDataset;
import org.stmae.video.BadVideoException;
import org.stmae.video.RgbFrame;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoReader;

/** {@code stmae make-dataset}: a labelled dataset whose classes only motion tells apart. */
final class MakeDatasetCommand implements Command {
    public String name() { return "make-dataset"; }

    public String summary() { return "generate labelled motion clips (H.264 MP4) with textures from real footage"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae make-dataset --out DIR [--classes " + String.join(",", MotionDataset.CLASSES) + "]",
                "        [--clips-per-class N] [--size S] [--frames T] [--fps F] [--seed S] [--textures DIR]",
                "        [--background-contrast C]",
                "",
                "Writes DIR/CLASS/CLASS_NNNN.mp4 and DIR/classes.txt (read it with a labelled-folder dataset).",
                "Each clip: a background crop and a textured disk cut from frames of the videos in --textures",
                "(default testdata/clips), moving left/right/up/down, turning cw/ccw or growing/shrinking.",
                "--background-contrast C in [0, 1] scales the background's deviations from its mean colour",
                "(1 = the photograph as it is; lower makes the moving object easier to see, not its class).",
                "Defaults: all 8 classes, 50 clips per class, 64x64, 32 frames, 15 fps, seed 0, background contrast 1.",
                "Same seed, same files.");
    }

    public int run(Args args) throws Exception {
        Path out = Path.of(args.required("out"));
        List<String> classes = List.of(args.string("classes", String.join(",", MotionDataset.CLASSES)).split(","));
        int n = args.integer("clips-per-class", 50), size = args.integer("size", 64), frames = args.integer("frames", 32);
        int fps = args.integer("fps", 15);
        long seed = (long) args.number("seed", 0);
        double bgContrast = args.number("background-contrast", 1.0);
        Path texDir = Path.of(args.string("textures", "testdata/clips"));
        args.finish();
        MotionDataset.Options o;
        try {
            o = new MotionDataset.Options(out, classes, n, size, frames, fps, seed, bgContrast);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        List<RgbFrame> textures = textures(texDir);
        if (textures.size() < 2) throw new UsageException("--textures " + texDir + ": fewer than 2 readable frames");
        List<Path> files = MotionDataset.generate(o, textures);
        System.out.printf(java.util.Locale.ROOT, "wrote %d clips (%d classes x %d) to %s, textures from %d frames of %s%n",
                files.size(), classes.size(), n, out, textures.size(), texDir);
        return 0;
    }

    /** Four evenly spaced frames of every readable video in the folder, in file order. */
    static List<RgbFrame> textures(Path dir) throws Exception {
        List<RgbFrame> out = new ArrayList<>();
        for (VideoDataset.Entry e : VideoDataset.folder(dir).entries()) {
            try (VideoReader r = VideoReader.open(e.path(), 60_000)) {
                int n = r.frameCount();
                int[] idx = {0, n / 4, n / 2, 3 * n / 4};
                for (RgbFrame f : r.read(idx)) out.add(f);
            } catch (BadVideoException bad) {
                System.err.println("warning: " + bad.getMessage());
            }
        }
        return out;
    }
}

package org.stmae.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stmae.video.ClipSampler;
import org.stmae.video.Sample;
import org.stmae.video.TemporalSampling;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoLoader;
import org.stmae.video.VideoReader;

/**
 * {@code stmae bench decode}: throughput of the video loader (decode with jcodec, 16x4
 * sampling, random resized crop, flip, normalisation) at 224 and 112 output, with and without
 * repeated sampling. Prints decoded frames/s (pictures jcodec decoded) and clips/s (clips
 * handed to the trainer).
 */
public final class DecodeBench {
    private DecodeBench() {}

    public static final String USAGE = String.join("\n",
            "usage: stmae bench decode [--dir DIR] [--videos N] [--workers W] [--format table|csv]",
            "  --dir DIR     folder of videos (default testdata/clips)",
            "  --videos N    videos decoded per configuration, after one warm-up pass (default 40)",
            "  --workers W   decoding threads (default: available processors)");

    public record Row(int size, int repeat, int workers, int videos, int clips, long decoded, double seconds) {
        double clipsPerSecond() {
            return clips / seconds;
        }

        double framesPerSecond() {
            return decoded / seconds;
        }
    }

    /** Measures the four rows on the videos of {@code dir}; {@code format} is table or csv. */
    public static int run(Path dir, int videos, int workers, String format, PrintStream out) throws Exception {
        VideoDataset ds = VideoDataset.folder(dir);
        List<Row> rows = new ArrayList<>();
        measure(ds, 112, 1, workers, Math.min(videos, ds.size() * 2));  // warm-up: JIT-compile the decoder
        for (int size : new int[] {224, 112})
            for (int repeat : new int[] {1, 4})
                rows.add(measure(ds, size, repeat, workers, videos));
        if (format.equals("csv")) {
            out.println("size,frames,stride,repeat,workers,videos,clips,seconds,decoded_frames_per_s,clips_per_s");
            for (Row r : rows)
                out.printf(Locale.ROOT, "%d,16,4,%d,%d,%d,%d,%.3f,%.1f,%.2f%n", r.size(), r.repeat(), r.workers(), r.videos(), r.clips(),
                        r.seconds(), r.framesPerSecond(), r.clipsPerSecond());
        } else {
            out.printf(Locale.ROOT, "decode bench: %s, %d videos per row, 16x4 sampling (mae_st rule), %d workers, Java %s%n", dir,
                    videos, workers, System.getProperty("java.version"));
            out.printf(Locale.ROOT, "%6s %7s %8s %7s %9s %16s %9s%n", "size", "repeat", "workers", "clips", "seconds", "decoded frames/s", "clips/s");
            for (Row r : rows)
                out.printf(Locale.ROOT, "%6d %7d %8d %7d %9.2f %16.1f %9.2f%n", r.size(), r.repeat(), r.workers(), r.clips(), r.seconds(),
                        r.framesPerSecond(), r.clipsPerSecond());
        }
        return 0;
    }

    /** Runs the loader over {@code videos} videos (cycling through the dataset by epochs). */
    public static Row measure(VideoDataset ds, int size, int repeat, int workers, int videos) throws Exception {
        ClipSampler sampler = new ClipSampler(ClipSampler.maeSt().withSize(size).withRepeat(repeat).withTemporal(TemporalSampling.maeSt(16, 4))
                .withMinFrames(1));
        long decoded0 = VideoReader.decodedFrames();
        long t0 = System.nanoTime();
        int done = 0, clips = 0, epoch = 0;
        while (done < videos) {
            VideoLoader.Options o = VideoLoader.Options.defaults().withWorkers(workers).withSeed(1234, epoch++);
            try (VideoLoader loader = new VideoLoader(ds, sampler, o)) {
                List<Sample> s;
                while (done < videos && (s = loader.next()) != null) {
                    done++;
                    clips += s.size();
                }
                if (loader.delivered() == 0) throw new IllegalStateException("no decodable video in the benchmark folder");
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        return new Row(size, repeat, workers, done, clips, VideoReader.decodedFrames() - decoded0, sec);
    }
}

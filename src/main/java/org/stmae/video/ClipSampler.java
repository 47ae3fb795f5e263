package org.stmae.video;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.stmae.tensor.Tensor;

/**
 * Turns one opened video into clips: training samples (decode once, draw {@code repeat}
 * independently augmented clips, as mae_st's repeat_aug) or the K temporal x S spatial views of
 * multi-view testing.
 */
public final class ClipSampler {
    /** Everything that decides what a clip looks like; see {@link #maeSt()} and {@link #videoMae()}. */
    public record Config(TemporalSampling temporal, int size, int repeat, Normalization norm, double scaleMin, double scaleMax,
                         double ratioMin, double ratioMax, double flipProb, int minFrames, SpatialTransform.CropStyle cropStyle) {
        public Config {
            if (size < 1) throw new IllegalArgumentException("size must be >= 1");
            if (repeat < 1) throw new IllegalArgumentException("repeat must be >= 1");
        }

        public Config withSize(int s) {
            return new Config(temporal, s, repeat, norm, scaleMin, scaleMax, ratioMin, ratioMax, flipProb, minFrames, cropStyle);
        }

        public Config withRepeat(int r) {
            return new Config(temporal, size, r, norm, scaleMin, scaleMax, ratioMin, ratioMax, flipProb, minFrames, cropStyle);
        }

        public Config withTemporal(TemporalSampling t) {
            return new Config(t, size, repeat, norm, scaleMin, scaleMax, ratioMin, ratioMax, flipProb, Math.max(1, t.numFrames / 2), cropStyle);
        }

        public Config withMinFrames(int m) {
            return new Config(temporal, size, repeat, norm, scaleMin, scaleMax, ratioMin, ratioMax, flipProb, m, cropStyle);
        }
    }

    /** mae_st pre-training: 16x4 linspace at 30 fps, 224, repeat 4, RRC scale [0.5, 1], ratio [3/4, 4/3], flip 0.5, 0.45/0.225. */
    public static Config maeSt() {
        return new Config(TemporalSampling.maeSt(16, 4), 224, 4, Normalization.MAE_ST, 0.5, 1.0, 0.75, 4.0 / 3, 0.5, 8,
                SpatialTransform.CropStyle.MAE_ST);
    }

    /** VideoMAE pre-training: 16x4 exact stride, 224, no repeat, same RRC, no flip, ImageNet mean/std. */
    public static Config videoMae() {
        return new Config(TemporalSampling.videoMae(16, 4), 224, 1, Normalization.IMAGENET, 0.5, 1.0, 0.75, 4.0 / 3, 0.0, 8,
                SpatialTransform.CropStyle.VIDEOMAE);
    }

    private final Config cfg;

    public ClipSampler(Config cfg) {
        this.cfg = cfg;
    }

    public Config config() {
        return cfg;
    }

    private void checkLength(VideoReader r) throws BadVideoException {
        if (r.frameCount() < cfg.minFrames())
            throw new BadVideoException(r.path(), "too few frames: " + r.frameCount() + " (at least " + cfg.minFrames() + " needed)");
    }

    /** {@code repeat} training clips from one decode of the frames they need. */
    public List<Sample> train(VideoReader r, int label, SplittableRandom rng) throws BadVideoException {
        checkLength(r);
        VideoInfo info = r.info();
        int k = cfg.repeat();
        int[][] idx = new int[k][];
        SpatialTransform.Geometry[] geo = new SpatialTransform.Geometry[k];
        for (int i = 0; i < k; i++) {
            idx[i] = cfg.temporal().sample(info.frameCount(), info.fps(), rng);
            geo[i] = SpatialTransform.randomResizedCrop(info.width(), info.height(), cfg.size(), cfg.size(), cfg.scaleMin(),
                    cfg.scaleMax(), cfg.ratioMin(), cfg.ratioMax(), cfg.flipProb(), rng);
        }
        RgbFrame[][] frames = decodeUnion(r, idx);
        List<Sample> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add(render(r.path(), label, idx[i], frames[i], geo[i], i));
        return out;
    }

    /** The {@code temporalViews} x {@code spatialCrops} test views, temporal-major. */
    public List<Sample> test(VideoReader r, int label, int temporalViews, int spatialCrops) throws BadVideoException {
        checkLength(r);
        VideoInfo info = r.info();
        int[][] idx = new int[temporalViews][];
        for (int t = 0; t < temporalViews; t++) idx[t] = cfg.temporal().view(info.frameCount(), info.fps(), t, temporalViews);
        RgbFrame[][] frames = decodeUnion(r, idx);
        List<Sample> out = new ArrayList<>(temporalViews * spatialCrops);
        for (int t = 0; t < temporalViews; t++)
            for (int s = 0; s < spatialCrops; s++) {
                var g = SpatialTransform.evalCrop(info.width(), info.height(), cfg.size(), s, spatialCrops, cfg.cropStyle());
                out.add(render(r.path(), label, idx[t], frames[t], g, t * spatialCrops + s));
            }
        return out;
    }

    /** Decodes the union of several index lists once; returns the frames of each list. */
    static RgbFrame[][] decodeUnion(VideoReader r, int[][] idx) throws BadVideoException {
        TreeSet<Integer> set = new TreeSet<>();
        for (int[] a : idx) for (int v : a) set.add(v);
        int[] union = set.stream().mapToInt(Integer::intValue).toArray();
        RgbFrame[] got = r.read(union);
        RgbFrame[][] out = new RgbFrame[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            out[i] = new RgbFrame[idx[i].length];
            for (int j = 0; j < idx[i].length; j++) out[i][j] = got[Arrays.binarySearch(union, idx[i][j])];
        }
        return out;
    }

    private Sample render(Path path, int label, int[] idx, RgbFrame[] frames, SpatialTransform.Geometry g, int view) {
        int t = frames.length, s = cfg.size();
        float[] data = new float[3 * t * s * s];
        SpatialTransform.render(frames, g, cfg.norm(), data, 0);
        return new Sample(Tensor.of(data, 3, t, s, s), path, label, idx, view);
    }
}

package org.stmae.video;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which frames of a video make one clip (reference-semantics §8.1, §8.2, §10).
 *
 * <p>{@link Rule#MAE_ST} (the default): the clip spans {@code samplingRate * numFrames} frames at
 * the target frame rate (30 fps), i.e. {@code samplingRate * numFrames / 30 * fps} source
 * frames; its start is uniform in {@code [0, max(n - span, 0)]} (a real number); the frame
 * indices are a float32 linspace from start to start + span - 1, clamped to [0, n-1] and
 * truncated, as mae_st does with {@code torch.linspace(...).long()} (effective stride 4.2 for
 * 16x4 at 30 fps). A video shorter than the span starts at 0 and repeats its last frame.
 *
 * <p>{@link Rule#VIDEOMAE}: an exact integer stride. Offset uniform in
 * {@code [0, n - numFrames*samplingRate]}; frame i = offset + i*samplingRate, except that the
 * position stops advancing once the next one would reach the end (VideoMAE's TSN loader), so
 * a short video starts at 0 and repeats its last reachable frame.
 */
public final class TemporalSampling {
    public enum Rule { MAE_ST, VIDEOMAE }

    public final int numFrames;
    public final int samplingRate;
    public final double targetFps;
    public final Rule rule;

    public TemporalSampling(int numFrames, int samplingRate, double targetFps, Rule rule) {
        if (numFrames < 1 || samplingRate < 1) throw new IllegalArgumentException("numFrames and samplingRate must be >= 1");
        this.numFrames = numFrames;
        this.samplingRate = samplingRate;
        this.targetFps = targetFps;
        this.rule = rule;
    }

    /** 16 frames, stride 4, mae_st's linspace rule at 30 fps: the pre-training default. */
    public static TemporalSampling maeSt(int numFrames, int samplingRate) {
        return new TemporalSampling(numFrames, samplingRate, 30, Rule.MAE_ST);
    }

    public static TemporalSampling videoMae(int numFrames, int samplingRate) {
        return new TemporalSampling(numFrames, samplingRate, 30, Rule.VIDEOMAE);
    }

    /** Source frames spanned by one clip of a video at {@code fps} (mae_st rule). */
    public double clipSpan(double fps) {
        double span = (double) samplingRate * numFrames;
        if (fps > 0 && targetFps > 0) span = span / targetFps * fps;
        return span;
    }

    /** A random training clip from a video of {@code n} frames at {@code fps}. */
    public int[] sample(int n, double fps, SplittableRandom rng) {
        if (n < 1) throw new IllegalArgumentException("video has no frames");
        if (rule == Rule.MAE_ST) {
            double span = clipSpan(fps);
            double delta = Math.max(n - span, 0);
            double start = rng.nextDouble() * delta;
            return linspace(start, start + span - 1, n);
        }
        int avg = n - numFrames * samplingRate + 1;
        int offset = avg > 0 ? rng.nextInt(avg) : 0;
        return strided(offset, n);
    }

    /**
     * Temporal view {@code k} of {@code views} for multi-view testing. mae_st: start =
     * k * floor(delta / (views - 1)) (floor(delta / 2) for a single view), then the linspace
     * rule. VideoMAE: the video subsampled every samplingRate frames (last index repeated to at
     * least numFrames), view k starts at int(k * max((m - numFrames) / (views - 1), 0)) of it
     * (the middle for a single view) and takes numFrames consecutive entries.
     */
    public int[] view(int n, double fps, int k, int views) {
        if (k < 0 || k >= views) throw new IllegalArgumentException("view " + k + " of " + views);
        if (rule == Rule.MAE_ST) {
            double span = clipSpan(fps);
            double delta = Math.max(n - span, 0);
            double start = views == 1 ? Math.floor(delta / 2) : k * Math.floor(delta / (views - 1));
            return linspace(start, start + span - 1, n);
        }
        int m = Math.max((n + samplingRate - 1) / samplingRate, numFrames);
        int[] all = new int[m];
        for (int i = 0; i < m; i++) all[i] = Math.min(i * samplingRate, ((n - 1) / samplingRate) * samplingRate);
        int start = views == 1 ? (m - numFrames) / 2 : (int) (k * Math.max((m - numFrames) / (double) (views - 1), 0));
        return Arrays.copyOfRange(all, start, start + numFrames);
    }

    /** float32 torch.linspace(start, end, numFrames), clamped to [0, n-1], truncated to long. */
    int[] linspace(double start, double end, int n) {
        float s = (float) start, e = (float) end;
        int steps = numFrames;
        int[] out = new int[steps];
        float step = steps > 1 ? (e - s) / (steps - 1) : 0;
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            // torch computes the first half from the start and the second half from the end
            float v = i < half ? s + step * i : e - step * (steps - 1 - i);
            if (steps == 1) v = s;
            v = Math.max(0f, Math.min(v, n - 1));
            out[i] = (int) v;
        }
        return out;
    }

    /** VideoMAE's TSN loop with one segment, 0-based. */
    int[] strided(int offset, int n) {
        int[] out = new int[numFrames];
        int cur = offset;
        for (int i = 0; i < numFrames; i++) {
            out[i] = Math.min(cur, n - 1);
            if (cur + 1 + samplingRate < n) cur += samplingRate;  // 1-based "offset + new_step < duration"
        }
        return out;
    }
}

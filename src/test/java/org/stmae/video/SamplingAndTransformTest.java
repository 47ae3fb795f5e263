package org.stmae.video;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Temporal sampling rules and spatial transforms (reference-semantics §8, §10). */
class SamplingAndTransformTest {
    @Test
    void maeStLinspaceTruthTable() {
        // 16x4 at 30 fps on a 30 fps video, start 0: effective stride 4.2 (reference-semantics §8.1)
        int[] got = TemporalSampling.maeSt(16, 4).linspace(0, 63, 300);
        assertArrayEquals(new int[] {0, 4, 8, 12, 16, 21, 25, 29, 33, 37, 42, 46, 50, 54, 58, 63}, got);
    }

    @Test
    void maeStShortVideoRepeatsLastFrame() {
        int[] got = TemporalSampling.maeSt(16, 4).sample(20, 30, new SplittableRandom(1));
        assertEquals(0, got[0]);
        assertEquals(19, got[15]);
        assertEquals(19, got[10]);  // 42 clamped
    }

    @Test
    void videoMaeExactStrideAndShortVideo() {
        TemporalSampling s = TemporalSampling.videoMae(16, 4);
        assertArrayEquals(new int[] {3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55, 59, 63}, s.strided(3, 100));
        // 30 frames: 0, 4, ..., 24 then the position stops (next would be 28: 1-based 29 + 4 >= 30)
        int[] shortClip = s.sample(30, 30, new SplittableRandom(5));
        assertArrayEquals(new int[] {0, 4, 8, 12, 16, 20, 24, 28, 28, 28, 28, 28, 28, 28, 28, 28}, shortClip);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99991})
    void temporalPropertiesHoldForRandomVideos(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(400);
            double fps = 10 + rng.nextInt(50);
            for (TemporalSampling s : new TemporalSampling[] {TemporalSampling.maeSt(16, 4), TemporalSampling.videoMae(16, 2),
                    TemporalSampling.maeSt(8, 8)}) {
                int[] idx = s.sample(n, fps, rng);
                assertEquals(s.numFrames, idx.length, "seed " + seed);
                for (int i = 0; i < idx.length; i++) {
                    assertTrue(idx[i] >= 0 && idx[i] < n, "seed " + seed + ": index " + idx[i] + " outside [0," + n + ")");
                    if (i > 0) assertTrue(idx[i] >= idx[i - 1], "seed " + seed + ": not sorted");
                }
                if (s.rule == TemporalSampling.Rule.VIDEOMAE && n > s.numFrames * s.samplingRate)
                    for (int i = 1; i < idx.length; i++) assertEquals(s.samplingRate, idx[i] - idx[i - 1], "seed " + seed + ": stride");
                for (int views : new int[] {1, 2, 5, 10}) {
                    int[] first = s.view(n, fps, 0, views);
                    int[] last = s.view(n, fps, views - 1, views);
                    assertArrayEquals(first, s.view(n, fps, 0, views), "seed " + seed + ": views are deterministic");
                    assertTrue(last[0] >= first[0], "seed " + seed);
                    for (int v : last) assertTrue(v >= 0 && v < n, "seed " + seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 8, 9, 10, 11})
    void randomResizedCropStaysInsideAndInRange(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int flips = 0;
        for (int trial = 0; trial < 500; trial++) {
            int w = 16 + rng.nextInt(800), h = 16 + rng.nextInt(800);
            var g = SpatialTransform.randomResizedCrop(w, h, 224, 224, 0.5, 1, 0.75, 4.0 / 3, 0.5, rng);
            int cw = g.x().limit(), ch = g.y().limit();
            assertTrue(g.x().base() >= 0 && g.x().base() + cw <= w, "seed " + seed);
            assertTrue(g.y().base() >= 0 && g.y().base() + ch <= h, "seed " + seed);
            double frac = (double) cw * ch / ((double) w * h);
            double aspect = (double) cw / ch;
            boolean fallback = cw == w || ch == h;  // the centre-crop fallback keeps one full side
            assertTrue(fallback || frac >= 0.5 - 0.03 && aspect >= 0.75 - 0.03 && aspect <= 4.0 / 3 + 0.03,
                    "seed " + seed + ": crop " + cw + "x" + ch + " of " + w + "x" + h);
            if (g.flip()) flips++;
        }
        assertTrue(flips > 180 && flips < 320, "seed " + seed + ": " + flips + " flips of 500");
    }

    static RgbFrame ramp(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                rgb[(y * w + x) * 3] = (byte) x;
                rgb[(y * w + x) * 3 + 1] = (byte) y;
                rgb[(y * w + x) * 3 + 2] = (byte) (x + y);
            }
        return new RgbFrame(0, 0, w, h, rgb);
    }

    @Test
    void identityCropFlipAndNormalisation() {
        RgbFrame f = ramp(40, 30);
        var id = SpatialTransform.box(5, 3, 20, 10, 20, 10, false);
        float[] out = new float[3 * 20 * 10];
        SpatialTransform.render(new RgbFrame[] {f}, id, Normalization.NONE, out, 0);
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 20; x++) {
                assertEquals((5 + x) / 255f, out[y * 20 + x], 1e-6);
                assertEquals((3 + y) / 255f, out[200 + y * 20 + x], 1e-6);
            }
        var flipped = SpatialTransform.box(5, 3, 20, 10, 20, 10, true);
        SpatialTransform.render(new RgbFrame[] {f}, flipped, Normalization.MAE_ST, out, 0);
        assertEquals(((5 + 19) / 255f - 0.45f) / 0.225f, out[0], 1e-5);
        // downscale by 2: bilinear without antialiasing averages the two middle pixels
        var half = SpatialTransform.box(0, 0, 40, 30, 20, 15, false);
        float[] small = new float[3 * 20 * 15];
        SpatialTransform.render(new RgbFrame[] {f}, half, Normalization.NONE, small, 0);
        assertEquals(2.5f / 255f, small[1], 1e-6);  // source x = (1 + 0.5) * 2 - 0.5 = 2.5
    }

    @Test
    void threeCropsCoverLeftCentreRight() {
        // 320x240 -> short side 112 -> 149x112; crops at 0, ceil(37/2)=19, 37 (mae_st) or 0, 18, 37 (VideoMAE)
        var left = SpatialTransform.evalCrop(320, 240, 112, 0, 3, SpatialTransform.CropStyle.MAE_ST);
        var mid = SpatialTransform.evalCrop(320, 240, 112, 1, 3, SpatialTransform.CropStyle.MAE_ST);
        var right = SpatialTransform.evalCrop(320, 240, 112, 2, 3, SpatialTransform.CropStyle.MAE_ST);
        assertEquals(0, left.x().shift());
        assertEquals(19, mid.x().shift());
        assertEquals(37, right.x().shift());
        assertEquals(18, SpatialTransform.evalCrop(320, 240, 112, 1, 3, SpatialTransform.CropStyle.VIDEOMAE).x().shift());
        var portrait = SpatialTransform.evalCrop(240, 320, 112, 2, 3, SpatialTransform.CropStyle.MAE_ST);
        assertEquals(37, portrait.y().shift());
        assertEquals(0, portrait.x().shift());
    }

    @Test
    void oneDecodeManyAugmentedSamples() throws Exception {
        ClipSampler s = new ClipSampler(ClipSampler.maeSt().withSize(32).withTemporal(TemporalSampling.maeSt(8, 2)));
        try (VideoReader r = VideoReader.open(TestClips.PATTERN)) {
            var samples = s.train(r, 3, new SplittableRandom(1));
            assertEquals(4, samples.size());
            for (Sample x : samples) {
                assertArrayEquals(new int[] {3, 8, 32, 32}, x.clip().shape());
                assertEquals(3, x.label());
                assertEquals(TestClips.PATTERN, x.path());
            }
            assertFalse(java.util.Arrays.equals(samples.get(0).frames(), samples.get(1).frames())
                    && java.util.Arrays.equals(samples.get(0).clip().data(), samples.get(1).clip().data()));
            var views = s.test(r, 0, 2, 3);
            assertEquals(6, views.size());
            assertArrayEquals(new int[] {3, 8, 32, 32}, views.get(5).clip().shape());
        }
    }
}

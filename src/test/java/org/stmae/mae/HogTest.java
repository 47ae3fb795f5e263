package org.stmae.mae;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmae.io.Safetensors;
import org.stmae.mae.MaeConfig.Target;
import org.stmae.tensor.Tensor;

/** The HOG target (SPEC.md, HOG target) against a naive double version, PyTorch, and its invariants. */
class HogTest {

    static MaeConfig config(int img, int p, int frames, int t, int channels) {
        return MaeConfig.builder().imgSize(img).patchSize(p).numFrames(frames).tPatchSize(t).predTDim(frames / t)
                .inChans(channels).maskRatio(0).target(Target.HOG).build();
    }

    static Tensor randomClip(Random rng, int n, int c, int t, int h) {
        Tensor x = Tensor.zeros(n, c, t, h, h);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) rng.nextGaussian();
        return x;
    }

    /**
     * The definition read literally, one token and one pixel at a time, in double: the orientation
     * in degrees folded into [0, 180), 20 degrees a bin. Cells holding a pixel whose orientation
     * lies within 1e-5 bins of a boundary are marked ambiguous (float rounding may put it in
     * either bin) in {@code ambiguous}, one flag per value.
     */
    static double[][][] naive(MaeConfig cfg, Tensor x, boolean[][][] ambiguous) {
        int n = x.size(0), c = x.size(1), frames = x.size(2), h = x.size(3), p = cfg.patchSize(), t = cfg.tPatchSize();
        int grid = h / p, k = p / 8, tokens = frames / t * grid * grid;
        double[][][] out = new double[n][tokens][c * 9 * k * k];
        for (int b = 0; b < n; b++)
            for (int tok = 0; tok < tokens; tok++) {
                int frame = tok / (grid * grid) * t, hi = tok / grid % grid, wi = tok % grid;
                for (int ch = 0; ch < c; ch++)
                    for (int cy = 0; cy < k; cy++)
                        for (int cx = 0; cx < k; cx++) {
                            double[] hist = new double[9];
                            boolean unsure = false;
                            for (int py = 0; py < 8; py++)
                                for (int px = 0; px < 8; px++) {
                                    int y = hi * p + cy * 8 + py, xx = wi * p + cx * 8 + px;
                                    double gx = 0, gy = 0;
                                    for (int d = -1; d <= 1; d++) {
                                        double wgt = d == 0 ? 2 : 1;
                                        gx += wgt * (pixel(x, b, ch, frame, y + d, xx - 1) - pixel(x, b, ch, frame, y + d, xx + 1));
                                        gy += wgt * (pixel(x, b, ch, frame, y - 1, xx + d) - pixel(x, b, ch, frame, y + 1, xx + d));
                                    }
                                    double degrees = Math.toDegrees(Math.atan2(gx, gy));
                                    double folded = ((degrees % 180) + 180) % 180;
                                    double pos = folded / 20;
                                    double off = Math.abs(pos - Math.rint(pos));
                                    if (off > 0 && off < 1e-5) unsure = true;
                                    hist[(int) Math.floor(pos) % 9] += Math.hypot(gx, gy);
                                }
                            double norm = 0;
                            for (double v : hist) norm += v * v;
                            norm = Math.max(Math.sqrt(norm), 1e-12);
                            for (int bin = 0; bin < 9; bin++) {
                                int j = ((ch * 9 + bin) * k + cy) * k + cx;
                                out[b][tok][j] = hist[bin] / norm;
                                ambiguous[b][tok][j] = unsure;
                            }
                        }
            }
        return out;
    }

    /** A pixel with reflect padding by one (torch's 'reflect': -1 reads 1, H reads H - 2). */
    static double pixel(Tensor x, int b, int c, int f, int y, int xx) {
        int h = x.size(3), w = x.size(4);
        if (y < 0) y = -y;
        if (y > h - 1) y = 2 * (h - 1) - y;
        if (xx < 0) xx = -xx;
        if (xx > w - 1) xx = 2 * (w - 1) - xx;
        return x.data()[(((b * x.size(1) + c) * x.size(2) + f) * h + y) * w + xx];
    }

    static Stream<Arguments> shapes() {
        // seed, img, patch, frames, t_patch_size, channels
        return Stream.of(Arguments.of(1L, 32, 16, 4, 2, 3), Arguments.of(2L, 32, 8, 4, 1, 3), Arguments.of(3L, 24, 8, 2, 2, 1),
                Arguments.of(4L, 48, 16, 2, 1, 2), Arguments.of(5L, 16, 16, 4, 4, 3));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void matchesTheNaiveDefinition(long seed, int img, int p, int frames, int t, int c) {
        MaeConfig cfg = config(img, p, frames, t, c);
        Tensor x = randomClip(new Random(seed), 2, c, frames, img);
        Tensor ours = Targets.target(cfg, x);
        int tokens = cfg.numPatches(), dim = cfg.predDim();
        assertArrayEquals(new int[] {2, tokens, dim}, ours.shape());
        assertEquals(c * 9 * (p / 8) * (p / 8), dim);
        boolean[][][] amb = new boolean[2][tokens][dim];
        double[][][] ref = naive(cfg, x, amb);
        double worst = 0;
        int skipped = 0;
        for (int b = 0; b < 2; b++)
            for (int l = 0; l < tokens; l++)
                for (int j = 0; j < dim; j++) {
                    if (amb[b][l][j]) {
                        skipped++;
                        continue;
                    }
                    worst = Math.max(worst, Math.abs(ours.data()[(b * tokens + l) * dim + j] - ref[b][l][j]));
                }
        assertTrue(worst <= 1e-5, "seed " + seed + ": max |diff| " + worst + " > 1e-5");
        assertTrue(skipped <= 2 * tokens * dim / 100, "seed " + seed + ": " + skipped + " values near a bin boundary");
    }

    @Test
    void matchesPyTorch() throws Exception {
        Path file = fixtures().resolve("hog").resolve("hog.safetensors");
        try (Safetensors f = Safetensors.open(file)) {
            Tensor x = f.floatTensor("input");
            int n = x.size(0), c = x.size(1), frames = x.size(2), h = x.size(3);
            // Every frame's cell map.
            Tensor cells = f.floatTensor("cells");
            int per = c * 9 * (h / 8) * (h / 8);
            for (int b = 0; b < n; b++)
                for (int fr = 0; fr < frames; fr++) {
                    float[] ours = Hog.frame(x.data(), (b * c * frames + fr) * h * h, frames * h * h, c, h, h);
                    float[] want = java.util.Arrays.copyOfRange(cells.data(), (b * frames + fr) * per, (b * frames + fr + 1) * per);
                    assertClose("cells[" + b + "," + fr + "]", ours, want);
                }
            for (int[] pt : new int[][] {{16, 2}, {8, 2}, {8, 1}}) {
                Tensor want = f.floatTensor("target.p" + pt[0] + "_t" + pt[1]);
                Tensor ours = Targets.target(config(h, pt[0], frames, pt[1], c), x);
                assertArrayEquals(want.shape(), ours.shape());
                assertClose("target.p" + pt[0] + "_t" + pt[1], ours.data(), want.data());
            }
            // Sample 1's constant corner gives zero histograms in its first patch.
            Tensor p16 = f.floatTensor("target.p16_t2");
            int tokens = p16.size(1), dim = p16.size(2);
            for (int j = 0; j < dim; j++) assertEquals(0f, p16.data()[tokens * dim + j]);
        }
    }

    /** The reference tolerance: max |a - b| <= 1e-4 max(1e-3, max |b|). */
    static void assertClose(String what, float[] ours, float[] want) {
        double worst = 0, scale = 1e-3;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(ours[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        assertTrue(worst <= 1e-4 * scale, what + ": max |diff| " + worst + " > " + 1e-4 * scale);
    }

    static Path fixtures() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("testdata/fixtures"))) p = p.getParent();
        return p.resolve("testdata/fixtures");
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void constantPatchHasZeroHistograms(long seed, int img, int p, int frames, int t, int c) {
        MaeConfig cfg = config(img, p, frames, t, c);
        Tensor x = randomClip(new Random(seed), 1, c, frames, img);
        // Patch (0, 0) and the one-pixel ring its gradients read are constant.
        for (int ch = 0; ch < c; ch++)
            for (int f = 0; f < frames; f++)
                for (int y = 0; y <= Math.min(p, img - 1); y++)
                    for (int xx = 0; xx <= Math.min(p, img - 1); xx++) x.data()[((ch * frames + f) * img + y) * img + xx] = 0.7f;
        Tensor hog = Targets.target(cfg, x);
        int grid = img / p, dim = cfg.predDim();
        for (int ti = 0; ti < cfg.gridT(); ti++)
            for (int j = 0; j < dim; j++) assertEquals(0f, hog.data()[ti * grid * grid * dim + j], "seed " + seed);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void horizontalFlipMirrorsBinsAndCells(long seed, int img, int p, int frames, int t, int c) {
        MaeConfig cfg = config(img, p, frames, t, c);
        Tensor x = randomClip(new Random(seed), 1, c, frames, img);
        Tensor flipped = Tensor.zeros(x.shape());
        for (int row = 0; row < c * frames * img; row++)
            for (int xx = 0; xx < img; xx++) flipped.data()[row * img + xx] = x.data()[row * img + img - 1 - xx];
        Tensor a = Targets.target(cfg, x), b = Targets.target(cfg, flipped);
        int grid = img / p, k = p / 8, dim = cfg.predDim(), compared = 0;
        for (int ti = 0; ti < cfg.gridT(); ti++)
            for (int hi = 0; hi < grid; hi++)
                for (int wi = 0; wi < grid; wi++)
                    for (int cy = 0; cy < k; cy++)
                        for (int cx = 0; cx < k; cx++) {
                            // The first and last columns have gx = 0 (reflect padding): orientation
                            // exactly 0, bin 0 either way. Everywhere else theta becomes -theta and
                            // bin b (never exactly on a boundary here) becomes 8 - b.
                            int col = wi * k + cx;
                            if (col == 0 || col == grid * k - 1) continue;
                            compared++;
                            for (int ch = 0; ch < c; ch++)
                                for (int bin = 0; bin < 9; bin++) {
                                    float va = a.data()[((ti * grid + hi) * grid + wi) * dim + ((ch * 9 + bin) * k + cy) * k + cx];
                                    float vb = b.data()[((ti * grid + hi) * grid + grid - 1 - wi) * dim + ((ch * 9 + 8 - bin) * k + cy) * k + k - 1 - cx];
                                    assertEquals(va, vb, 1e-6, "seed " + seed);
                                }
                        }
        assertTrue(compared > 0 || img / 8 <= 2, "seed " + seed + ": no interior cell compared");
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void orientationIsUnsigned(long seed, int img, int p, int frames, int t, int c) {
        MaeConfig cfg = config(img, p, frames, t, c);
        Tensor x = randomClip(new Random(seed), 1, c, frames, img), negated = Tensor.zeros(x.shape());
        for (int i = 0; i < x.size(); i++) negated.data()[i] = -x.data()[i];
        // Every gradient turns by 180 degrees, which lands in the same bin.
        assertArrayEquals(Targets.target(cfg, x).data(), Targets.target(cfg, negated).data(), 1e-6f, "seed " + seed);
    }

    @Test
    void patchSizeMustHoldWholeCells() {
        var e = assertThrows(IllegalArgumentException.class, () -> config(56, 14, 2, 2, 3));
        assertEquals("config: target = hog: patch_size 14 must be divisible by the HOG cell size 8", e.getMessage());
        // Pixel targets do not care.
        assertEquals(2 * 14 * 14 * 3, MaeConfig.builder().imgSize(56).patchSize(14).numFrames(2).tPatchSize(2).predTDim(2).build().predDim());
    }
}

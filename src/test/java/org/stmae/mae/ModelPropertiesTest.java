package org.stmae.mae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmae.autograd.NoGrad;
import org.stmae.autograd.Parameter;
import org.stmae.masking.Mask;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Tensor;

/** Properties of patchify, targets, the patch embedding and the model; seeded and replayable. */
class ModelPropertiesTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 8);
    }

    static Tensor randn(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextGaussian();
        return t;
    }

    /** A small random config per seed (random masking, varied flags). */
    static MaeConfig config(long seed) {
        Random r = new Random(seed);
        int p = 2 + r.nextInt(3), g = 2 + r.nextInt(2), tp = 1 + r.nextInt(2), gt = 1 + r.nextInt(3);
        int heads = 1 + r.nextInt(3);
        return MaeConfig.builder().imgSize(p * g).patchSize(p).numFrames(tp * gt).tPatchSize(tp).predTDim(gt)
                .embedDim(8 * heads).depth(1 + r.nextInt(2)).numHeads(heads)
                .decoderEmbedDim(4 * heads).decoderDepth(1).decoderNumHeads(heads)
                .sepPosEmbed(r.nextBoolean()).clsEmbed(r.nextBoolean()).qkvBias(r.nextBoolean())
                .maskRatio(0.5).build();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void unpatchifyInvertsPatchify(long seed) {
        Random r = new Random(seed);
        int p = 1 + r.nextInt(4), u = 1 + r.nextInt(3), c = 1 + r.nextInt(3);
        int t = u * (1 + r.nextInt(3)), h = p * (1 + r.nextInt(3)), w = p * (1 + r.nextInt(3));
        Tensor x = randn(r, 2, c, t, h, w);
        Tensor back = Patchify.unpatchify(Patchify.patchify(x, p, u), c, t, h, w, p, u);
        assertArrayEquals(x.data(), back.data(), "seed " + seed);
    }

    /**
     * patchifyFrames is patchify of the selected frames (any frames, repeats allowed), with the
     * per-token step applied to each token's vector and to nothing else; out-of-range frames refused.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void patchifyOfSomeFramesIsPatchifyOfTheirCopy(long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(3), c = 1 + r.nextInt(3), u = 1 + r.nextInt(2), p = 1 + r.nextInt(3);
        int t = 1 + r.nextInt(6), h = p * (1 + r.nextInt(3)), w = p * (1 + r.nextInt(3));
        Tensor video = randn(r, n, c, t, h, w);
        int[] frames = new int[u * (1 + r.nextInt(3))];
        for (int i = 0; i < frames.length; i++) frames[i] = r.nextInt(t);
        Tensor expected = Patchify.patchify(Patchify.selectFrames(video, frames), p, u);
        assertArrayEquals(expected.data(), Patchify.patchifyFrames(video, frames, p, u, null).data(), "seed " + seed);
        // The step sees each token's vector once: scale token k's values by (k + 2).
        Tensor stepped = Patchify.patchifyFrames(video, frames, p, u, (x, o, dim) -> {
            for (int i = o; i < o + dim; i++) x[i] *= o / dim + 2;
        });
        int dim = expected.size(2);
        for (int i = 0; i < expected.size(); i++)
            assertEquals(expected.data()[i] * (i / dim + 2), stepped.data()[i], "seed " + seed + " value " + i);
        int[] bad = frames.clone();
        bad[r.nextInt(bad.length)] = r.nextBoolean() ? t : -1;
        assertThrows(IndexOutOfBoundsException.class, () -> Patchify.patchifyFrames(video, bad, p, u, null), "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void visibleTokenPatchifyIsRowsOfTheFullOne(long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(3), c = 1 + r.nextInt(3), u = 1 + r.nextInt(2), p = 2 + r.nextInt(3);
        int t = u * (1 + r.nextInt(3)), h = p * (1 + r.nextInt(3)), w = p * (1 + r.nextInt(4));
        Tensor video = randn(r, n, c, t, h, w);
        boolean conv = r.nextBoolean(); // the embedding's (c, t, y, x) vectors, else the targets' (t, y, x, c)
        Tensor full = conv ? Patchify.convPatches(video, p, u, null) : Patchify.patchify(video, p, u);
        int l = full.size(1), dim = full.size(2), k = 1 + r.nextInt(l);
        int[] ids = new int[n * k];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(l);
        IntTensor idsT = new IntTensor(ids, n, k);
        Tensor some = conv ? Patchify.convPatches(video, p, u, idsT) : Patchify.patchify(video, p, u, idsT);
        assertArrayEquals(new int[] {n, k, dim}, some.shape(), "seed " + seed);
        for (int b = 0; b < n; b++)
            for (int j = 0; j < k; j++)
                for (int e = 0; e < dim; e++)
                    assertEquals(full.data()[(b * l + ids[b * k + j]) * dim + e], some.data()[(b * k + j) * dim + e], "seed " + seed);
    }

    @Test
    void patchVectorOrderIsTimeRowColumnChannel() {
        // video[n, c, t, y, x] = encoded coordinates, so every slot of the patch vector is checkable.
        int c = 3, t = 4, h = 4, w = 4, p = 2, u = 2;
        Tensor v = Tensor.zeros(1, c, t, h, w);
        for (int ch = 0; ch < c; ch++) for (int ti = 0; ti < t; ti++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
            v.set(ch * 1000 + ti * 100 + y * 10 + x, 0, ch, ti, y, x);
        Tensor pt = Patchify.patchify(v, p, u);
        // token (ti=1, hi=0, wi=1) = 1*4 + 0*2 + 1 = 5; element (ui=1, py=1, px=0, c=2).
        int k = ((1 * p + 1) * p + 0) * c + 2;
        assertEquals(2 * 1000 + 3 * 100 + 1 * 10 + 2, pt.get(0, 5, k));
        // The embedding's order is the Conv3d weight's: (c, ui, py, px), column fastest.
        Tensor conv = Patchify.convPatches(v, p, u, null);
        assertEquals(2 * 1000 + 3 * 100 + 1 * 10 + 2, conv.get(0, 5, ((2 * u + 1) * p + 1) * p + 0));
    }

    @Test
    void targetFramesFollowTorchFloat32Linspace() {
        // The truth table of the semantics doc §14.
        assertArrayEquals(new int[] {0, 2, 4, 6, 8, 10, 12, 15}, Patchify.targetFrameIndex(16, 8));
        assertArrayEquals(new int[] {0, 4, 8, 13, 17, 22, 26, 31}, Patchify.targetFrameIndex(32, 8));
        assertArrayEquals(new int[] {0, 2, 4, 7}, Patchify.targetFrameIndex(8, 4));
        assertArrayEquals(new int[] {0, 4, 8, 12, 16, 21, 25, 29, 33, 37, 42, 46, 50, 54, 58, 63}, Patchify.targetFrameIndex(64, 16));
        assertEquals(0.6666667f, Patchify.torchLinspace(0, 1, 10)[6]);
        int[] l2 = new int[15];
        float[] v = Patchify.torchLinspace(0, 2, 15);
        for (int i = 0; i < 15; i++) l2[i] = (int) v[i];
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2}, l2);
        float[] v5 = Patchify.torchLinspace(0, 5, 16);
        int[] l5 = new int[16];
        for (int i = 0; i < 16; i++) l5[i] = (int) v5[i];
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5}, l5);
    }

    @Test
    void sinCosTableMatchesVideoMae() {
        Tensor t = SinCos.table(3, 4);
        assertArrayEquals(new float[] {0.84147096f, 0.5403023f, 0.00999983f, 0.99995f}, java.util.Arrays.copyOfRange(t.data(), 4, 8), 1e-7f);
        assertArrayEquals(new float[] {0.9092974f, -0.41614684f, 0.01999867f, 0.9998f}, java.util.Arrays.copyOfRange(t.data(), 8, 12), 1e-7f);
        Tensor t6 = SinCos.table(2, 6);
        assertArrayEquals(new float[] {0.84147096f, 0.5403023f, 0.04639922f, 0.998923f, 0.00215443f, 0.9999977f},
                java.util.Arrays.copyOfRange(t6.data(), 6, 12), 1e-7f);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void patchEmbeddingEqualsADirectConv3d(long seed) {
        MaeConfig cfg = config(seed);
        MaskedAutoencoder m = Init.create(cfg, seed);
        Random r = new Random(seed);
        Tensor x = randn(r, 2, cfg.inChans(), cfg.numFrames(), cfg.imgSize(), cfg.imgSize());
        Tensor got;
        try (var g = NoGrad.enter()) {
            got = m.patchEmbed(x).value;
        }
        Tensor w = m.params.get("patch_embed.proj.weight").value, b = m.params.get("patch_embed.proj.bias").value;
        int d = cfg.embedDim(), c = cfg.inChans(), tp = cfg.tPatchSize(), p = cfg.patchSize();
        for (int n = 0; n < 2; n++)
            for (int ti = 0; ti < cfg.gridT(); ti++)
                for (int hi = 0; hi < cfg.gridH(); hi++)
                    for (int wi = 0; wi < cfg.gridW(); wi++)
                        for (int o = 0; o < d; o++) {
                            double s = b.data()[o];
                            for (int ch = 0; ch < c; ch++) for (int dt = 0; dt < tp; dt++) for (int dy = 0; dy < p; dy++) for (int dx = 0; dx < p; dx++)
                                s += (double) w.get(o, ch, dt, dy, dx) * x.get(n, ch, ti * tp + dt, hi * p + dy, wi * p + dx);
                            int l = (ti * cfg.gridH() + hi) * cfg.gridW() + wi;
                            assertEquals(s, got.get(n, l, o), 1e-4 * (1 + Math.abs(s)), "seed " + seed);
                        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void normalisedTargetsHaveZeroMean(long seed) {
        Random r = new Random(seed);
        for (MaeConfig.TargetNorm norm : MaeConfig.TargetNorm.values()) {
            MaeConfig cfg = config(seed).toBuilder().targetNorm(norm).build();
            Tensor x = randn(r, 2, 3, cfg.numFrames(), cfg.imgSize(), cfg.imgSize());
            Tensor t = Targets.target(cfg, x);
            int dim = cfg.predDim(), ch = norm == MaeConfig.TargetNorm.MAE_ST ? 1 : 3;
            for (int tok = 0; tok < t.size() / dim; tok++)
                for (int c = 0; c < ch; c++) {
                    double s = 0;
                    for (int i = c; i < dim; i += ch) s += t.data()[tok * dim + i];
                    assertEquals(0, s / (dim / ch), 1e-5, "seed " + seed + " " + norm + " token " + tok);
                }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void lossDoesNotDependOnTheOrderOfVisibleTokens(long seed) {
        MaeConfig cfg = config(seed);
        MaskedAutoencoder model = Init.create(cfg, seed);
        Random r = new Random(seed);
        Tensor x = randn(r, 2, 3, cfg.numFrames(), cfg.imgSize(), cfg.imgSize());
        Mask m = MaskedAutoencoder.masking(cfg).sample(r, 2);
        // Same kept set, reversed order within each sample.
        int l = m.numTokens(), k = m.lenKeep();
        int[][] shuffle = new int[2][l];
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < l; i++) {
                int tok = i;
                int rank = m.idsRestore().data[b * l + tok];
                shuffle[b][rank < k ? k - 1 - rank : rank] = tok;
            }
        Mask reversed = Mask.fromShuffle(shuffle, k);
        try (var g = NoGrad.enter()) {
            float a = model.forward(x, m).loss().value.item(), b = model.forward(x, reversed).loss().value.item();
            assertEquals(a, b, 1e-5 * Math.abs(a), "seed " + seed);
        }
    }

    @Test
    void impossibleConfigsNameTheFieldAndTheRule() {
        String m = assertThrows(IllegalArgumentException.class, () -> MaeConfig.builder().imgSize(100).build()).getMessage();
        assertTrue(m.contains("img_size") && m.contains("divisible by patch_size"), m);
        m = assertThrows(IllegalArgumentException.class, () -> MaeConfig.builder().embedDim(100).build()).getMessage();
        assertTrue(m.contains("embed_dim") && m.contains("num_heads"), m);
        m = assertThrows(IllegalArgumentException.class, () -> MaeConfig.builder().numFrames(15).build()).getMessage();
        assertTrue(m.contains("num_frames") && m.contains("t_patch_size"), m);
        m = assertThrows(IllegalArgumentException.class, () -> MaeConfig.builder().predTDim(5).build()).getMessage();
        assertTrue(m.contains("pred_t_dim"), m);
        m = assertThrows(IllegalArgumentException.class, () -> MaeConfig.builder().imgSize(32).numFrames(4).predTDim(2).maskRatio(0.95).build()).getMessage();
        assertTrue(m.contains("mask_ratio") && m.contains("no visible token"), m);
        m = assertThrows(IllegalArgumentException.class, () -> MaeConfig.builder().decoderEmbedDim(100).build()).getMessage();
        assertTrue(m.contains("decoder_embed_dim"), m);
    }

    @Test
    void presetsBuildAndRoundTripThroughJson() {
        for (String p : MaeConfig.PRESETS) {
            MaeConfig c = MaeConfig.preset(p);
            assertEquals(c, MaeConfig.fromMap(org.stmae.io.Json.parseObject(org.stmae.io.Json.write(c.toMap()))), p);
        }
        assertEquals(1568, MaeConfig.preset("vit-b").numPatches());
        assertEquals(156, MaeConfig.preset("vit-b").lenKeep());
        assertEquals(768, MaeConfig.preset("vit-l").predDim());
    }

    @Test
    void initialisationFollowsTheOfficialRules() {
        MaskedAutoencoder m = Init.create(MaeConfig.preset("tiny"), 7);
        Tensor q = m.params.get("blocks.0.attn.q.weight").value;
        double bound = Math.sqrt(6.0 / (q.size(0) + q.size(1)));
        assertTrue(q.maxAbs() <= bound && q.maxAbs() > 0.9 * bound, "xavier bound");
        assertEquals(0f, m.params.get("blocks.0.attn.q.bias").value.maxAbs());
        assertEquals(0f, m.params.get("decoder_cls_token").value.maxAbs());
        assertEquals(1f, m.params.get("norm.weight").value.data()[3]);
        double sd = std(m.params.get("pos_embed_spatial").value);
        assertTrue(sd > 0.015 && sd < 0.025, "pos embed std " + sd);
        assertArrayEquals(Init.create(MaeConfig.preset("tiny"), 7).params.get("mask_token").value.data(), m.params.get("mask_token").value.data());
    }

    static double std(Tensor t) {
        double s = 0, ss = 0;
        for (float v : t.data()) { s += v; ss += v * v; }
        double mean = s / t.size();
        return Math.sqrt(ss / t.size() - mean * mean);
    }

    @Test
    void checkpointsRoundTripAndRejectWrongShapes(@TempDir Path dir) throws Exception {
        MaeConfig cfg = MaeConfig.preset("tiny");
        MaskedAutoencoder a = Init.create(cfg, 1), b = Init.create(cfg, 2);
        Path f = dir.resolve("model.safetensors");
        Checkpoints.save(a, f);
        Checkpoints.load(b, f);
        for (Parameter p : a.params.all()) assertArrayEquals(p.value.data(), b.params.get(p.name).value.data(), p.name);
        MaskedAutoencoder wider = Init.create(cfg.toBuilder().embedDim(120).build(), 1);
        String msg = assertThrows(java.io.IOException.class, () -> Checkpoints.load(wider, f)).getMessage();
        assertTrue(msg.contains("model.safetensors") && msg.contains("patch_embed.proj.weight") && msg.contains("[96, 3, 2, 8, 8]") && msg.contains("[120, 3, 2, 8, 8]"), msg);
    }
}

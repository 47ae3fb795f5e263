package org.stmae.mae;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmae.autograd.NoGrad;
import org.stmae.autograd.Parameter;
import org.stmae.masking.Mask;
import org.stmae.tensor.Tensor;

/** Deflation of a video model to an image model (SPEC.md, deflation). */
class DeflationTest {
    /** 4 frames of 16x16, patch 2x8x8: 2 temporal slots x 4 positions. */
    static MaeConfig.Builder small() {
        return MaeConfig.builder().imgSize(16).patchSize(8).numFrames(4).tPatchSize(2).predTDim(2)
                .embedDim(32).depth(2).numHeads(4).decoderEmbedDim(16).decoderDepth(1).decoderNumHeads(2).maskRatio(0.5);
    }

    /** Encoder output and predictions for every token, visible in token order. */
    static MaskedAutoencoder.Output all(MaskedAutoencoder m, Tensor x) {
        int l = m.cfg.numPatches();
        int[][] order = new int[x.size(0)][l];
        for (int[] o : order) for (int i = 0; i < l; i++) o[i] = i;
        try (var g = NoGrad.enter()) {
            return m.forward(x, Mask.fromShuffle(order, l));
        }
    }

    /** A random frame [1, C, 1, H, W] and the static clip repeating it [1, C, T, H, W]. */
    static Tensor[] frameAndStaticClip(MaeConfig c, long seed) {
        Random rng = new Random(seed);
        int hw = c.imgSize() * c.imgSize();
        Tensor frame = Tensor.zeros(1, c.inChans(), 1, c.imgSize(), c.imgSize());
        for (int i = 0; i < frame.size(); i++) frame.data()[i] = (float) rng.nextGaussian();
        Tensor clip = Tensor.zeros(1, c.inChans(), c.numFrames(), c.imgSize(), c.imgSize());
        for (int ch = 0; ch < c.inChans(); ch++)
            for (int f = 0; f < c.numFrames(); f++) System.arraycopy(frame.data(), ch * hw, clip.data(), (ch * c.numFrames() + f) * hw, hw);
        return new Tensor[] {frame, clip};
    }

    /** max over slots, positions and features of |video[slot, s] - image[s]| for [1, T'*HW, W] vs [1, HW, W]. */
    static double slotDiff(Tensor video, Tensor image) {
        int per = image.size(), slots = video.size() / per;
        double worst = 0;
        for (int s = 0; s < slots; s++)
            for (int i = 0; i < per; i++) worst = Math.max(worst, Math.abs(video.data()[s * per + i] - image.data()[i]));
        return worst;
    }

    /** The video model with each temporal position row replaced by the rows' mean. */
    static MaskedAutoencoder withMeanTemporal(MaskedAutoencoder m) {
        MaskedAutoencoder copy = new MaskedAutoencoder(m.cfg);
        for (Parameter p : m.params.all()) {
            Tensor v = Tensor.of(p.value.data().clone(), p.value.shape());
            if (p.name.endsWith("pos_embed_temporal")) {
                int slots = v.size(1), w = v.size(2);
                for (int j = 0; j < w; j++) {
                    double s = 0;
                    for (int k = 0; k < slots; k++) s += v.data()[k * w + j];
                    for (int k = 0; k < slots; k++) v.data()[k * w + j] = (float) (s / slots);
                }
            }
            copy.params.load(p.name, v);
        }
        return copy;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void staticClipAndItsFrameGiveTheSameEncoderOutput(long seed) {
        MaeConfig c = small().clsEmbed(false).build();
        MaskedAutoencoder video = Init.create(c, seed), image = Deflation.deflate(video);
        Tensor[] in = frameAndStaticClip(c, seed + 100);
        var img = all(image, in[0]);
        // Temporal positions all equal to their mean: every slot of the static clip is the same
        // token sequence, each key appears T' times with the same logit, so attention (and all
        // else) equals the image model's. Only float rounding differs.
        var same = all(withMeanTemporal(video), in[1]);
        double latent = slotDiff(same.latent().value, img.latent().value), pred = slotDiff(same.pred().value, img.pred().value);
        assertTrue(latent <= 1e-5, "seed " + seed + ": encoder output differs by " + latent);
        assertTrue(pred <= 1e-5, "seed " + seed + ": predictions differ by " + pred);
        // With its own (distinct) temporal rows the video encoder sees different tokens per slot.
        double own = slotDiff(all(video, in[1]).latent().value, img.latent().value);
        assertTrue(own > 1e-3, "seed " + seed + ": the temporal positions should matter, diff " + own);
    }

    @Test
    void aClassTokenBreaksTheEquality() {
        // The class key appears once in the video sequence but its patch keys T' times, so the
        // class token's share of attention differs from the image model's.
        MaeConfig c = small().clsEmbed(true).build();
        MaskedAutoencoder video = Init.create(c, 5), image = Deflation.deflate(video);
        Tensor[] in = frameAndStaticClip(c, 6);
        double d = slotDiff(all(withMeanTemporal(video), in[1]).latent().value, all(image, in[0]).latent().value);
        assertTrue(d > 1e-4, "diff " + d);
    }

    @Test
    void whatHappensToEachWeight() {
        MaeConfig c = small().predTDim(4).build(); // u = 2: the pixel target holds both frames of a tubelet
        MaskedAutoencoder video = Init.create(c, 7), image = Deflation.deflate(video);
        assertEquals(1, image.cfg.numFrames());
        assertEquals(1, image.cfg.tPatchSize());
        assertEquals(1, image.cfg.predTDim());
        Tensor w = video.params.get("patch_embed.proj.weight").value, wi = image.params.get("patch_embed.proj.weight").value;
        assertArrayEquals(new int[] {32, 3, 1, 8, 8}, wi.shape());
        for (int i = 0; i < 32 * 3; i++)
            for (int k = 0; k < 64; k++) assertEquals(w.data()[(i * 2) * 64 + k] + w.data()[(i * 2 + 1) * 64 + k], wi.data()[i * 64 + k], 1e-7);
        for (String same : new String[] {"cls_token", "pos_embed_spatial", "pos_embed_class", "blocks.1.attn.q.weight", "norm.weight",
                "decoder_pos_embed_spatial", "mask_token", "patch_embed.proj.bias"})
            assertArrayEquals(video.params.get(same).value.data(), image.params.get(same).value.data(), same);
        Tensor t = video.params.get("pos_embed_temporal").value, ti = image.params.get("pos_embed_temporal").value;
        assertArrayEquals(new int[] {1, 1, 32}, ti.shape());
        for (int j = 0; j < 32; j++) assertEquals((t.data()[j] + t.data()[32 + j]) / 2, ti.data()[j], 1e-7);
        // decoder_pred rows are (frame-in-patch, y, x, c): the two frames' rows are averaged.
        Tensor p = video.params.get("decoder_pred.weight").value, pi = image.params.get("decoder_pred.weight").value;
        assertArrayEquals(new int[] {192, 16}, pi.shape());
        for (int i = 0; i < 192 * 16; i++) assertEquals((p.data()[i] + p.data()[192 * 16 + i]) / 2, pi.data()[i], 1e-7);
    }

    @Test
    void jointTablesAverageTheirSlotsAndKeepTheClassRow() {
        MaeConfig c = small().sepPosEmbed(false).build();
        MaskedAutoencoder video = Init.create(c, 8), image = Deflation.deflate(video);
        Tensor t = video.params.get("pos_embed").value, ti = image.params.get("pos_embed").value;
        assertArrayEquals(new int[] {1, 1 + 4, 32}, ti.shape());
        for (int j = 0; j < 32; j++) assertEquals(t.data()[j], ti.data()[j]);
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 32; j++) assertEquals((t.data()[(1 + r) * 32 + j] + t.data()[(5 + r) * 32 + j]) / 2, ti.data()[(1 + r) * 32 + j], 1e-7);
    }

    @Test
    void frameMaskingBecomesRandomAndDeflatingTwiceChangesNothing() {
        MaeConfig c = small().maskType(MaeConfig.MaskType.FRAME).target(MaeConfig.Target.HOG).patchSize(8).build();
        MaskedAutoencoder once = Deflation.deflate(Init.create(c, 9)), twice = Deflation.deflate(once);
        assertEquals(MaeConfig.MaskType.RANDOM, once.cfg.maskType());
        assertEquals(27, once.params.get("decoder_pred.bias").value.size()); // HOG width does not depend on time
        for (Parameter p : once.params.all()) assertArrayEquals(p.value.data(), twice.params.get(p.name).value.data(), p.name);
    }
}

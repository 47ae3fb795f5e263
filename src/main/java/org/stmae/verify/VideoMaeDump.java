package org.stmae.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stmae.autograd.IndexOps;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.Var;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.mae.SinCos;
import org.stmae.masking.Mask;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Tensor;
import org.stmae.verify.Verifier.InvalidDump;
import org.stmae.verify.Verifier.Row;

/**
 * Dumps of VideoMAE's own architecture ({@code "arch": "videomae"}), recomputed by our model in
 * its VideoMAE shape (semantics §11.4): no class token, fixed sin-cos tables, full-tubelet
 * targets normalised per channel, tube masking; fused qkv weights split on load. VideoMAE keeps
 * only the masked tokens' predictions (ascending token order), so ours are gathered likewise,
 * and our q, k, v gradients are fused back into the dump's qkv layout for comparison.
 */
final class VideoMaeDump {
    private VideoMaeDump() {}

    static MaeConfig config(Safetensors f) throws InvalidDump {
        Map<String, Object> c = Json.parseObject(Verifier.require(f, "config"));
        try {
            int frames = intOf(c, "num_frames", 16);
            MaeConfig cfg = MaeConfig.builder()
                    .imgSize(intOf(c, "img_size", 224)).patchSize(intOf(c, "patch_size", 16)).inChans(intOf(c, "in_chans", 3))
                    .numFrames(frames).tPatchSize(intOf(c, "tubelet_size", 2)).predTDim(frames)
                    .embedDim(intOf(c, "encoder_embed_dim", 768)).depth(intOf(c, "encoder_depth", 12)).numHeads(intOf(c, "encoder_num_heads", 12))
                    .decoderEmbedDim(intOf(c, "decoder_embed_dim", 384)).decoderDepth(intOf(c, "decoder_depth", 4))
                    .decoderNumHeads(intOf(c, "decoder_num_heads", 6))
                    .mlpRatio(c.containsKey("mlp_ratio") ? ((Number) c.get("mlp_ratio")).doubleValue() : 4)
                    .normEps(c.containsKey("norm_eps") ? ((Number) c.get("norm_eps")).doubleValue() : 1e-6)
                    .qkvBias(!Boolean.FALSE.equals(c.get("qkv_bias")))
                    .clsEmbed(false).sepPosEmbed(false).posEmbed(MaeConfig.PosEmbed.SINCOS)
                    .normPixLoss(true).targetNorm(MaeConfig.TargetNorm.VIDEOMAE)
                    .maskType(MaeConfig.MaskType.TUBE).maskRatio(((Number) c.getOrDefault("mask_ratio", 0.9)).doubleValue())
                    .build();
            int classes = intOf(c, "decoder_num_classes", cfg.predDim());
            if (classes != cfg.predDim())
                throw new InvalidDump(f.path() + ": decoder_num_classes " + classes + " is not 3 x tubelet x patch^2 = " + cfg.predDim());
            return cfg;
        } catch (IllegalArgumentException e) {
            throw new InvalidDump(f.path() + ": " + e.getMessage());
        }
    }

    private static int intOf(Map<String, Object> c, String key, int dflt) {
        Object v = c.get(key);
        return v == null ? dflt : ((Number) v).intValue();
    }

    static List<Row> run(Safetensors f) throws IOException, InvalidDump {
        MaeConfig cfg = config(f);
        MaskedAutoencoder model = new MaskedAutoencoder(cfg);
        try {
            Checkpoints.apply(model, Checkpoints.readFused(f, Checkpoints.Convention.VIDEOMAE, true), f.path());
        } catch (IOException e) {
            throw new InvalidDump(e.getMessage());
        }
        Tensor input = Verifier.tensor(f, "input");
        Tensor given = Verifier.tensor(f, "mask");
        int n = given.size(0), l = given.size(1);
        // The dump's boolean mask drives the model; our tube masking from the noise must agree with it.
        int[][] shuffle = new int[n][];
        int masked = 0;
        for (int b = 0; b < n; b++) {
            boolean[] m = new boolean[l];
            int count = 0;
            for (int i = 0; i < l; i++) {
                m[i] = given.data()[b * l + i] != 0;
                if (m[i]) count++;
            }
            if (b > 0 && count != masked) throw new InvalidDump(f.path() + ": samples have different masked counts");
            masked = count;
            shuffle[b] = Mask.visibleFirst(m);
        }
        Mask mask = Mask.fromShuffle(shuffle, l - masked);
        List<Row> rows = new ArrayList<>();
        if (f.has("noise")) {
            Mask fromNoise = MaskedAutoencoder.masking(cfg).fromNoise(Verifier.tensor(f, "noise"));
            Verifier.compareWith(rows, "mask (from noise)", given, fromNoise.mask(), 0);
        }
        Verifier.compareInts(rows, f, "ids_keep", mask.idsKeep());
        IntTensor idsMasked = maskedIds(mask, n, l, masked);
        Verifier.compareInts(rows, f, "ids_masked", idsMasked);
        Verifier.compare(rows, f, "table.encoder.pos_embed", SinCos.table(l, cfg.embedDim()).reshape(1, l, cfg.embedDim()));
        Verifier.compare(rows, f, "table.pos_embed", SinCos.table(l, cfg.decoderEmbedDim()).reshape(1, l, cfg.decoderEmbedDim()));

        MaskedAutoencoder.Output out = model.forward(input, mask);
        Verifier.compare(rows, f, "act.patch_embed", model.patchEmbed(input).value);
        Verifier.compare(rows, f, "act.latent", out.latent().value);
        Verifier.compare(rows, f, "target", IndexOps.gather(Var.constant(out.target()), 1, idsMasked).value);
        Verifier.compare(rows, f, "pred", IndexOps.gather(out.pred().detach(), 1, idsMasked).value);
        Verifier.compare(rows, f, "loss", out.loss().value);
        out.loss().backward();
        compareGradients(rows, f, model);
        return rows;
    }

    /** The masked token ids per sample, ascending: the shuffle's tail. */
    private static IntTensor maskedIds(Mask mask, int n, int l, int masked) {
        int[] ids = new int[n * masked];
        for (int b = 0; b < n; b++)
            for (int tok = 0; tok < l; tok++) {
                int r = mask.idsRestore().data[b * l + tok];
                if (r >= l - masked) ids[b * masked + r - (l - masked)] = tok;
            }
        return new IntTensor(ids, n, masked);
    }

    private static void compareGradients(List<Row> rows, Safetensors f, MaskedAutoencoder model) throws IOException {
        for (Parameter p : model.params.all()) {
            String theirs = toVideoMae(p.name);
            if (theirs == null) continue;
            if (p.name.endsWith(".attn.q.weight")) {
                String block = p.name.substring(0, p.name.length() - ".attn.q.weight".length());
                Tensor q = grad(model, block + ".attn.q.weight"), k = grad(model, block + ".attn.k.weight"), v = grad(model, block + ".attn.v.weight");
                int d = q.size(0);
                float[] all = new float[3 * d * d];
                System.arraycopy(q.data(), 0, all, 0, d * d);
                System.arraycopy(k.data(), 0, all, d * d, d * d);
                System.arraycopy(v.data(), 0, all, 2 * d * d, d * d);
                Verifier.compare(rows, f, "grad." + theirs, Tensor.of(all, 3 * d, d));
            } else {
                Verifier.compare(rows, f, "grad." + theirs, grad(model, p.name));
            }
        }
    }

    private static Tensor grad(MaskedAutoencoder m, String name) {
        Parameter p = m.params.get(name);
        return p.grad() == null ? Tensor.zeros(p.shape()) : p.grad();
    }

    /** Our name -> VideoMAE's (q.weight stands for the fused qkv; k/v weights, k bias and decoder_embed.bias have none). */
    static String toVideoMae(String ours) {
        if (ours.endsWith(".attn.k.weight") || ours.endsWith(".attn.v.weight") || ours.endsWith(".attn.k.bias") || ours.equals("decoder_embed.bias"))
            return null;
        String s = ours.replace(".attn.q.weight", ".attn.qkv.weight").replace(".attn.q.bias", ".attn.q_bias").replace(".attn.v.bias", ".attn.v_bias");
        if (s.startsWith("patch_embed.") || s.startsWith("blocks.") || s.startsWith("norm.")) return "encoder." + s;
        if (s.startsWith("decoder_blocks.")) return "decoder.blocks." + s.substring("decoder_blocks.".length());
        if (s.startsWith("decoder_norm.")) return "decoder.norm." + s.substring("decoder_norm.".length());
        if (s.startsWith("decoder_pred.")) return "decoder.head." + s.substring("decoder_pred.".length());
        if (s.equals("decoder_embed.weight")) return "encoder_to_decoder.weight";
        return s;
    }
}

package org.stmae.mae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.io.Safetensors;
import org.stmae.tensor.Tensor;

/**
 * VideoMAE and Hugging Face state_dict names (semantics doc §11.2, §11.3) load into our model:
 * the files here are written key by key from those tables, with fused q|k|v rows.
 */
class ForeignCheckpointTest {
    /** A VideoMAE-shaped model: no cls, fixed table, full-tubelet head, tube masking. */
    static MaeConfig videoMaeConfig() {
        return MaeConfig.preset("tiny").toBuilder().clsEmbed(false).sepPosEmbed(false).posEmbed(MaeConfig.PosEmbed.SINCOS)
                .predTDim(8).maskType(MaeConfig.MaskType.TUBE).targetNorm(MaeConfig.TargetNorm.VIDEOMAE).build();
    }

    static Tensor fused(MaskedAutoencoder m, String block) {
        Tensor q = m.params.get(block + ".attn.q.weight").value, k = m.params.get(block + ".attn.k.weight").value,
                v = m.params.get(block + ".attn.v.weight").value;
        int d = q.size(0);
        float[] all = new float[3 * d * d];
        System.arraycopy(q.data(), 0, all, 0, d * d);
        System.arraycopy(k.data(), 0, all, d * d, d * d);
        System.arraycopy(v.data(), 0, all, 2 * d * d, d * d);
        return Tensor.of(all, 3 * d, d);
    }

    /** Writes the model's weights under VideoMAE (hf=false) or HF (hf=true) names. */
    static void writeForeign(MaskedAutoencoder m, Path f, boolean hf) throws Exception {
        Safetensors.Writer w = new Safetensors.Writer();
        MaeConfig c = m.cfg;
        String pe = hf ? "videomae.embeddings.patch_embeddings.projection." : "encoder.patch_embed.proj.";
        w.put(pe + "weight", m.params.get("patch_embed.proj.weight").value).put(pe + "bias", m.params.get("patch_embed.proj.bias").value);
        for (int side = 0; side < 2; side++) {
            int depth = side == 0 ? c.depth() : c.decoderDepth();
            for (int i = 0; i < depth; i++) {
                String ours = (side == 0 ? "blocks." : "decoder_blocks.") + i;
                String theirs = hf ? (side == 0 ? "videomae.encoder.layer." : "decoder.decoder_layers.") + i : (side == 0 ? "encoder.blocks." : "decoder.blocks.") + i;
                if (hf) {
                    String a = theirs + ".attention.attention.";
                    w.put(a + "query.weight", m.params.get(ours + ".attn.q.weight").value);
                    w.put(a + "key.weight", m.params.get(ours + ".attn.k.weight").value);
                    w.put(a + "value.weight", m.params.get(ours + ".attn.v.weight").value);
                    w.put(a + "q_bias", m.params.get(ours + ".attn.q.bias").value).put(a + "v_bias", m.params.get(ours + ".attn.v.bias").value);
                } else {
                    w.put(theirs + ".attn.qkv.weight", fused(m, ours));
                    w.put(theirs + ".attn.q_bias", m.params.get(ours + ".attn.q.bias").value).put(theirs + ".attn.v_bias", m.params.get(ours + ".attn.v.bias").value);
                }
                String[][] same = hf
                        ? new String[][] {{".attn.proj.", ".attention.output.dense."}, {".norm1.", ".layernorm_before."}, {".norm2.", ".layernorm_after."},
                            {".mlp.fc1.", ".intermediate.dense."}, {".mlp.fc2.", ".output.dense."}}
                        : new String[][] {{".attn.proj.", ".attn.proj."}, {".norm1.", ".norm1."}, {".norm2.", ".norm2."}, {".mlp.fc1.", ".mlp.fc1."}, {".mlp.fc2.", ".mlp.fc2."}};
                for (String[] s : same)
                    for (String wb : new String[] {"weight", "bias"}) w.put(theirs + s[1] + wb, m.params.get(ours + s[0] + wb).value);
            }
        }
        String norm = hf ? "videomae.layernorm." : "encoder.norm.";
        w.put(norm + "weight", m.params.get("norm.weight").value).put(norm + "bias", m.params.get("norm.bias").value);
        w.put("encoder_to_decoder.weight", m.params.get("decoder_embed.weight").value);
        w.put("mask_token", m.params.get("mask_token").value);
        w.put("decoder.norm.weight", m.params.get("decoder_norm.weight").value).put("decoder.norm.bias", m.params.get("decoder_norm.bias").value);
        w.put("decoder.head.weight", m.params.get("decoder_pred.weight").value).put("decoder.head.bias", m.params.get("decoder_pred.bias").value);
        w.write(f);
    }

    @Test
    void videoMaeAndHuggingFaceNamesLoadIntoTheSameModel(@TempDir Path dir) throws Exception {
        MaeConfig cfg = videoMaeConfig();
        MaskedAutoencoder src = Init.create(cfg, 3);
        // VideoMAE has no key bias and no decoder_embed bias: zero them so the round trip is exact.
        java.util.Arrays.fill(src.params.get("decoder_embed.bias").value.data(), 0f);
        for (var p : src.params.all()) if (p.name.endsWith("attn.k.bias")) java.util.Arrays.fill(p.value.data(), 0f);
        for (var p : src.params.all()) if (p.name.endsWith(".bias")) for (int i = 0; i < p.value.size(); i++) if (!p.name.endsWith("k.bias") && !p.name.startsWith("decoder_embed")) p.value.data()[i] = 0.01f * i;
        for (boolean hf : new boolean[] {false, true}) {
            Path f = dir.resolve(hf ? "hf.safetensors" : "videomae.safetensors");
            writeForeign(src, f, hf);
            MaskedAutoencoder dst = Init.create(cfg, 99);
            assertEquals(hf ? Checkpoints.Convention.HF : Checkpoints.Convention.VIDEOMAE, Checkpoints.load(dst, f));
            for (var p : src.params.all()) assertArrayEquals(p.value.data(), dst.params.get(p.name).value.data(), (hf ? "hf " : "videomae ") + p.name);
        }
    }

    @Test
    void aForeignFileForAnotherConfigIsRefusedByKey(@TempDir Path dir) throws Exception {
        MaskedAutoencoder src = Init.create(videoMaeConfig(), 3);
        Path f = dir.resolve("videomae.safetensors");
        writeForeign(src, f, false);
        MaskedAutoencoder withCls = Init.create(videoMaeConfig().toBuilder().clsEmbed(true).build(), 1);
        String msg = assertThrows(java.io.IOException.class, () -> Checkpoints.load(withCls, f)).getMessage();
        assertTrue(msg.contains("missing key 'cls_token'"), msg);
    }
}

package org.stmae.mae;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmae.autograd.Parameter;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * Model weights in safetensors under mae_st's state_dict names (so
 * {@code safetensors.torch.load_file} and the official model read them), and loading of
 * weights saved under VideoMAE's or Hugging Face's names into the same model (SPEC.md,
 * checkpoints). Loading is strict: a missing or unexpected key, or a wrong shape, is one error
 * naming the file, the key and both shapes.
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** Which naming a checkpoint uses. */
    public enum Convention { MAE_ST, VIDEOMAE, HF }

    /** Keys that hold no model weights in our files (optimizer state, training state). */
    public static final String TRAINING_STATE_PREFIX = "train.";

    public static Safetensors.Writer writer(MaskedAutoencoder model) {
        Safetensors.Writer w = new Safetensors.Writer();
        for (Parameter p : model.params.all()) w.put(p.name, p.value);
        w.meta("format", "stmae-checkpoint-v1").meta("config", Json.write(model.cfg.toMap()));
        return w;
    }

    public static void save(MaskedAutoencoder model, Path path) throws IOException {
        writer(model).write(path);
    }

    /** The config stored in one of our checkpoints, or null when the file has none. */
    public static MaeConfig configOf(Safetensors f) {
        String c = f.metadata().get("config");
        return c == null ? null : MaeConfig.fromMap(Json.parseObject(c));
    }

    public static Convention detect(Safetensors f) {
        if (f.has("encoder.patch_embed.proj.weight")) return Convention.VIDEOMAE;
        if (f.has("videomae.embeddings.patch_embeddings.projection.weight")) return Convention.HF;
        return Convention.MAE_ST;
    }

    /** Loads every model parameter from {@code path}; returns the convention found. */
    public static Convention load(MaskedAutoencoder model, Path path) throws IOException {
        try (Safetensors f = Safetensors.open(path)) {
            Convention c = detect(f);
            apply(model, weights(f, c), path);
            return c;
        }
    }

    /**
     * Every weight of an open file under our names, whatever its convention; a key that maps to
     * none of ours appears as {@code "?" + key} with a null value (callers report it).
     */
    public static Map<String, Tensor> weights(Safetensors f, Convention c) throws IOException {
        return switch (c) {
            case MAE_ST -> readMaeSt(f);
            case VIDEOMAE, HF -> readFused(f, c, false);
        };
    }

    private static Map<String, Tensor> readMaeSt(Safetensors f) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String n : f.names()) if (!n.startsWith(TRAINING_STATE_PREFIX)) m.put(n, f.floatTensor(n));
        return m;
    }

    /**
     * VideoMAE / HF weights renamed to mae_st's: fused qkv rows split into q, k, v (k gets a zero
     * bias: a key bias is a no-op under softmax), encoder_to_decoder becomes decoder_embed with a
     * zero bias, decoder.head becomes decoder_pred. Fixed position tables are not weights.
     */
    /**
     * Weights of a VideoMAE / HF file under our names. With {@code skipOthers}, tensors that are
     * not weights (a reference dump's input, outputs and gradients) are left out instead of being
     * reported as unexpected.
     */
    public static Map<String, Tensor> readFused(Safetensors f, Convention c, boolean skipOthers) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String key : f.names()) {
            String n = c == Convention.HF ? fromHf(key) : fromVideoMae(key);
            if (n == null) {
                if (!skipOthers) m.put("?" + key, null); // reported as unexpected below
                continue;
            }
            Tensor t = f.floatTensor(key);
            if (n.endsWith(".attn.qkv.weight")) {
                String prefix = n.substring(0, n.length() - "qkv.weight".length());
                int d = t.size(1);
                if (t.size(0) != 3 * d) throw new IOException(f.path() + ": " + key + " has shape " + Shapes.str(t.shape()) + ", expected [3*D, D]");
                for (int i = 0; i < 3; i++) {
                    float[] rows = java.util.Arrays.copyOfRange(t.storage().read(), i * d * d, (i + 1) * d * d);
                    m.put(prefix + "qkv".charAt(i) + ".weight", Tensor.of(rows, d, d));
                }
            } else {
                m.put(n, t);
            }
            if (n.endsWith(".attn.q.bias")) m.put(n.replace(".attn.q.bias", ".attn.k.bias"), Tensor.zeros(t.shape()));
            if (n.equals("decoder_embed.weight")) m.put("decoder_embed.bias", Tensor.zeros(t.size(0)));
        }
        return m;
    }

    static String fromVideoMae(String k) {
        if (k.startsWith("encoder.patch_embed.")) return k.substring("encoder.".length());
        if (k.startsWith("encoder.blocks.")) return vmBlock(k.substring("encoder.".length()));
        if (k.startsWith("encoder.norm.")) return k.substring("encoder.".length());
        if (k.equals("encoder_to_decoder.weight")) return "decoder_embed.weight";
        if (k.equals("mask_token")) return k;
        if (k.startsWith("decoder.blocks.")) return vmBlock("decoder_" + k.substring("decoder.".length()));
        if (k.startsWith("decoder.norm.")) return "decoder_norm." + k.substring("decoder.norm.".length());
        if (k.startsWith("decoder.head.")) return "decoder_pred." + k.substring("decoder.head.".length());
        return null;
    }

    private static String vmBlock(String k) {
        return k.replace(".attn.q_bias", ".attn.q.bias").replace(".attn.v_bias", ".attn.v.bias");
    }

    static String fromHf(String k) {
        if (k.startsWith("videomae.embeddings.patch_embeddings.projection."))
            return "patch_embed.proj." + k.substring("videomae.embeddings.patch_embeddings.projection.".length());
        if (k.startsWith("videomae.layernorm.")) return "norm." + k.substring("videomae.layernorm.".length());
        if (k.startsWith("videomae.encoder.layer.")) return hfBlock("blocks.", k.substring("videomae.encoder.layer.".length()));
        if (k.startsWith("decoder.decoder_layers.")) return hfBlock("decoder_blocks.", k.substring("decoder.decoder_layers.".length()));
        if (k.equals("encoder_to_decoder.weight")) return "decoder_embed.weight";
        if (k.equals("mask_token")) return k;
        if (k.startsWith("decoder.norm.")) return "decoder_norm." + k.substring("decoder.norm.".length());
        if (k.startsWith("decoder.head.")) return "decoder_pred." + k.substring("decoder.head.".length());
        return null;
    }

    private static String hfBlock(String prefix, String rest) {
        int dot = rest.indexOf('.');
        String i = rest.substring(0, dot), s = rest.substring(dot + 1);
        String[][] renames = {
                {"attention.attention.query.", "attn.q."}, {"attention.attention.key.", "attn.k."},
                {"attention.attention.value.", "attn.v."}, {"attention.attention.q_bias", "attn.q.bias"},
                {"attention.attention.v_bias", "attn.v.bias"}, {"attention.output.dense.", "attn.proj."},
                {"layernorm_before.", "norm1."}, {"layernorm_after.", "norm2."},
                {"intermediate.dense.", "mlp.fc1."}, {"output.dense.", "mlp.fc2."}};
        for (String[] r : renames) if (s.startsWith(r[0])) return prefix + i + "." + r[1] + s.substring(r[0].length());
        return null;
    }

    /** Copies {@code weights} (our names) into the model, strictly: every key used, every shape right. */
    public static void apply(MaskedAutoencoder model, Map<String, Tensor> weights, Path path) throws IOException {
        List<String> unexpected = new ArrayList<>();
        for (String k : weights.keySet()) if (k.startsWith("?") || !model.params.has(k)) unexpected.add(k.startsWith("?") ? k.substring(1) : k);
        if (!unexpected.isEmpty())
            throw new IOException(path + ": unexpected key '" + unexpected.get(0) + "' for this model config"
                    + (unexpected.size() > 1 ? " (and " + (unexpected.size() - 1) + " more)" : ""));
        for (Parameter p : model.params.all()) {
            Tensor t = weights.get(p.name);
            if (t == null) throw new IOException(path + ": missing key '" + p.name + "' (shape " + Shapes.str(p.value.shape()) + ")");
            if (!p.value.sameShape(t))
                throw new IOException(path + ": key '" + p.name + "' has shape " + Shapes.str(t.shape()) + ", the model expects " + Shapes.str(p.value.shape()));
        }
        for (Parameter p : model.params.all()) model.params.load(p.name, weights.get(p.name));
    }
}

package org.stmae.finetune;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stmae.autograd.Parameter;

/**
 * Layer-wise learning-rate decay and the fine-tuning weight-decay groups (mae_st's
 * util/lr_decay.param_groups_lrd; VideoMAE's layer ids are the same): with B blocks,
 * layer id 0 for cls_token, mask_token, patch_embed.* and pos_embed*, block k -> k + 1, anything
 * else (norm, fc_norm, head) -> B + 1; lr scale = decay^(B + 1 - id).
 */
public final class LayerDecay {
    private LayerDecay() {}

    /** No weight decay for these (mae_st's no_weight_decay list), nor for any 1-D parameter (biases, norms). */
    static final Set<String> NO_DECAY_NAMES = Set.of("cls_token", "pos_embed", "pos_embed_spatial", "pos_embed_temporal", "pos_embed_class");

    public static int layerId(String name, int depth) {
        if (name.equals("cls_token") || name.equals("mask_token") || name.startsWith("patch_embed") || name.startsWith("pos_embed")) return 0;
        if (name.startsWith("blocks.")) return Integer.parseInt(name.substring(7, name.indexOf('.', 7))) + 1;
        return depth + 1;
    }

    public static double scale(String name, int depth, double decay) {
        return Math.pow(decay, depth + 1 - layerId(name, depth));
    }

    /** lr scale per parameter name. */
    public static Map<String, Double> scales(List<Parameter> params, int depth, double decay) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Parameter p : params) m.put(p.name, scale(p.name, depth, decay));
        return m;
    }

    public static Set<String> noWeightDecay(List<Parameter> params) {
        Set<String> s = new HashSet<>();
        for (Parameter p : params) if (p.dim() == 1 || NO_DECAY_NAMES.contains(p.name)) s.add(p.name);
        return s;
    }
}

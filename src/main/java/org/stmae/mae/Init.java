package org.stmae.mae;

import java.util.List;
import java.util.Random;
import org.stmae.autograd.Parameter;

/**
 * mae_st's initialisation (SPEC.md, initialisation), drawn from a seeded generator in parameter
 * registration order, so one seed always gives the same model.
 * <ul>
 *   <li>every Linear weight: xavier_uniform on [out, in], bias 0 (trunc_init: normal(0, 0.02)
 *       truncated at +-2 absolute, i.e. effectively untruncated);</li>
 *   <li>patch_embed.proj.weight: xavier_uniform on the [D, C t p p] view (trunc_init: normal(0, 1)
 *       truncated at +-2); its bias keeps PyTorch's Conv3d default U(+-1/sqrt(C t p p));</li>
 *   <li>LayerNorm weight 1, bias 0; cls token and learned positions: normal(0, 0.02) truncated
 *       at +-2; mask tokens: normal(0, 0.02); decoder_cls_token stays 0, as in mae_st.</li>
 * </ul>
 */
public final class Init {
    private Init() {}

    public static void initialize(MaskedAutoencoder model, long seed) {
        initialize(model.cfg, model.params.all(), seed);
    }

    /** The same rules on any list of parameters with the model's names (e.g. a classifier's encoder). */
    public static void initialize(MaeConfig cfg, List<Parameter> params, long seed) {
        Random rng = new Random(seed);
        boolean trunc = cfg.truncInit();
        int patchDim = cfg.patchDim();
        for (Parameter p : params) {
            String n = p.name;
            float[] w = p.value.data();
            if (n.equals("patch_embed.proj.weight")) {
                if (trunc) truncNormal(rng, w, 1.0);
                else uniform(rng, w, Math.sqrt(6.0 / (patchDim + p.size(0))));
            } else if (n.equals("patch_embed.proj.bias")) {
                uniform(rng, w, 1.0 / Math.sqrt(patchDim));
            } else if (n.equals("decoder_cls_token")) {
                java.util.Arrays.fill(w, 0f);
            } else if (n.equals("mask_token") || n.equals("encoder_mask_token")) {
                if (trunc) truncNormal(rng, w, 0.02);
                else normal(rng, w, 0.02);
            } else if (n.equals("cls_token") || n.contains("pos_embed")) {
                truncNormal(rng, w, 0.02);
            } else if (isNorm(n)) {
                java.util.Arrays.fill(w, n.endsWith(".weight") ? 1f : 0f);
            } else if (n.endsWith(".bias")) {
                java.util.Arrays.fill(w, 0f);
            } else if (n.endsWith(".weight") && p.dim() == 2) {
                if (trunc) truncNormal(rng, w, 0.02);
                else uniform(rng, w, Math.sqrt(6.0 / (p.size(0) + p.size(1))));
            } else {
                throw new IllegalStateException("no initialisation rule for parameter '" + n + "'");
            }
        }
    }

    private static boolean isNorm(String name) {
        return name.startsWith("norm.") || name.startsWith("decoder_norm.") || name.contains(".norm1.") || name.contains(".norm2.");
    }

    public static void uniform(Random rng, float[] w, double bound) {
        for (int i = 0; i < w.length; i++) w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }

    static void normal(Random rng, float[] w, double std) {
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
    }

    /** Normal(0, std) redrawn outside [-2, 2] (absolute cut-offs, as torch's trunc_normal_). */
    public static void truncNormal(Random rng, float[] w, double std) {
        for (int i = 0; i < w.length; i++) {
            double v;
            do v = rng.nextGaussian() * std; while (v < -2 || v > 2);
            w[i] = (float) v;
        }
    }

    /** A fresh, initialised model. */
    public static MaskedAutoencoder create(MaeConfig cfg, long seed) {
        MaskedAutoencoder m = new MaskedAutoencoder(cfg);
        initialize(m, seed);
        return m;
    }
}

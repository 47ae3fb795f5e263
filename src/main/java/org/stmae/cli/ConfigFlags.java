package org.stmae.cli;

import org.stmae.mae.MaeConfig;

/** The model flags shared by every command that builds a model: --preset plus each config field. */
final class ConfigFlags {
    private ConfigFlags() {}

    static String usage(String defaultPreset) {
        return String.join("\n",
                "model (mae_st's argument names; - and _ are interchangeable):",
                "  --preset P            tiny | vit-s | vit-b | vit-l | vit-h (default " + defaultPreset + ")",
                "  --img_size --patch_size --in_chans --num_frames --t_patch_size --pred_t_dim",
                "  --embed_dim --depth --num_heads --decoder_embed_dim --decoder_depth --decoder_num_heads",
                "  --mlp_ratio --norm_eps --qkv_bias B --sep_pos_embed B --cls_embed B --trunc_init B",
                "  --mask_type random|tube|frame|cube   --mask_ratio R (default 0.9)",
                "  --norm_pix_loss B (default true)   --target_norm mae_st|videomae",
                "  --target pixel|hog    what the decoder predicts: (normalised) pixels, or MaskFeat's HOG",
                "                        (9 bins x 8x8 cells x C per frame; norm_pix_loss does not apply)",
                "  --pos_embed learned|sincos   --encoder_mask_tokens B (the dense \"encoder with [M]\")");
    }

    static MaeConfig read(Args args, String defaultPreset) {
        MaeConfig.Builder b;
        try {
            b = MaeConfig.presetBuilder(args.string("preset", defaultPreset));
            for (String f : MaeConfig.Builder.FIELDS) {
                String v = args.string(f, null);
                if (v != null) b.set(f, v, false);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}

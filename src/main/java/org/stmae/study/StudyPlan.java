package org.stmae.study;

import java.util.List;
import java.util.Map;

/**
 * The studies {@code stmae study NAME} runs: each is a list of variants of one base setup, every
 * variant pre-trained (or not) and then evaluated with the same recipe, over the same seeds.
 * A variant changes model-config fields by their mae_st names (MaeConfig.Builder.FIELDS).
 *
 * @param question what the study asks, in the papers' words; printed in results.md
 * @param paper    the direction the papers report, for the comparison in results.md
 */
public record StudyPlan(String name, String question, String paper, String xLabel, List<Variant> variants) {

    /** One arm of a study: config overrides, and whether the encoder is pre-trained first. */
    public record Variant(String label, Map<String, String> overrides, boolean pretrain) {
        static Variant mae(String label, Map<String, String> overrides) {
            return new Variant(label, overrides, true);
        }
    }

    public static final List<String> NAMES = List.of("pretraining", "ratio", "masking", "target", "decoder", "baseline");

    public List<String> labels() {
        return variants.stream().map(Variant::label).toList();
    }

    public static StudyPlan named(String name) {
        return switch (name) {
            case "pretraining" -> new StudyPlan(name, "Does masked pre-training help fine-tuning, against the same model trained from scratch?",
                    "both: MAE pre-training beats training from scratch by a very large margin (VideoMAE SSv2 ViT-B: 69.6 vs 32.6 from scratch)",
                    "initialisation", List.of(new Variant("scratch", Map.of(), false), Variant.mae("mae-0.9", Map.of("mask_ratio", "0.9"))));
            case "ratio" -> new StudyPlan(name, "Which masking ratio is best?",
                    "MAE-ST: optimum ~90%, 95% still good, 75% and lower worse; VideoMAE: 90% best on SSv2 and K400",
                    "masking ratio", List.of(Variant.mae("0.5", Map.of("mask_ratio", "0.5")), Variant.mae("0.75", Map.of("mask_ratio", "0.75")),
                            Variant.mae("0.9", Map.of("mask_ratio", "0.9")), Variant.mae("0.95", Map.of("mask_ratio", "0.95"))));
            case "masking" -> new StudyPlan(name, "Which mask shape is best? (ratio 0.9; frame masking 0.75, the most that leaves a frame visible with 4 temporal slots, as MAE-ST also ran time-only masking at 75%)",
                    "MAE-ST: random ~84.4 > tube ~83.5 > cube ~83.2 > frame ~79.1; VideoMAE: tube ~69.6 > random ~68.3 >> frame ~61.5 (SSv2); frame clearly worst in both",
                    "mask type", List.of(Variant.mae("random", Map.of("mask_type", "random")), Variant.mae("tube", Map.of("mask_type", "tube")),
                            Variant.mae("frame-0.75", Map.of("mask_type", "frame", "mask_ratio", "0.75")), Variant.mae("cube", Map.of("mask_type", "cube"))));
            case "target" -> new StudyPlan(name, "Which reconstruction target: per-patch normalised pixels, raw pixels or HOG?",
                    "MAE-ST: norm-pix ~84.4 > HOG ~84.0 > raw pixel ~83.8; VideoMAE: norm-pix MSE best (others under ~1 point lower)",
                    "target", List.of(Variant.mae("norm-pix", Map.of("norm_pix_loss", "true")), Variant.mae("pixel", Map.of("norm_pix_loss", "false")),
                            Variant.mae("hog", Map.of("target", "hog"))));
            case "decoder" -> new StudyPlan(name, "How deep and wide must the decoder be?",
                    "MAE-ST (ViT-L): depth 1 ~83.2, 2 ~83.6, 4 ~84.4 (best), 8 ~84.3; width 128 ~80.8 ... 512 ~84.4 (best); VideoMAE: 4 blocks best",
                    "decoder", List.of(Variant.mae("d1-w64", Map.of("decoder_depth", "1")), Variant.mae("d2-w64", Map.of("decoder_depth", "2")),
                            Variant.mae("d4-w64", Map.of("decoder_depth", "4")),
                            Variant.mae("d2-w32", Map.of("decoder_embed_dim", "32", "decoder_num_heads", "1")),
                            Variant.mae("d2-w128", Map.of("decoder_embed_dim", "128", "decoder_num_heads", "4"))));
            case "baseline" -> new StudyPlan(name, "Can the base model learn the task from labels alone (the calibration every other study needs)?",
                    "(no paper number: a sanity check of the setup)", "initialisation", List.of(new Variant("scratch", Map.of(), false)));
            default -> throw new IllegalArgumentException("unknown study '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }
}

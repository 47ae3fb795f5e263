package org.stmae.video;

/** Per-channel (x - mean) / std on RGB in [0, 1]. */
public record Normalization(String name, float[] mean, float[] std) {
    /** Kinetics/SlowFast constants used by mae_st. */
    public static final Normalization MAE_ST = new Normalization("mae_st", new float[] {0.45f, 0.45f, 0.45f}, new float[] {0.225f, 0.225f, 0.225f});
    /** ImageNet constants used by VideoMAE. */
    public static final Normalization IMAGENET = new Normalization("imagenet", new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    /** Plain RGB in [0, 1]. */
    public static final Normalization NONE = new Normalization("none", new float[] {0, 0, 0}, new float[] {1, 1, 1});

    public static Normalization byName(String name) {
        return switch (name) {
            case "mae_st", "mae-st", "kinetics" -> MAE_ST;
            case "imagenet", "videomae" -> IMAGENET;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("unknown normalisation '" + name + "' (mae_st|imagenet|none)");
        };
    }
}

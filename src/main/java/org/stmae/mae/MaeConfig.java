package org.stmae.mae;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that describes one masked autoencoder: the arguments of mae_st's pre-training model
 * (same names, snake_case in JSON) plus the masking and target choices this project studies.
 * Immutable; {@link #validate()} runs at construction and names the field and rule that fail.
 */
public record MaeConfig(
        int imgSize, int patchSize, int inChans, int numFrames, int tPatchSize,
        int embedDim, int depth, int numHeads,
        int decoderEmbedDim, int decoderDepth, int decoderNumHeads,
        double mlpRatio, double normEps, boolean qkvBias, boolean sepPosEmbed, boolean clsEmbed,
        int predTDim, boolean normPixLoss, boolean truncInit,
        MaskType maskType, double maskRatio, TargetNorm targetNorm, PosEmbed posEmbed,
        boolean encoderMaskTokens, Target target) {

    public enum MaskType { RANDOM, TUBE, FRAME, CUBE }

    /** Which per-patch normalisation {@code norm_pix_loss} applies (SPEC.md, targets). */
    public enum TargetNorm { MAE_ST, VIDEOMAE }

    /** Learned positional embeddings (mae_st) or the fixed 1-D sin-cos table (VideoMAE). */
    public enum PosEmbed { LEARNED, SINCOS }

    /** What the decoder regresses: patch pixels, or MaskFeat's HOG histograms (SPEC.md, targets). */
    public enum Target { PIXEL, HOG }

    public MaeConfig {
        validate(imgSize, patchSize, inChans, numFrames, tPatchSize, embedDim, depth, numHeads,
                decoderEmbedDim, decoderDepth, decoderNumHeads, mlpRatio, normEps, predTDim, maskType, maskRatio);
        if (target == Target.HOG && patchSize % Hog.CELL != 0)
            fail("target", "hog", "patch_size " + patchSize + " must be divisible by the HOG cell size " + Hog.CELL);
    }

    private static void validate(int img, int p, int c, int t, int tp, int d, int depth, int heads,
                                 int dd, int ddepth, int dheads, double mlp, double eps, int predT,
                                 MaskType maskType, double ratio) {
        positive("img_size", img);
        positive("patch_size", p);
        positive("in_chans", c);
        positive("num_frames", t);
        positive("t_patch_size", tp);
        positive("embed_dim", d);
        positive("num_heads", heads);
        positive("decoder_embed_dim", dd);
        positive("decoder_num_heads", dheads);
        positive("pred_t_dim", predT);
        if (depth < 0) fail("depth", depth, "must be >= 0");
        if (ddepth < 0) fail("decoder_depth", ddepth, "must be >= 0");
        if (img % p != 0) fail("img_size", img, "must be divisible by patch_size " + p);
        if (t % tp != 0) fail("num_frames", t, "must be divisible by t_patch_size " + tp);
        if (d % heads != 0) fail("embed_dim", d, "must be divisible by num_heads " + heads);
        if (dd % dheads != 0) fail("decoder_embed_dim", dd, "must be divisible by decoder_num_heads " + dheads);
        if (!(mlp > 0) || (int) (d * mlp) < 1 || (int) (dd * mlp) < 1) fail("mlp_ratio", mlp, "must give a hidden width >= 1");
        if (!(eps > 0)) fail("norm_eps", eps, "must be > 0");
        if (predT > t) fail("pred_t_dim", predT, "must be <= num_frames " + t);
        int u = tp * predT / t;
        if (u < 1 || predT % u != 0 || predT / u != t / tp)
            fail("pred_t_dim", predT, "must give t_pred_patch_size u = t_patch_size*pred_t_dim/num_frames >= 1 with pred_t_dim/u = num_frames/t_patch_size = " + t / tp);
        if (!(ratio >= 0 && ratio < 1)) fail("mask_ratio", ratio, "must be in [0, 1)");
        int gridT = t / tp, gridHW = (img / p) * (img / p);
        int keep = lenKeep(maskType, ratio, gridT, gridHW);
        if (keep < 1) fail("mask_ratio", ratio, "leaves no visible token (" + gridT * gridHW + " tokens, " + maskType.name().toLowerCase(Locale.ROOT) + " masking)");
    }

    private static void positive(String field, int v) {
        if (v < 1) fail(field, v, "must be >= 1");
    }

    private static void fail(String field, Object value, String rule) {
        throw new IllegalArgumentException("config: " + field + " = " + value + ": " + rule);
    }

    // ---- derived geometry ---------------------------------------------------------------------

    /** T' = num_frames / t_patch_size temporal slots. */
    public int gridT() {
        return numFrames / tPatchSize;
    }

    /** H' = W' = img_size / patch_size. */
    public int gridH() {
        return imgSize / patchSize;
    }

    public int gridW() {
        return imgSize / patchSize;
    }

    /** L = T' H' W' patch tokens. */
    public int numPatches() {
        return gridT() * gridH() * gridW();
    }

    /** u, the temporal depth of a target patch: t_patch_size * pred_t_dim / num_frames. */
    public int tPredPatchSize() {
        return tPatchSize * predTDim / numFrames;
    }

    /** Values the decoder predicts per token: u * p * p * C pixels, or C * 9 * (p/8)^2 for HOG. */
    public int predDim() {
        return target == Target.HOG ? Hog.dim(inChans, patchSize) : tPredPatchSize() * patchSize * patchSize * inChans;
    }

    /** Values per input patch: t * p * p * C. */
    public int patchDim() {
        return tPatchSize * patchSize * patchSize * inChans;
    }

    public int mlpHidden(int width) {
        return (int) (width * mlpRatio);
    }

    /** Visible tokens per sample under this config's masking. */
    public int lenKeep() {
        return lenKeep(maskType, maskRatio, gridT(), gridH() * gridW());
    }

    /**
     * random and cube: int(L (1 - r)) in double, as mae_st. tube: H'W' - int(r H'W') per slot,
     * as VideoMAE (the masked count is truncated). frame: whole slots, T' - round(r T') of them.
     */
    static int lenKeep(MaskType type, double ratio, int gridT, int gridHW) {
        int l = gridT * gridHW;
        return switch (type) {
            case RANDOM, CUBE -> (int) (l * (1 - ratio));
            case TUBE -> gridT * (gridHW - (int) (ratio * gridHW));
            case FRAME -> (gridT - (int) Math.round(ratio * gridT)) * gridHW;
        };
    }

    // ---- presets ------------------------------------------------------------------------------

    /** mae_st's pre-training recipe defaults (PRETRAIN.md), at ViT-B size. */
    public static Builder builder() {
        return new Builder();
    }

    public static MaeConfig preset(String name) {
        return presetBuilder(name).build();
    }

    public static Builder presetBuilder(String name) {
        Builder b = builder();
        switch (name) {
            case "tiny" -> b.imgSize(64).patchSize(8).numFrames(8).tPatchSize(2).predTDim(4)
                    .embedDim(96).depth(4).numHeads(3).decoderEmbedDim(64).decoderDepth(2).decoderNumHeads(2);
            // VideoMAE's ViT-S with its decoder (mae_st has no ViT-S).
            case "vit-s" -> b.embedDim(384).depth(12).numHeads(6).decoderEmbedDim(192).decoderDepth(4).decoderNumHeads(3);
            case "vit-b" -> b.embedDim(768).depth(12).numHeads(12);
            case "vit-l" -> b.embedDim(1024).depth(24).numHeads(16);
            case "vit-h" -> b.embedDim(1280).depth(32).numHeads(16).patchSize(14);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (tiny, vit-s, vit-b, vit-l, vit-h)");
        }
        return b;
    }

    public static final String[] PRESETS = {"tiny", "vit-s", "vit-b", "vit-l", "vit-h"};

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The config under mae_st's argument names (the keys of a reference dump's config). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("img_size", imgSize);
        m.put("patch_size", patchSize);
        m.put("in_chans", inChans);
        m.put("num_frames", numFrames);
        m.put("t_patch_size", tPatchSize);
        m.put("embed_dim", embedDim);
        m.put("depth", depth);
        m.put("num_heads", numHeads);
        m.put("decoder_embed_dim", decoderEmbedDim);
        m.put("decoder_depth", decoderDepth);
        m.put("decoder_num_heads", decoderNumHeads);
        m.put("mlp_ratio", mlpRatio);
        m.put("norm_eps", normEps);
        m.put("qkv_bias", qkvBias);
        m.put("sep_pos_embed", sepPosEmbed);
        m.put("cls_embed", clsEmbed);
        m.put("pred_t_dim", predTDim);
        m.put("norm_pix_loss", normPixLoss);
        m.put("trunc_init", truncInit);
        m.put("mask_type", maskType.name().toLowerCase(Locale.ROOT));
        m.put("mask_ratio", maskRatio);
        m.put("target_norm", targetNorm.name().toLowerCase(Locale.ROOT));
        m.put("pos_embed", posEmbed.name().toLowerCase(Locale.ROOT));
        m.put("encoder_mask_tokens", encoderMaskTokens);
        m.put("target", target.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /**
     * Reads a config from mae_st argument names; absent keys keep the builder's defaults and
     * keys that do not describe the model (batch_size, seed, ...) are ignored.
     */
    public static MaeConfig fromMap(Map<String, Object> m) {
        Builder b = builder();
        for (var e : m.entrySet()) b.set(e.getKey(), String.valueOf(e.getValue()), true);
        return b.build();
    }

    /** Mutable builder; {@link #set} takes a flag by its mae_st name, as the CLI does. */
    public static final class Builder {
        int imgSize = 224, patchSize = 16, inChans = 3, numFrames = 16, tPatchSize = 2;
        int embedDim = 768, depth = 12, numHeads = 12;
        int decoderEmbedDim = 512, decoderDepth = 4, decoderNumHeads = 16;
        double mlpRatio = 4, normEps = 1e-6, maskRatio = 0.9;
        boolean qkvBias = true, sepPosEmbed = true, clsEmbed = true, normPixLoss = true, truncInit = false, encoderMaskTokens = false;
        int predTDim = 8;
        MaskType maskType = MaskType.RANDOM;
        TargetNorm targetNorm = TargetNorm.MAE_ST;
        PosEmbed posEmbed = PosEmbed.LEARNED;
        Target target = Target.PIXEL;

        Builder() {}

        Builder(MaeConfig c) {
            imgSize = c.imgSize; patchSize = c.patchSize; inChans = c.inChans; numFrames = c.numFrames; tPatchSize = c.tPatchSize;
            embedDim = c.embedDim; depth = c.depth; numHeads = c.numHeads;
            decoderEmbedDim = c.decoderEmbedDim; decoderDepth = c.decoderDepth; decoderNumHeads = c.decoderNumHeads;
            mlpRatio = c.mlpRatio; normEps = c.normEps; maskRatio = c.maskRatio;
            qkvBias = c.qkvBias; sepPosEmbed = c.sepPosEmbed; clsEmbed = c.clsEmbed; normPixLoss = c.normPixLoss;
            truncInit = c.truncInit; encoderMaskTokens = c.encoderMaskTokens; predTDim = c.predTDim;
            maskType = c.maskType; targetNorm = c.targetNorm; posEmbed = c.posEmbed; target = c.target;
        }

        public Builder imgSize(int v) { imgSize = v; return this; }
        public Builder patchSize(int v) { patchSize = v; return this; }
        public Builder inChans(int v) { inChans = v; return this; }
        public Builder numFrames(int v) { numFrames = v; return this; }
        public Builder tPatchSize(int v) { tPatchSize = v; return this; }
        public Builder embedDim(int v) { embedDim = v; return this; }
        public Builder depth(int v) { depth = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder decoderEmbedDim(int v) { decoderEmbedDim = v; return this; }
        public Builder decoderDepth(int v) { decoderDepth = v; return this; }
        public Builder decoderNumHeads(int v) { decoderNumHeads = v; return this; }
        public Builder mlpRatio(double v) { mlpRatio = v; return this; }
        public Builder normEps(double v) { normEps = v; return this; }
        public Builder qkvBias(boolean v) { qkvBias = v; return this; }
        public Builder sepPosEmbed(boolean v) { sepPosEmbed = v; return this; }
        public Builder clsEmbed(boolean v) { clsEmbed = v; return this; }
        public Builder predTDim(int v) { predTDim = v; return this; }
        public Builder normPixLoss(boolean v) { normPixLoss = v; return this; }
        public Builder truncInit(boolean v) { truncInit = v; return this; }
        public Builder maskType(MaskType v) { maskType = v; return this; }
        public Builder maskRatio(double v) { maskRatio = v; return this; }
        public Builder targetNorm(TargetNorm v) { targetNorm = v; return this; }
        public Builder posEmbed(PosEmbed v) { posEmbed = v; return this; }
        public Builder encoderMaskTokens(boolean v) { encoderMaskTokens = v; return this; }
        public Builder target(Target v) { target = v; return this; }

        /** Names of the config fields, as {@link #set} and the CLI accept them. */
        public static final String[] FIELDS = {"img_size", "patch_size", "in_chans", "num_frames", "t_patch_size", "embed_dim",
                "depth", "num_heads", "decoder_embed_dim", "decoder_depth", "decoder_num_heads", "mlp_ratio", "norm_eps",
                "qkv_bias", "sep_pos_embed", "cls_embed", "pred_t_dim", "norm_pix_loss", "trunc_init", "mask_type",
                "mask_ratio", "target_norm", "pos_embed", "encoder_mask_tokens", "target"};

        /**
         * Sets a field by its mae_st name from text. Returns false for a name that is not a config
         * field (when {@code ignoreUnknown}), throws for a bad value.
         */
        public boolean set(String name, String value, boolean ignoreUnknown) {
            String v = value.trim();
            try {
                switch (name.replace('-', '_')) {
                    case "img_size" -> imgSize = Integer.parseInt(v);
                    case "patch_size" -> patchSize = Integer.parseInt(v);
                    case "in_chans" -> inChans = Integer.parseInt(v);
                    case "num_frames" -> numFrames = Integer.parseInt(v);
                    case "t_patch_size" -> tPatchSize = Integer.parseInt(v);
                    case "embed_dim" -> embedDim = Integer.parseInt(v);
                    case "depth" -> depth = Integer.parseInt(v);
                    case "num_heads" -> numHeads = Integer.parseInt(v);
                    case "decoder_embed_dim" -> decoderEmbedDim = Integer.parseInt(v);
                    case "decoder_depth" -> decoderDepth = Integer.parseInt(v);
                    case "decoder_num_heads" -> decoderNumHeads = Integer.parseInt(v);
                    case "mlp_ratio" -> mlpRatio = Double.parseDouble(v);
                    case "norm_eps" -> normEps = Double.parseDouble(v);
                    case "qkv_bias" -> qkvBias = bool(name, v);
                    case "sep_pos_embed" -> sepPosEmbed = bool(name, v);
                    case "cls_embed" -> clsEmbed = bool(name, v);
                    case "pred_t_dim" -> predTDim = Integer.parseInt(v);
                    case "norm_pix_loss" -> normPixLoss = bool(name, v);
                    case "trunc_init" -> truncInit = bool(name, v);
                    case "mask_type" -> maskType = choice(MaskType.class, name, v);
                    case "mask_ratio" -> maskRatio = Double.parseDouble(v);
                    case "target_norm" -> targetNorm = choice(TargetNorm.class, name, v);
                    case "pos_embed" -> posEmbed = choice(PosEmbed.class, name, v);
                    case "encoder_mask_tokens" -> encoderMaskTokens = bool(name, v);
                    case "target" -> target = choice(Target.class, name, v);
                    default -> {
                        if (ignoreUnknown) return false;
                        throw new IllegalArgumentException("config: unknown field '" + name + "'");
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("config: " + name + " = '" + value + "' is not a number");
            }
            return true;
        }

        private static boolean bool(String name, String v) {
            String s = v.toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("1")) return true;
            if (s.equals("false") || s.equals("0")) return false;
            throw new IllegalArgumentException("config: " + name + " = '" + v + "' must be true or false");
        }

        private static <E extends Enum<E>> E choice(Class<E> type, String name, String v) {
            for (E e : type.getEnumConstants())
                if (e.name().equalsIgnoreCase(v.replace('-', '_'))) return e;
            StringBuilder ok = new StringBuilder();
            for (E e : type.getEnumConstants()) ok.append(ok.length() == 0 ? "" : "|").append(e.name().toLowerCase(Locale.ROOT));
            throw new IllegalArgumentException("config: " + name + " = '" + v + "' must be one of " + ok);
        }

        public MaeConfig build() {
            return new MaeConfig(imgSize, patchSize, inChans, numFrames, tPatchSize, embedDim, depth, numHeads,
                    decoderEmbedDim, decoderDepth, decoderNumHeads, mlpRatio, normEps, qkvBias, sepPosEmbed, clsEmbed,
                    predTDim, normPixLoss, truncInit, maskType, maskRatio, targetNorm, posEmbed, encoderMaskTokens, target);
        }
    }
}

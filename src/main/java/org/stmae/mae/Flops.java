package org.stmae.mae;

/**
 * Analytic forward FLOPs of one clip (a multiply-add counts 2), the view of MAE-ST's Table 1:
 * what the sparse encoder saves over one that also processes mask tokens. Norms, softmax and
 * GELU are left out (a few percent); a training step costs about 3x the forward pass.
 */
public final class Flops {
    private Flops() {}

    /** One pre-norm ViT block over {@code s} tokens of width {@code d}, MLP hidden {@code h}. */
    public static double block(long s, long d, long h) {
        double projections = 2.0 * s * d * (4 * d);   // q, k, v, proj
        double attention = 4.0 * s * s * d;             // q k^T and attn v over all heads
        double mlp = 2.0 * s * d * h * 2;               // fc1 and fc2
        return projections + attention + mlp;
    }

    /** Patches the encoder sees: the visible ones (sparse) or all of them (dense). */
    public static int encoderPatches(MaeConfig c, boolean dense) {
        return dense ? c.numPatches() : c.lenKeep();
    }

    /** Encoder tokens: {@link #encoderPatches} plus the class token. */
    public static int encoderTokens(MaeConfig c, boolean dense) {
        return encoderPatches(c, dense) + (c.clsEmbed() ? 1 : 0);
    }

    /**
     * The patch embedding of the patches the encoder sees (sparse: mae_st embeds all of them and
     * then drops the masked ones, the same tokens for 10x the work).
     */
    public static double patchEmbed(MaeConfig c, boolean dense) {
        return 2.0 * encoderPatches(c, dense) * c.patchDim() * c.embedDim();
    }

    public static double encoder(MaeConfig c, boolean dense) {
        return c.depth() * block(encoderTokens(c, dense), c.embedDim(), c.mlpHidden(c.embedDim()));
    }

    public static double decoder(MaeConfig c, boolean dense) {
        long sDec = c.numPatches() + (c.clsEmbed() ? 1 : 0), dd = c.decoderEmbedDim();
        double embed = 2.0 * encoderPatches(c, dense) * c.embedDim() * dd;
        double pred = 2.0 * sDec * dd * c.predDim();
        return embed + c.decoderDepth() * block(sDec, dd, c.mlpHidden((int) dd)) + pred;
    }

    /** Forward FLOPs of the whole model for one clip. */
    public static double forward(MaeConfig c, boolean dense) {
        return patchEmbed(c, dense) + encoder(c, dense) + decoder(c, dense);
    }

    /** Forward + backward (about 2x the forward) for one clip. */
    public static double trainingStep(MaeConfig c, boolean dense) {
        return 3 * forward(c, dense);
    }
}

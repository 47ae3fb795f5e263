package org.stmae.mae;

import java.util.Arrays;
import org.stmae.autograd.MatMul;
import org.stmae.autograd.ShapeOps;
import org.stmae.autograd.Var;
import org.stmae.tensor.Tensor;

/**
 * The Conv3d patch embedding as a matmul on patch vectors (SPEC.md, patches) cut in the
 * weight's own (c, t, y, x) order, so the weight is only reshaped (a permuted copy of it, and of
 * its gradient, cost ~1.5 ms of a bench-S step). Shared by the pre-training model and the
 * classifier.
 */
public final class PatchEmbedding {
    private PatchEmbedding() {}

    /** [N, C, T, H, W] -> [N, L, D] with {@code patch_embed.proj.weight} [D, C, t, p, p] and its bias. */
    public static Var apply(MaeConfig cfg, Var weight, Var bias, Tensor input) {
        return project(cfg, weight, bias, Var.constant(patchify(cfg, input)));
    }

    /** The patch vectors of {@code input} in the weight's order: [N, C, T, H, W] -> [N, L, patchDim]. */
    public static Tensor patchify(MaeConfig cfg, Tensor input) {
        return Patchify.convPatches(input, cfg.patchSize(), cfg.tPatchSize(), null);
    }

    /** Patch vectors [..., patchDim] in the weight's order ({@link Patchify#convPatches}) -> tokens [..., D]. */
    public static Var project(MaeConfig cfg, Var weight, Var bias, Var patches) {
        return MatMul.linear(patches, ShapeOps.reshape(weight, cfg.embedDim(), cfg.patchDim()), bias);
    }

    /** One line naming both shapes when {@code input} is not [N, C, T, H, W] of this config. */
    public static void checkInput(MaeConfig cfg, Tensor input) {
        int[] s = input.shape();
        if (s.length != 5 || s[1] != cfg.inChans() || s[2] != cfg.numFrames() || s[3] != cfg.imgSize() || s[4] != cfg.imgSize())
            throw new IllegalArgumentException("model input " + Arrays.toString(s) + " is not [N, " + cfg.inChans() + ", "
                    + cfg.numFrames() + ", " + cfg.imgSize() + ", " + cfg.imgSize() + "]");
    }
}

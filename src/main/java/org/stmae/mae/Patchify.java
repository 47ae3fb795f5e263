package org.stmae.mae;

import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Parallel;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * Cutting clips into spacetime patches and back (SPEC.md, patches).
 *
 * <p>Token order is (t, y, x): token l = (ti H' + hi) W' + wi. Within a patch the vector order
 * is (time-in-patch, row, column, channel) with the channel fastest:
 * k = ((ui p + py) p + px) C + c holds video[n, c, ti u + ui, hi p + py, wi p + px].
 */
public final class Patchify {
    private Patchify() {}

    /** video [N, C, T, H, W] -> [N, (T/u)(H/p)(W/p), u p p C]. */
    public static Tensor patchify(Tensor video, int p, int u) {
        return cut(video, null, p, u, null, false, null);
    }

    /**
     * Only the patches {@code ids} [N, K] (token indices per clip), in that order: [N, K, u p p C],
     * equal to gathering them from {@link #patchify} without cutting up the rest of the clip (the
     * encoder sees 10 % of the tokens).
     */
    public static Tensor patchify(Tensor video, int p, int u, IntTensor ids) {
        return cut(video, null, p, u, ids, false, null);
    }

    /**
     * As {@link #patchify}, each vector in the Conv3d weight's order (channel, time-in-patch, row,
     * column; column fastest): what the patch embedding multiplies, so that its weight
     * [D, C, u, p, p] is used as it is stored. {@code ids} null: every token.
     */
    public static Tensor convPatches(Tensor video, int p, int u, IntTensor ids) {
        return cut(video, null, p, u, ids, true, null);
    }

    /** Floats of patch vectors per parallel chunk. */
    private static final int TOKEN_GRAIN = 1 << 14;

    /** What {@link #patchifyFrames} does to each token's vector once it is cut. */
    @FunctionalInterface
    public interface TokenStep {
        void apply(float[] patches, int offset, int dim);
    }

    /**
     * {@code patchify(selectFrames(video, frames), p, u)} without the intermediate clip ({@code
     * frames} null: all of them, {@code patchify(video, p, u)}), and with {@code then} (if not
     * null) applied to each token's vector right after it is cut, while it is in cache: the
     * targets of a training step in one pass instead of three.
     */
    public static Tensor patchifyFrames(Tensor video, int[] frames, int p, int u, TokenStep then) {
        return cut(video, frames, p, u, null, false, then);
    }

    /**
     * The tokens {@code ids} (null: all, in order) of the frames {@code frames} (null: all) as
     * patch vectors, each then given to {@code then} (if not null); tokens are independent, so
     * the pool takes them in ranges (the targets of a bench-S step are 1,568 tokens of 768 values).
     */
    private static Tensor cut(Tensor video, int[] frames, int p, int u, IntTensor ids, boolean convOrder, TokenStep then) {
        int[] s = frames == null ? checkVideo(video, p, u) : checkVideo(video, frames.length, p, u);
        int cutFrames = frames == null ? s[2] : frames.length;
        if (frames != null)
            for (int f : frames)
                if (f < 0 || f >= s[2]) throw new IndexOutOfBoundsException("patchify: frame " + f + " outside [0, " + s[2] + ")");
        int n = s[0], l = (cutFrames / u) * (s[3] / p) * (s[4] / p), dim = u * p * p * s[1];
        if (ids != null && (ids.dim() != 2 || ids.size(0) != n))
            throw new IllegalArgumentException("patchify: token ids " + Shapes.str(ids.shape()) + " are not [" + n + ", K]");
        int k = ids == null ? l : ids.size(1);
        if (ids != null)
            for (int id : ids.data)
                if (id < 0 || id >= l) throw new IndexOutOfBoundsException("patchify: token id " + id + " outside [0, " + l + ")");
        Tensor out = Tensor.empty(n, k, dim);
        float[] patches = out.data(), v = video.data();
        Parallel.forRange(n * k, Math.max(1, TOKEN_GRAIN / dim), (from, to) -> {
            for (int bj = from; bj < to; bj++) {
                int b = bj / k, j = ids == null ? bj % k : ids.data[bj];
                if (convOrder) tokenConvOrder(patches, bj * dim, v, b, j, s, p, u);
                else token(patches, bj * dim, v, b, j, s, frames, p, u, true);
                if (then != null) then.apply(patches, bj * dim, dim);
            }
        });
        return out;
    }

    /** The exact inverse of {@link #patchify}: [N, L, u p p C] -> [N, C, T, H, W]. */
    public static Tensor unpatchify(Tensor x, int c, int t, int h, int w, int p, int u) {
        int[] s = x.shape();
        int gt = t / u, gh = h / p, gw = w / p, l = gt * gh * gw, dim = u * p * p * c;
        if (s.length != 3 || s[1] != l || s[2] != dim)
            throw new IllegalArgumentException("unpatchify: " + Shapes.str(s) + " is not [N, " + l + ", " + dim + "]");
        Tensor out = Tensor.empty(s[0], c, t, h, w);
        int[] vs = {s[0], c, t, h, w};
        float[] patches = x.data(), v = out.data();
        for (int b = 0; b < s[0]; b++)
            for (int j = 0; j < l; j++) token(patches, (b * l + j) * dim, v, b, j, vs, null, p, u, false);
        return out;
    }

    private static int[] checkVideo(Tensor video, int p, int u) {
        return checkVideo(video, video.dim() == 5 ? video.size(2) : 0, p, u);
    }

    /** The video's shape, checked to be [N, C, T, H, W] with H, W and the frames cut divisible by the patch. */
    private static int[] checkVideo(Tensor video, int framesCut, int p, int u) {
        int[] s = video.shape();
        if (s.length != 5 || s[3] % p != 0 || s[4] % p != 0 || framesCut % u != 0)
            throw new IllegalArgumentException("patchify: video " + Shapes.str(s) + (s.length == 5 && framesCut == s[2] ? "" : " (" + framesCut + " frames of it)")
                    + " is not [N, C, T, H, W] divisible by patch " + u + "x" + p + "x" + p);
        return s;
    }

    /**
     * Copies token {@code j} of clip {@code b} between its patch vector at {@code patches[o..]}
     * (order as in the class comment) and the video [N, C, T, H, W] of shape {@code s}: into the
     * patch vector ({@code toPatches}) or back. Each row segment of p pixels is one contiguous
     * read (or write) of the video. Frame f of the tokens is the video's {@code frames[f]}, or f
     * where {@code frames} is null.
     */
    private static void token(float[] patches, int o, float[] video, int b, int j, int[] s, int[] frames, int p, int u, boolean toPatches) {
        int c = s[1], t = s[2], h = s[3], w = s[4], gh = h / p, gw = w / p, channel = t * h * w;
        int ti = j / (gh * gw), hi = j / gw % gh, wi = j % gw;
        for (int ui = 0; ui < u; ui++)
            for (int py = 0; py < p; py++, o += p * c) {
                int f = frames == null ? ti * u + ui : frames[ti * u + ui];
                int row = ((b * c * t + f) * h + hi * p + py) * w + wi * p; // channel 0
                for (int ch = 0; ch < c; ch++) {
                    int v = row + ch * channel, q = o + ch;
                    if (toPatches) for (int px = 0; px < p; px++) patches[q + px * c] = video[v + px];
                    else for (int px = 0; px < p; px++) video[v + px] = patches[q + px * c];
                }
            }
    }

    /** Token {@code j} of clip {@code b} into {@code patches[o..]} in the Conv3d order: p-pixel rows, column fastest. */
    private static void tokenConvOrder(float[] patches, int o, float[] video, int b, int j, int[] s, int p, int u) {
        int c = s[1], t = s[2], h = s[3], w = s[4], gh = h / p, gw = w / p;
        int ti = j / (gh * gw), hi = j / gw % gh, wi = j % gw;
        for (int ch = 0; ch < c; ch++)
            for (int ui = 0; ui < u; ui++)
                for (int py = 0; py < p; py++, o += p)
                    System.arraycopy(video, (((b * c + ch) * t + ti * u + ui) * h + hi * p + py) * w + wi * p, patches, o, p);
    }

    /** The frames {@code index} of video [N, C, T, H, W], in that order: [N, C, index.length, H, W]. */
    public static Tensor selectFrames(Tensor video, int[] index) {
        int[] s = video.shape();
        int n = s[0], c = s[1], t = s[2], hw = s[3] * s[4];
        Tensor out = Tensor.empty(n, c, index.length, s[3], s[4]); // every plane is copied in
        for (int b = 0; b < n * c; b++)
            for (int i = 0; i < index.length; i++)
                System.arraycopy(video.data(), (b * t + index[i]) * hw, out.data(), (b * index.length + i) * hw, hw);
        return out;
    }

    /**
     * mae_st's target frames: torch.linspace(0, T-1, predTDim) in float32 on the CPU, truncated
     * to integers ([0, 2, 4, 6, 8, 10, 12, 15] for 16 frames and 8 targets).
     */
    public static int[] targetFrameIndex(int numFrames, int predTDim) {
        float[] v = torchLinspace(0f, numFrames - 1, predTDim);
        int[] idx = new int[predTDim];
        for (int i = 0; i < predTDim; i++) idx[i] = (int) v[i];
        return idx;
    }

    /**
     * PyTorch 1.13's CPU float32 linspace, bit for bit (SPEC.md, target frames): the scalar
     * formula rounds step*i + start once (a fused multiply-add), counting from the end for the
     * upper half; from 16 points on, blocks of 8 start from a fused base and add k*step with two
     * roundings, while a pair of blocks still fits; the remaining points use the scalar formula.
     */
    public static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        int vectorized = steps >= 16 ? steps / 16 * 16 : 0;
        for (int j = 0; j < vectorized; j += 8) {
            float base = fused(start, end, step, steps, halfway, j);
            for (int k = 0; k < 8; k++) out[j + k] = base + (float) k * step;
        }
        for (int i = vectorized; i < steps; i++) out[i] = fused(start, end, step, steps, halfway, i);
        return out;
    }

    private static float fused(float start, float end, float step, int steps, int halfway, int i) {
        // In double both the product and the sum are exact, so one cast rounds once, like an FMA.
        return i < halfway ? (float) ((double) step * i + start) : (float) (end - (double) step * (steps - 1 - i));
    }
}

package org.stmae.mae;

import org.stmae.autograd.Parameter;
import org.stmae.mae.MaeConfig.MaskType;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * MAE-ST section 5.5: a video model deflated to an image model (SPEC.md, deflation). An image is
 * a one-frame clip, so the image model is our own model with num_frames 1, t_patch_size 1 and
 * pred_t_dim 1. The patch embedding kernel is summed over its temporal axis (a static clip then
 * embeds exactly as its frame does); spatial positions, class token and every block are kept;
 * each position table is averaged over its temporal slots (for a separable table: the temporal
 * rows collapse to their mean).
 */
public final class Deflation {
    private Deflation() {}

    /**
     * The image config of a video config: one frame, t_patch_size 1, pred_t_dim 1. Frame masking
     * would hide the only frame, so it becomes random masking at the same ratio.
     */
    public static MaeConfig imageConfig(MaeConfig video) {
        MaeConfig.Builder b = video.toBuilder().numFrames(1).tPatchSize(1).predTDim(1);
        if (video.maskType() == MaskType.FRAME) b.maskType(MaskType.RANDOM);
        return b.build();
    }

    /** A new image model holding the deflated weights of {@code video}. */
    public static MaskedAutoencoder deflate(MaskedAutoencoder video) {
        MaeConfig vc = video.cfg;
        MaskedAutoencoder image = new MaskedAutoencoder(imageConfig(vc));
        for (Parameter p : image.params.all()) {
            Tensor w = deflated(p.name, video.params.get(p.name).value, vc);
            if (!p.value.sameShape(w))
                throw new IllegalStateException("deflate: " + p.name + " became " + Shapes.str(w.shape()) + ", the image model expects " + Shapes.str(p.value.shape()));
            image.params.load(p.name, w);
        }
        return image;
    }

    private static Tensor deflated(String name, Tensor w, MaeConfig c) {
        int gt = c.gridT(), hw = c.gridH() * c.gridW(), cls = c.clsEmbed() ? 1 : 0;
        if (name.equals("patch_embed.proj.weight")) return sumOverTime(w);
        if (name.endsWith("pos_embed_temporal")) return slotMean(w, 0, gt, 1);
        if (name.equals("pos_embed") || name.equals("decoder_pos_embed")) return slotMean(w, cls, gt, hw);
        // A pixel target of depth u > 1 repeats the frame u times for a static clip: average them.
        if (name.startsWith("decoder_pred.") && c.target() == MaeConfig.Target.PIXEL && c.tPredPatchSize() > 1) {
            int u = c.tPredPatchSize(), rows = w.size(0) / u, width = w.size() / w.size(0);
            Tensor m = slotMean(w.reshape(1, w.size(0), width), 0, u, rows);
            return name.endsWith(".weight") ? m.reshape(rows, width) : m.reshape(rows);
        }
        return w;
    }

    /** [D, C, t, p, p] -> [D, C, 1, p, p], summed over t in double. */
    static Tensor sumOverTime(Tensor w) {
        int d = w.size(0), ch = w.size(1), t = w.size(2), pp = w.size(3) * w.size(4);
        Tensor out = Tensor.zeros(d, ch, 1, w.size(3), w.size(4));
        for (int o = 0; o < d * ch; o++)
            for (int i = 0; i < pp; i++) {
                double s = 0;
                for (int dt = 0; dt < t; dt++) s += w.data()[(o * t + dt) * pp + i];
                out.data()[o * pp + i] = (float) s;
            }
        return out;
    }

    /**
     * x [1, lead + slots*rows, width] -> [1, lead + rows, width]: the first {@code lead} rows (a
     * class position) kept, then row r = the mean over slots s of row lead + s*rows + r, in double.
     */
    static Tensor slotMean(Tensor x, int lead, int slots, int rows) {
        int width = x.size(2);
        Tensor out = Tensor.zeros(1, lead + rows, width);
        System.arraycopy(x.data(), 0, out.data(), 0, lead * width);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < width; j++) {
                double s = 0;
                for (int k = 0; k < slots; k++) s += x.data()[(lead + k * rows + r) * width + j];
                out.data()[(lead + r) * width + j] = (float) (s / slots);
            }
        return out;
    }
}

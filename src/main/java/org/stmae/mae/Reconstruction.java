package org.stmae.mae;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import org.stmae.autograd.NoGrad;
import org.stmae.mae.MaeConfig.TargetNorm;
import org.stmae.masking.Mask;
import org.stmae.tensor.Tensor;

/**
 * The papers' reconstruction figure for one clip: rows original, masked (removed patches grey)
 * and reconstruction (visible patches pasted from the input, as the paper shows them, and the
 * model's prediction for the removed ones), one column per target frame.
 *
 * <p>A norm-pix model predicts each patch normalised by its own statistics; to show pixels the
 * prediction is mapped back with the statistics of the original patch, as the MAE papers'
 * figures do. That borrows the true patch's mean and contrast (not its content): the picture
 * shows what the model predicts up to each patch's brightness and contrast.
 */
public final class Reconstruction {
    private Reconstruction() {}

    /**
     * @param clip  [1, C, T, H, W] as the model receives it
     * @param mean  the data normalisation's per-channel mean (to map inputs back to [0, 1])
     * @param std   its per-channel std
     */
    public static BufferedImage render(MaskedAutoencoder model, Tensor clip, Mask mask, float[] mean, float[] std, String caption) {
        MaeConfig c = model.cfg;
        if (c.target() == MaeConfig.Target.HOG) throw new IllegalArgumentException("a HOG-target model predicts no pixels to picture");
        Tensor pred;
        float loss;
        try (var g = NoGrad.enter()) {
            var out = model.forward(clip, mask);
            pred = out.pred().value;
            loss = out.loss().value.item();
        }
        int p = c.patchSize(), u = c.tPredPatchSize(), ch = c.inChans(), dim = c.predDim(), l = c.numPatches();
        int[] frames = Patchify.targetFrameIndex(c.numFrames(), c.predTDim());
        // Everything in display space: [0, 1] pixels.
        Tensor shown = Targets.unnormalise(Patchify.selectFrames(clip, frames), mean, std);
        Tensor orig = Patchify.patchify(shown, p, u);
        Tensor rec = Tensor.zeros(1, l, dim), masked = Tensor.zeros(1, l, dim);
        Tensor origNorm = Patchify.patchify(Patchify.selectFrames(clip, frames), p, u);
        for (int t = 0; t < l; t++) {
            boolean removed = mask.mask().data()[t] != 0;
            for (int k = 0; k < dim; k++) masked.data()[t * dim + k] = removed ? 0.5f : orig.data()[t * dim + k];
            if (!removed) {
                System.arraycopy(orig.data(), t * dim, rec.data(), t * dim, dim);
                continue;
            }
            for (int k = 0; k < dim; k++) rec.data()[t * dim + k] = pred.data()[t * dim + k];
            if (!c.normPixLoss()) {
                // Raw-pixel target: the prediction is in the input's normalised space.
                for (int k = 0; k < dim; k++) rec.data()[t * dim + k] = rec.data()[t * dim + k] * std[k % ch] + mean[k % ch];
            } else if (c.targetNorm() == TargetNorm.MAE_ST) {
                double[] ms = stats(origNorm.data(), t * dim, dim, 0, 1);
                for (int k = 0; k < dim; k++) {
                    double v = rec.data()[t * dim + k] * Math.sqrt(ms[1] + Targets.NORM_PIX_EPS) + ms[0];
                    rec.data()[t * dim + k] = (float) (v * std[k % ch] + mean[k % ch]);
                }
            } else {
                for (int cc = 0; cc < ch; cc++) {
                    double[] ms = stats(orig.data(), t * dim, dim, cc, ch);
                    for (int k = cc; k < dim; k += ch)
                        rec.data()[t * dim + k] = (float) (rec.data()[t * dim + k] * (Math.sqrt(ms[1]) + Targets.NORM_PIX_EPS) + ms[0]);
                }
            }
        }
        int tf = frames.length, h = c.imgSize(), w = c.imgSize();
        Tensor[] rows = {shown, Patchify.unpatchify(masked, ch, tf, h, w, p, u), Patchify.unpatchify(rec, ch, tf, h, w, p, u)};
        String[] names = {"original", "masked " + Math.round(100.0 * (l - mask.lenKeep()) / l) + "%", "reconstruction"};
        int cols = Math.min(tf, 8), scale = Math.max(1, 160 / h);
        int cw = w * scale, chh = h * scale, left = 110, top = 44, gap = 4;
        BufferedImage img = new BufferedImage(left + cols * (cw + gap), top + 3 * (chh + gap) + 4, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(caption + String.format(java.util.Locale.ROOT, "   (loss on this clip %.4f)", loss), 6, 18);
        for (int r = 0; r < 3; r++) {
            g.drawString(names[r], 6, top + r * (chh + gap) + chh / 2);
            for (int col = 0; col < cols; col++) {
                int f = (int) Math.round((double) col * (tf - 1) / Math.max(1, cols - 1));
                drawFrame(img, rows[r], f, left + col * (cw + gap), top + r * (chh + gap), scale);
            }
        }
        for (int col = 0; col < cols; col++) {
            int f = (int) Math.round((double) col * (tf - 1) / Math.max(1, cols - 1));
            g.drawString("frame " + frames[f], left + col * (cw + gap), top - 4);
        }
        g.dispose();
        return img;
    }

    /** mean and unbiased variance of every {@code step}-th value from {@code from}. */
    private static double[] stats(float[] x, int off, int dim, int from, int step) {
        double s = 0;
        int n = 0;
        for (int k = from; k < dim; k += step, n++) s += x[off + k];
        double m = s / n, ss = 0;
        for (int k = from; k < dim; k += step) ss += (x[off + k] - m) * (x[off + k] - m);
        return new double[] {m, ss / Math.max(1, n - 1)};
    }

    private static void drawFrame(BufferedImage img, Tensor video, int f, int x0, int y0, int scale) {
        int[] s = video.shape();
        int c = s[1], t = s[2], h = s[3], w = s[4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    float v = video.data()[((Math.min(k, c - 1) * t + f) * h + y) * w + x];
                    rgb[k] = Math.max(0, Math.min(255, Math.round(v * 255)));
                }
                int px = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++) img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, px);
            }
    }
}

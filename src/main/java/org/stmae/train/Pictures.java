package org.stmae.train;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.mae.Reconstruction;
import org.stmae.masking.Mask;
import org.stmae.plot.Png;
import org.stmae.tensor.Tensor;
import org.stmae.video.BadVideoException;
import org.stmae.video.ClipSampler;
import org.stmae.video.Normalization;
import org.stmae.video.Sample;
import org.stmae.video.VideoReader;

/** The reconstruction picture of one video: its first evaluation view (centre crop), one mask. */
public final class Pictures {
    private Pictures() {}

    /**
     * @param maskRatio the ratio to mask at (the model's own when NaN)
     * @param seed      the mask generator's seed
     */
    public static void reconstruction(MaskedAutoencoder model, Path video, ClipSampler sampler, double maskRatio, long seed, Path png)
            throws Exception {
        Sample s;
        try (VideoReader r = VideoReader.open(video, 60_000)) {
            s = sampler.test(r, 0, 1, 1).get(0);
        }
        int[] shape = s.clip().shape();
        Tensor clip = s.clip().reshape(1, shape[0], shape[1], shape[2], shape[3]);
        MaeConfig masked = Double.isNaN(maskRatio) ? model.cfg : model.cfg.toBuilder().maskRatio(maskRatio).build();
        Mask mask = MaskedAutoencoder.masking(masked).sample(new Random(seed), 1);
        Normalization n = sampler.config().norm();
        String caption = video.getFileName() + ", frames " + java.util.Arrays.toString(s.frames()).replace(" ", "");
        BufferedImage img = Reconstruction.render(model, clip, mask, n.mean(), n.std(), caption);
        Png.write(img, png);
    }

    /** As {@link #reconstruction}, for the first video of a list that decodes; false if none does. */
    public static boolean firstReadable(MaskedAutoencoder model, Iterable<Path> videos, ClipSampler sampler, long seed, Path png) throws Exception {
        for (Path v : videos) {
            try {
                reconstruction(model, v, sampler, Double.NaN, seed, png);
                return true;
            } catch (BadVideoException e) {
                // try the next one
            }
        }
        return false;
    }
}

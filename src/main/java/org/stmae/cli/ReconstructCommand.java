package org.stmae.cli;

import java.nio.file.Path;
import org.stmae.io.Safetensors;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.train.Data;
import org.stmae.train.Pictures;
import org.stmae.video.BadVideoException;

/** {@code stmae reconstruct}: the papers' reconstruction figure for one video and a checkpoint. */
final class ReconstructCommand implements Command {
    public String name() { return "reconstruct"; }

    public String summary() { return "picture of original / masked / reconstructed frames for a video"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae reconstruct --checkpoint CKPT --video FILE --out PNG [--mask_ratio R] [--seed S]",
                "        [--sampling_rate R] [--sampling maest|videomae] [--device cpu|opencl[:N]]",
                "",
                "Rows: the original target frames, the masked input (removed patches grey), and the",
                "reconstruction (visible patches pasted from the input, as in the papers' figures; removed",
                "patches predicted). The clip is the video's first evaluation view (short side resized,",
                "centre crop). A norm-pix model's predictions are shown with each original patch's mean and",
                "contrast, as the papers' figures are made. --mask_ratio defaults to the model's own.",
                "",
                DeviceFlag.USAGE);
    }

    public int run(Args args) throws Exception {
        Path ckpt = Path.of(args.required("checkpoint")), video = Path.of(args.required("video")), out = Path.of(args.required("out"));
        double ratio = args.number("mask_ratio", Double.NaN);
        long seed = (long) args.number("seed", 0);
        int rate = args.integer("sampling_rate", 4);
        String sampling = args.choice("sampling", "maest", "maest", "videomae");
        args.string("device", "cpu");
        args.finish();
        MaeConfig cfg;
        try (Safetensors f = Safetensors.open(ckpt)) {
            cfg = Checkpoints.configOf(f);
        }
        if (cfg == null) throw new UsageException("--checkpoint " + ckpt + ": no model config in its metadata (not a stmae checkpoint)");
        if (cfg.target() == MaeConfig.Target.HOG)
            throw new UsageException("--checkpoint " + ckpt + ": the model predicts HOG histograms (target hog), not pixels; there is no reconstruction to show");
        if (!Double.isNaN(ratio)) {
            try {
                cfg.toBuilder().maskRatio(ratio).build();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        MaskedAutoencoder model = new MaskedAutoencoder(cfg);
        Checkpoints.load(model, ckpt);
        try (DeviceFlag device = DeviceFlag.open(args)) {
            Pictures.reconstruction(model, video, Data.sampler(cfg, rate, 1, sampling), ratio, seed, out);
        } catch (BadVideoException e) {
            System.err.println("stmae reconstruct: " + e.getMessage());
            return 2;
        }
        System.out.println("wrote " + out);
        return 0;
    }
}

package org.stmae.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.Deflation;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;

/** {@code stmae deflate}: a video pre-training checkpoint as an image model (MAE-ST section 5.5). */
final class DeflateCommand implements Command {
    public String name() { return "deflate"; }

    public String summary() { return "turn a video checkpoint into an image model (patch kernel summed over time)"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae deflate --checkpoint CKPT --out IMG.safetensors",
                "",
                "Deflates a stmae pre-training checkpoint to an image model, as MAE-ST section 5.5: the",
                "patch embedding kernel is summed over its temporal axis, spatial positional embeddings,",
                "the class token and every block are kept, and each position table is averaged over its",
                "temporal slots (separable tables: the temporal rows collapse to their mean). The output",
                "is a stmae checkpoint of the same model with num_frames 1, t_patch_size 1 and",
                "pred_t_dim 1 (frame masking becomes random masking), so our encoder runs on an image as",
                "a one-frame clip [N, C, 1, H, W]; its metadata also names the source file and config.",
                "Training state (optimizer moments) is not copied. The file is written atomically.");
    }

    public int run(Args args) throws Exception {
        Path ckpt = Path.of(args.required("checkpoint")), out = Path.of(args.required("out"));
        args.finish();
        MaskedAutoencoder video;
        try {
            MaeConfig cfg;
            try (Safetensors f = Safetensors.open(ckpt)) {
                cfg = Checkpoints.configOf(f);
            }
            if (cfg == null) {
                System.err.println("stmae deflate: " + ckpt + ": no model config in its metadata (not a stmae pre-training checkpoint)");
                return 2;
            }
            video = new MaskedAutoencoder(cfg);
            Checkpoints.load(video, ckpt);
        } catch (IOException | IllegalArgumentException e) {
            String m = e.getMessage();
            System.err.println("stmae deflate: " + (m.contains(ckpt.toString()) ? m : ckpt + ": " + m));
            return 2;
        }
        MaskedAutoencoder image = Deflation.deflate(video);
        Checkpoints.writer(image)
                .meta("deflated_from", ckpt.getFileName().toString())
                .meta("source_config", Json.write(video.cfg.toMap()))
                .write(out);
        MaeConfig c = image.cfg;
        System.out.printf("wrote %s: image model %dx%d, patch %dx%d, %d tokens (from %d frames, t_patch_size %d)%n",
                out, c.imgSize(), c.imgSize(), c.patchSize(), c.patchSize(), c.numPatches(), video.cfg.numFrames(), video.cfg.tPatchSize());
        return 0;
    }
}

package org.stmae.cli;

import java.util.Locale;
import org.stmae.mae.Flops;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;

/** {@code stmae info}: the size and cost of a model config (MAE-ST's Table 1 view). */
final class InfoCommand implements Command {
    public String name() { return "info"; }

    public String summary() { return "parameters, tokens and FLOPs of a model config, sparse vs dense encoder"; }

    public String usage() {
        return "usage: stmae info [--preset P] [model flags]\n\n" + ConfigFlags.usage("vit-b");
    }

    public int run(Args args) {
        MaeConfig c = ConfigFlags.read(args, "vit-b");
        args.finish();
        MaskedAutoencoder m = new MaskedAutoencoder(c);
        long encoderParams = 0;
        for (var p : m.params.all()) if (!p.name.startsWith("decoder") && !p.name.equals("mask_token")) encoderParams += p.value.size();
        System.out.printf(Locale.ROOT, "input          %d x %d x %d x %d (C x T x H x W), patch %d x %d x %d%n",
                c.inChans(), c.numFrames(), c.imgSize(), c.imgSize(), c.tPatchSize(), c.patchSize(), c.patchSize());
        System.out.printf(Locale.ROOT, "parameters     %,d (encoder %,d, decoder %,d)%n", m.params.count(), encoderParams, m.params.count() - encoderParams);
        System.out.printf(Locale.ROOT, "tokens         %d (%d x %d x %d), %s masking at %.2f keeps %d (%.1f%%)%n",
                c.numPatches(), c.gridT(), c.gridH(), c.gridW(), c.maskType().name().toLowerCase(Locale.ROOT), c.maskRatio(),
                c.lenKeep(), 100.0 * c.lenKeep() / c.numPatches());
        if (c.target() == MaeConfig.Target.HOG)
            System.out.printf(Locale.ROOT, "target         %d HOG values per token (%d frames, one per temporal patch)%n", c.predDim(), c.gridT());
        else
            System.out.printf(Locale.ROOT, "target         %d values per token (%d target frames)%n", c.predDim(), c.predTDim());
        System.out.println();
        System.out.printf(Locale.ROOT, "%-26s %14s %14s %8s%n", "forward GFLOPs per clip", "sparse", "dense [M]", "ratio");
        row("encoder", Flops.encoder(c, false) + Flops.patchEmbed(c, false), Flops.encoder(c, true) + Flops.patchEmbed(c, true));
        row("decoder", Flops.decoder(c, false), Flops.decoder(c, true));
        row("total", Flops.forward(c, false), Flops.forward(c, true));
        return 0;
    }

    private static void row(String name, double sparse, double dense) {
        System.out.printf(Locale.ROOT, "%-26s %14.2f %14.2f %7.2fx%n", name, sparse / 1e9, dense / 1e9, dense / sparse);
    }
}

package org.stmae.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stmae.autograd.Parameter;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.mae.Patchify;
import org.stmae.masking.Mask;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;
import org.stmae.train.AdamW;

/**
 * Recomputes a reference dump ({@code mae-ref-fixture-v1}, see SPEC.md) with our engine and
 * compares every tensor by name: masking ids and mask exactly, activations, target, prediction,
 * loss and every gradient within 1e-4 of the tensor's largest value, and for optimizer dumps
 * the parameters after each AdamW step within 1e-4 absolute.
 */
public final class Verifier {
    private Verifier() {}

    public static final String FORMAT = "mae-ref-fixture-v1";

    /** One compared tensor. */
    public record Row(String name, int[] shape, double maxDiff, double tolerance, boolean ok, String note) {}

    /** A file that cannot be verified at all (exit code 2). */
    public static final class InvalidDump extends Exception {
        public InvalidDump(String message) {
            super(message);
        }
    }

    /** Tolerance for an ordinary tensor: 1e-4 of its largest magnitude (at least 1e-7). */
    static double relativeTolerance(Tensor expected) {
        return 1e-4 * Math.max(1e-3, expected.maxAbs());
    }

    public static List<Row> verify(Path dump) throws IOException, InvalidDump {
        if (!Files.isRegularFile(dump)) throw new InvalidDump(dump + ": no such file");
        try (Safetensors file = openDump(dump)) {
            Map<String, String> meta = file.metadata();
            if (meta.containsKey("base_fixture")) {
                Path base = dump.toAbsolutePath().getParent().resolve(meta.get("base_fixture"));
                if (!Files.isRegularFile(base)) throw new InvalidDump(dump + ": its base_fixture " + base + " does not exist");
                try (Safetensors baseFile = openDump(base)) {
                    return run(baseFile, file);
                }
            }
            if ("videomae".equals(meta.get("arch"))) return VideoMaeDump.run(file);
            return run(file, file.metadata().containsKey("adamw") ? file : null);
        }
    }

    private static Safetensors openDump(Path p) throws IOException, InvalidDump {
        Safetensors f;
        try {
            f = Safetensors.open(p);
        } catch (Safetensors.FormatException e) {
            throw new InvalidDump(e.getMessage());
        }
        String fmt = f.metadata().get("format");
        if (!FORMAT.equals(fmt)) {
            f.close();
            throw new InvalidDump(p + ": not a reference dump (metadata format is " + (fmt == null ? "missing" : "'" + fmt + "'") + ", expected " + FORMAT + ")");
        }
        String arch = f.metadata().getOrDefault("arch", "mae_st");
        if (!arch.equals("mae_st") && !arch.equals("videomae")) {
            f.close();
            throw new InvalidDump(p + ": unknown arch '" + arch + "' (mae_st or videomae)");
        }
        return f;
    }

    /** base: weights, input, noise and expected outputs; optimizer: the AdamW dump or null. */
    private static List<Row> run(Safetensors base, Safetensors optimizer) throws IOException, InvalidDump {
        MaeConfig cfg;
        try {
            cfg = MaeConfig.fromMap(Json.parseObject(require(base, "config")));
        } catch (IllegalArgumentException e) {
            throw new InvalidDump(base.path() + ": " + e.getMessage());
        }
        MaskedAutoencoder model = new MaskedAutoencoder(cfg);
        for (Parameter p : model.params.all()) {
            if (!base.has(p.name)) throw new InvalidDump(base.path() + ": missing parameter '" + p.name + "' for this config");
            try {
                model.params.load(p.name, base.floatTensor(p.name));
            } catch (IllegalArgumentException e) {
                throw new InvalidDump(base.path() + ": " + e.getMessage());
            }
        }
        Tensor input = tensor(base, "input");
        Tensor noise = tensor(base, "noise");
        Mask mask;
        try {
            mask = MaskedAutoencoder.masking(cfg).fromNoise(noise);
        } catch (IllegalArgumentException e) {
            throw new InvalidDump(base.path() + ": " + e.getMessage());
        }

        List<Row> rows = new ArrayList<>();
        compareInts(rows, base, "ids_keep", mask.idsKeep());
        compareInts(rows, base, "ids_restore", mask.idsRestore());
        compareExact(rows, base, "mask", mask.mask());
        int[] frames = Patchify.targetFrameIndex(cfg.numFrames(), cfg.predTDim());
        compareInts(rows, base, "target_frame_index", new IntTensor(frames, frames.length));

        MaskedAutoencoder.Output out;
        try {
            out = model.forward(input, mask);
        } catch (IllegalArgumentException e) {
            throw new InvalidDump(base.path() + ": " + e.getMessage());
        }
        compare(rows, base, "act.patch_embed", model.patchEmbed(input).value);
        compare(rows, base, "act.latent", out.latent().value);
        compare(rows, base, "target", out.target());
        compare(rows, base, "pred", out.pred().value);
        compare(rows, base, "loss", out.loss().value);
        out.loss().backward();
        for (Parameter p : model.params.all()) {
            Tensor g = p.grad() == null ? Tensor.zeros(p.shape()) : p.grad();
            if (p.name.endsWith("attn.k.bias")) compareAbs(rows, base, "grad." + p.name, g, 1e-6);
            else compare(rows, base, "grad." + p.name, g);
        }
        if (optimizer != null) runOptimizer(rows, optimizer, model, input, mask);
        return rows;
    }

    /** Replays the AdamW steps of an optimizer dump from the gradients already computed. */
    private static void runOptimizer(List<Row> rows, Safetensors dump, MaskedAutoencoder model, Tensor input, Mask mask)
            throws IOException, InvalidDump {
        Map<String, Object> hp = Json.parseObject(require(dump, "adamw"));
        Set<String> noDecay = new HashSet<>();
        for (Object o : (List<?>) Json.parse(require(dump, "adamw_no_decay_params"))) noDecay.add((String) o);
        List<?> betas = (List<?>) hp.get("betas");
        double lr = num(hp.get("lr")), clip = dump.metadata().containsKey("clip_grad_norm") ? Double.parseDouble(dump.metadata().get("clip_grad_norm")) : -1;
        int steps = Integer.parseInt(require(dump, "adamw_steps"));
        List<Parameter> params = model.params.all();
        AdamW opt = new AdamW(params, noDecay, num(betas.get(0)), num(betas.get(1)), num(hp.get("eps")), num(hp.get("weight_decay")));
        for (int k = 1; k <= steps; k++) {
            if (k > 1) {
                model.params.zeroGrad();
                var out = model.forward(input, mask);
                compare(rows, dump, "loss.step" + k, out.loss().value);
                out.loss().backward();
            }
            if (clip > 0) compare(rows, dump, "grad_norm.step" + k, Tensor.scalar(AdamW.clipGradNorm(params, clip)));
            opt.step(lr);
            // attn.k.bias has an analytically zero gradient, so AdamW (eps 1e-8) moves it by up to lr
            // per step in the direction of rounding noise, PyTorch's included; its gradient check
            // (1e-6 absolute) is the real test, and its parameter can only be held to k * lr.
            for (Parameter p : params)
                compareAbs(rows, dump, "step" + k + "." + p.name, p.value, p.name.endsWith("attn.k.bias") ? Math.max(1e-4, k * lr) : 1e-4);
        }
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    static String require(Safetensors f, String key) throws InvalidDump {
        String v = f.metadata().get(key);
        if (v == null) throw new InvalidDump(f.path() + ": metadata lacks '" + key + "'");
        return v;
    }

    static Tensor tensor(Safetensors f, String name) throws IOException, InvalidDump {
        if (!f.has(name)) throw new InvalidDump(f.path() + ": missing tensor '" + name + "'");
        return f.floatTensor(name);
    }

    static void compare(List<Row> rows, Safetensors f, String name, Tensor actual) throws IOException {
        if (!f.has(name)) return;
        Tensor expected = f.floatTensor(name);
        compareWith(rows, name, expected, actual, relativeTolerance(expected));
    }

    static void compareAbs(List<Row> rows, Safetensors f, String name, Tensor actual, double tol) throws IOException {
        if (!f.has(name)) return;
        compareWith(rows, name, f.floatTensor(name), actual, tol);
    }

    static void compareExact(List<Row> rows, Safetensors f, String name, Tensor actual) throws IOException {
        if (!f.has(name)) return;
        compareWith(rows, name, f.floatTensor(name), actual, 0);
    }

    static void compareWith(List<Row> rows, String name, Tensor expected, Tensor actual, double tol) {
        int[] shape = expected.shape();
        if (Shapes.size(shape) != actual.size() || (!Arrays.equals(shape, actual.shape()) && !(shape.length == 0 && actual.size() == 1))) {
            rows.add(new Row(name, shape, Double.NaN, tol, false, "shape " + Shapes.str(actual.shape()) + " vs expected " + Shapes.str(shape)));
            return;
        }
        double max = 0;
        for (int i = 0; i < actual.size(); i++) {
            double d = Math.abs((double) actual.data()[i] - expected.data()[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            max = Math.max(max, d);
        }
        rows.add(new Row(name, shape, max, tol, max <= tol, ""));
    }

    static void compareInts(List<Row> rows, Safetensors f, String name, IntTensor actual) throws IOException {
        if (!f.has(name)) return;
        IntTensor expected = f.intTensor(name);
        int[] shape = expected.shape();
        if (!Arrays.equals(shape, actual.shape())) {
            rows.add(new Row(name, shape, Double.NaN, 0, false, "shape " + Shapes.str(actual.shape()) + " vs expected " + Shapes.str(shape)));
            return;
        }
        double max = 0;
        for (int i = 0; i < expected.data.length; i++) max = Math.max(max, Math.abs((double) expected.data[i] - actual.data[i]));
        rows.add(new Row(name, shape, max, 0, max == 0, ""));
    }
}

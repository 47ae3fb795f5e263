package org.stmae.classify;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stmae.autograd.Parameter;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.MaeConfig;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * Classifier weights in safetensors (mae_st's models_vit names, metadata {@code format},
 * {@code config}, {@code classifier}, {@code classes}), and initialising a classifier's encoder
 * from a pre-training checkpoint with a report of what was used and what was not (SPEC.md,
 * classifier checkpoints).
 */
public final class ClassifierCheckpoints {
    private ClassifierCheckpoints() {}

    public static final String FORMAT = "stmae-classifier-v1";

    /** A classifier read back, with its class names (index order). */
    public record Loaded(VideoClassifier model, List<String> classes) {}

    /** What {@link #initEncoder} took from a checkpoint. */
    public record Report(Checkpoints.Convention convention, List<String> used, List<String> unused, List<String> fresh) {}

    /** Written atomically: a crash leaves the previous file whole. */
    public static void save(VideoClassifier model, List<String> classes, Path path) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer();
        for (Parameter p : model.params.all()) w.put(p.name, p.value);
        w.meta("format", FORMAT).meta("config", Json.write(model.cfg.encoder().toMap()))
                .meta("classifier", Json.write(model.cfg.toMap())).meta("classes", Json.write(classes));
        w.write(path);
    }

    @SuppressWarnings("unchecked")
    public static Loaded load(Path path) throws IOException {
        try (Safetensors f = Safetensors.open(path)) {
            Map<String, String> meta = f.metadata();
            if (!FORMAT.equals(meta.get("format")) || meta.get("classifier") == null)
                throw new IOException(path + ": not a classifier checkpoint (no '" + FORMAT + "' metadata; a pre-training checkpoint goes to finetune --checkpoint)");
            ClassifierConfig cfg = ClassifierConfig.fromMap(Checkpoints.configOf(f), Json.parseObject(meta.get("classifier")));
            List<String> classes = new ArrayList<>();
            for (Object o : (List<Object>) Json.parse(meta.get("classes"))) classes.add((String) o);
            VideoClassifier model = new VideoClassifier(cfg);
            for (Parameter p : model.params.all()) {
                if (!f.has(p.name)) throw new IOException(path + ": missing key '" + p.name + "' (shape " + Shapes.str(p.value.shape()) + ")");
                Tensor t = f.floatTensor(p.name);
                if (!p.value.sameShape(t))
                    throw new IOException(path + ": key '" + p.name + "' has shape " + Shapes.str(t.shape()) + ", the model expects " + Shapes.str(p.value.shape()));
                model.params.load(p.name, t);
            }
            return new Loaded(model, classes);
        }
    }

    /** The model config stored in a checkpoint (ours), or null for a foreign file. */
    public static MaeConfig encoderConfig(Path path) throws IOException {
        try (Safetensors f = Safetensors.open(path)) {
            return Checkpoints.configOf(f);
        }
    }

    /**
     * Copies the encoder from a pre-training checkpoint (mae_st, VideoMAE or HF names). Strict for
     * the encoder: every encoder parameter must be there with the model's shape, else one line
     * naming the file, the key and both shapes. {@code head.*} and {@code fc_norm.*} are taken only
     * when present with the right shape (as mae_st drops a head of another size); everything else
     * in the file (decoder, mask token, ...) is reported as not used. The report is printed.
     */
    public static Report initEncoder(VideoClassifier model, Path path, PrintStream out) throws IOException {
        Map<String, Tensor> weights;
        Checkpoints.Convention c;
        try (Safetensors f = Safetensors.open(path)) {
            c = Checkpoints.detect(f);
            weights = Checkpoints.weights(f, c);
        }
        List<String> used = new ArrayList<>(), unused = new ArrayList<>(), fresh = new ArrayList<>();
        for (Parameter p : model.params.all()) {
            Tensor t = weights.get(p.name);
            boolean fits = t != null && p.value.sameShape(t);
            if (VideoClassifier.isNew(p.name)) {
                if (fits) used.add(p.name);
                else fresh.add(p.name);
                continue;
            }
            if (t == null)
                throw new IOException(path + ": missing encoder key '" + p.name + "' (shape " + Shapes.str(p.value.shape())
                        + "); is it a checkpoint of this model config?");
            if (!fits)
                throw new IOException(path + ": key '" + p.name + "' has shape " + Shapes.str(t.shape()) + ", the model expects "
                        + Shapes.str(p.value.shape()) + " (wrong model config for this checkpoint?)");
            used.add(p.name);
        }
        for (String k : weights.keySet()) {
            String name = k.startsWith("?") ? k.substring(1) : k;
            if (!used.contains(name)) unused.add(name);
        }
        for (String n : used) model.params.load(n, weights.get(n));
        out.printf(Locale.ROOT, "encoder from %s (%s names): used %d tensors [%s]; not used %d [%s]; newly initialised %d [%s]%n",
                path, c.name().toLowerCase(Locale.ROOT), used.size(), groups(used), unused.size(), groups(unused), fresh.size(), groups(fresh));
        return new Report(c, used, unused, fresh);
    }

    /** "blocks.* x48, norm.* x2, cls_token": names grouped by their first component, indices collapsed. */
    static String groups(List<String> names) {
        Map<String, Integer> g = new LinkedHashMap<>();
        for (String n : names) {
            int dot = n.indexOf('.');
            g.merge(dot < 0 ? n : n.substring(0, dot) + ".*", 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        for (var e : g.entrySet()) parts.add(e.getValue() == 1 && !e.getKey().endsWith("*") ? e.getKey() : e.getKey() + " x" + e.getValue());
        return String.join(", ", parts);
    }
}

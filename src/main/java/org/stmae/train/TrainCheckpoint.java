package org.stmae.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.stmae.autograd.Parameter;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.tensor.Tensor;

/**
 * A pre-training checkpoint, {@code RUN/checkpoint-NNNNN.safetensors}: the model weights under
 * mae_st's names (so PyTorch's safetensors loader opens it and the model loader reads it), plus
 * AdamW's moments as {@code train.adamw.m.<name>} / {@code train.adamw.v.<name>} and the
 * training state (step, data position, optimizer step) in the metadata {@code train}.
 * Written to a temporary file and renamed, so a crash leaves the previous checkpoint intact.
 */
public final class TrainCheckpoint {
    private TrainCheckpoint() {}

    public static final String FORMAT = "stmae-checkpoint-v1";

    /** Where a run stands after {@code step} optimizer steps. */
    public record State(long step, int epoch, int position, int adamSteps, long seed) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("epoch", epoch);
            m.put("position", position);
            m.put("adam_steps", adamSteps);
            m.put("seed", seed);
            return m;
        }
    }

    public static Path file(Path run, long step) {
        return run.resolve(String.format(Locale.ROOT, "checkpoint-%05d.safetensors", step));
    }

    public static void save(Path file, MaskedAutoencoder model, AdamW opt, State state) throws IOException {
        Safetensors.Writer w = Checkpoints.writer(model);
        List<Parameter> ps = model.params.all();
        for (int i = 0; i < ps.size(); i++) {
            int[] shape = ps.get(i).shape();
            w.put("train.adamw.m." + ps.get(i).name, Tensor.of(opt.firstMoment(i), shape));
            w.put("train.adamw.v." + ps.get(i).name, Tensor.of(opt.secondMoment(i), shape));
        }
        w.meta("train", Json.write(state.toMap()));
        w.write(file);
    }

    /** Loads weights and optimizer moments into {@code model} and {@code opt}; returns the state. */
    public static State load(Path file, MaskedAutoencoder model, AdamW opt) throws IOException {
        Checkpoints.load(model, file);
        try (Safetensors f = Safetensors.open(file)) {
            String t = f.metadata().get("train");
            if (!FORMAT.equals(f.metadata().get("format")) || t == null)
                throw new IOException(file + ": not a stmae pre-training checkpoint (no training state)");
            Map<String, Object> m = Json.parseObject(t);
            List<Parameter> ps = model.params.all();
            float[][] first = new float[ps.size()][], second = new float[ps.size()][];
            for (int i = 0; i < ps.size(); i++) {
                String n = ps.get(i).name;
                if (!f.has("train.adamw.m." + n) || !f.has("train.adamw.v." + n))
                    throw new IOException(file + ": missing optimizer state for '" + n + "'");
                first[i] = f.floatTensor("train.adamw.m." + n).data();
                second[i] = f.floatTensor("train.adamw.v." + n).data();
            }
            State s = new State(num(m, "step"), (int) num(m, "epoch"), (int) num(m, "position"), (int) num(m, "adam_steps"), num(m, "seed"));
            opt.restore(s.adamSteps(), first, second);
            return s;
        }
    }

    private static long num(Map<String, Object> m, String k) throws IOException {
        Object v = m.get(k);
        if (!(v instanceof Number n)) throw new IOException("training state lacks '" + k + "'");
        return n.longValue();
    }

    /** The run's checkpoints, oldest first. */
    public static List<Path> list(Path run) throws IOException {
        if (!Files.isDirectory(run)) return List.of();
        try (Stream<Path> s = Files.list(run)) {
            List<Path> l = new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+\\.safetensors")).toList());
            l.sort(java.util.Comparator.comparingLong(TrainCheckpoint::stepOf));
            return l;
        }
    }

    static long stepOf(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring("checkpoint-".length(), n.length() - ".safetensors".length()));
    }

    /** Deletes all but the newest {@code keep} checkpoints. */
    public static void prune(Path run, int keep) throws IOException {
        List<Path> l = list(run);
        for (int i = 0; i < l.size() - keep; i++) Files.deleteIfExists(l.get(i));
    }
}

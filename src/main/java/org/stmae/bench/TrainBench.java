package org.stmae.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.stmae.autograd.Parameter;
import org.stmae.mae.Flops;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.masking.MaskingStrategy;
import org.stmae.tensor.Backend;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.Parallel;
import org.stmae.tensor.Tensor;
import org.stmae.tensor.Workspace;
import org.stmae.train.AdamW;

/**
 * Times full pre-training steps (forward, backward, AdamW) on synthetic clips: the numbers
 * BENCHMARKS.md compares with tools/reference/bench_train.py, which runs PyTorch on the same
 * configs with the same FLOP formula.
 */
public final class TrainBench {
    private TrainBench() {}

    /** A named benchmark configuration and its batch size. */
    public record Config(String name, MaeConfig model, int batch) {}

    /**
     * bench-S: 16x112x112 clips, 2x16x16 patches (392 tokens), ViT-S encoder 384 x 12 x 6,
     * decoder 192 x 4 x 3, ratio 0.9, batch 4, pred_t_dim 8, norm-pix loss, separable positions,
     * no class token, qkv bias, mlp ratio 4. bench-S-dense: the same with mask tokens in the encoder.
     */
    public static Config named(String name) {
        MaeConfig s = MaeConfig.builder().imgSize(112).patchSize(16).numFrames(16).tPatchSize(2).predTDim(8)
                .embedDim(384).depth(12).numHeads(6).decoderEmbedDim(192).decoderDepth(4).decoderNumHeads(3)
                .mlpRatio(4).maskRatio(0.9).normPixLoss(true).sepPosEmbed(true).clsEmbed(false).qkvBias(true).build();
        return switch (name) {
            case "bench-S" -> new Config(name, s, 4);
            case "bench-S-dense" -> new Config(name, s.toBuilder().encoderMaskTokens(true).build(), 4);
            case "tiny" -> new Config(name, MaeConfig.preset("tiny"), 8);
            default -> throw new IllegalArgumentException("unknown bench config '" + name + "' (bench-S, bench-S-dense, tiny)");
        };
    }

    /** One measured row; {@code round} counts the passes over the configs (see {@link #print}). */
    public record Result(String config, int threads, double clipsPerS, double gflops, double peakHeapMb, double stepMs,
                         double meanStepMs, int steps, int round) {
        public Result inRound(int r) {
            return new Result(config, threads, clipsPerS, gflops, peakHeapMb, stepMs, meanStepMs, steps, r);
        }
    }

    public static Result run(Config c, int threads, int warmup, int steps) {
        return measure(c, threads, warmup, steps, null);
    }

    /**
     * As {@link #run(Config, int, int, int)}; a non-null {@code profile} records the measured
     * steps' kernels (the process's backend is wrapped for the run and put back after).
     */
    public static Result run(Config c, int threads, int warmup, int steps, KernelProfile profile) {
        if (profile == null) return run(c, threads, warmup, steps);
        Backend previous = Kernels.use(profile.wrap(Kernels.backend()));
        try {
            return measure(c, threads, warmup, steps, profile);
        } finally {
            Kernels.use(previous);
        }
    }

    private static Result measure(Config c, int threads, int warmup, int steps, KernelProfile profile) {
        Parallel.setThreads(threads);
        Stepper s = new Stepper(c);
        double[] times = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) {
                resetPeaks();
                if (profile != null) profile.recording(true);
            }
            double t = s.step();
            if (i >= warmup) times[i - warmup] = t;
        }
        if (profile != null) profile.recording(false);
        return s.result(times, threads, peakHeapMb(), 1);
    }

    /** Seconds of measured steps per config and round in {@link #interleaved}. */
    static final double BLOCK_SECONDS = 3.0;

    /**
     * The configs in turn on models built once (all held at once), a block of steps of each per
     * round: one settling step, untimed, then steps for about {@link #BLOCK_SECONDS} (the count
     * fixed per config from its last warm-up step, at least 2). The settling step is there because a step
     * right after another model's finds its caches full of that model (bench-S: 247-257 ms
     * against 239-244 ms); the timed steps then run as in training, after a step of their own
     * model. A round's blocks ran seconds apart, so its ratio sees one machine speed, where this
     * VM's is not steady for long: one thread's SGEMM went from 157 to 105-120 GFLOP/s and back
     * within seconds, same code and data. One row per config and round: the block's median.
     */
    public static List<Result> interleaved(List<Config> configs, int threads, int warmup, int rounds) {
        Parallel.setThreads(threads);
        List<Stepper> steppers = new ArrayList<>();
        for (Config c : configs) steppers.add(new Stepper(c));
        int[] perBlock = new int[steppers.size()];
        for (int k = 0; k < steppers.size(); k++) {
            double last = 0;
            for (int i = 0; i < Math.max(1, warmup); i++) last = steppers.get(k).step();
            perBlock[k] = (int) Math.max(2, Math.round(BLOCK_SECONDS / last)); // a median of one step is one step's noise
        }
        resetPeaks();
        double[][][] blocks = new double[rounds][steppers.size()][];
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < steppers.size(); k++) {
                Stepper s = steppers.get(k);
                s.step();
                double[] t = blocks[r][k] = new double[perBlock[k]];
                for (int i = 0; i < t.length; i++) t[i] = s.step();
            }
        double peak = peakHeapMb();
        List<Result> rows = new ArrayList<>();
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < steppers.size(); k++) rows.add(steppers.get(k).result(blocks[r][k], threads, peak, r + 1));
        return rows;
    }

    /** One config's model, optimizer, synthetic clips and workspace, taking timed training steps. */
    private static final class Stepper {
        final Config config;
        final MaskedAutoencoder model;
        final AdamW opt;
        final Tensor x;
        final MaskingStrategy masking;
        final Random rng = new Random(0);
        final Workspace workspace = new Workspace();
        /** FLOPs of one step (the batch). */
        final double flops;

        Stepper(Config c) {
            config = c;
            model = Init.create(c.model(), 0);
            List<Parameter> params = model.params.all();
            Set<String> noDecay = new HashSet<>();
            for (Parameter p : params) if (AdamW.isNoDecay(p)) noDecay.add(p.name);
            opt = new AdamW(params, noDecay, 0.9, 0.95, 1e-8, 0.05);
            MaeConfig m = c.model();
            x = Tensor.zeros(c.batch(), m.inChans(), m.numFrames(), m.imgSize(), m.imgSize());
            float[] v = x.data();
            for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
            masking = MaskedAutoencoder.masking(m);
            flops = Flops.trainingStep(m, m.encoderMaskTokens()) * c.batch();
        }

        /** The row for timed steps of {@code seconds} (sorted here): their median and mean. */
        Result result(double[] seconds, int threads, double peakHeapMb, int round) {
            double mean = Arrays.stream(seconds).average().orElseThrow();
            Arrays.sort(seconds);
            double median = Median.of(seconds);
            return new Result(config.name(), threads, config.batch() / median, flops / median / 1e9, peakHeapMb,
                    median * 1000, mean * 1000, seconds.length, round);
        }

        /** One step (forward, backward, AdamW); its wall time in seconds. */
        double step() {
            long t0 = System.nanoTime();
            try (Workspace.Scope step = workspace.open()) {
                var out = model.forward(x, masking.sample(rng, config.batch()));
                out.loss().backward();
                opt.step(1e-4);
                model.params.zeroGrad();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }

    private static double peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum / (1024.0 * 1024.0);
    }

    /**
     * Prints the rows as an aligned table or as CSV (one row per run). With bench-S and
     * bench-S-dense the table ends with their speedup: with several rounds (the configs run in
     * turn, round after round) the median over rounds of each round's ratio, so that both sides
     * of a ratio ran minutes apart at most (this VM's speed drifts by 20 % over minutes).
     */
    public static void print(List<Result> rows, boolean csv) {
        if (csv) {
            System.out.println("config,threads,clips_per_s,gflops,peak_heap_mb,step_ms,steps,mean_step_ms,round");
            for (Result r : rows)
                System.out.printf(Locale.ROOT, "%s,%d,%.3f,%.1f,%.0f,%.1f,%d,%.1f,%d%n", r.config, r.threads, r.clipsPerS, r.gflops, r.peakHeapMb,
                        r.stepMs, r.steps, r.meanStepMs, r.round);
            return;
        }
        System.out.printf(Locale.ROOT, "%-14s %5s %7s %10s %9s %13s %10s %10s%n", "config", "round", "threads", "clips/s", "GFLOP/s", "peak heap MB",
                "step ms", "mean ms");
        for (Result r : rows)
            System.out.printf(Locale.ROOT, "%-14s %5d %7d %10.3f %9.1f %13.0f %10.1f %10.1f%n", r.config, r.round, r.threads, r.clipsPerS, r.gflops,
                    r.peakHeapMb, r.stepMs, r.meanStepMs);
        List<Double> ratios = new ArrayList<>();
        for (Result sparse : rows)
            if (sparse.config.equals("bench-S"))
                for (Result dense : rows)
                    if (dense.config.equals("bench-S-dense") && dense.round == sparse.round) ratios.add(sparse.clipsPerS / dense.clipsPerS);
        if (ratios.isEmpty()) return;
        MaeConfig s = named("bench-S").model();
        double analytic = Flops.trainingStep(s, true) / Flops.trainingStep(s, false);
        if (ratios.size() == 1) {
            System.out.printf(Locale.ROOT, "sparse/dense speedup %.2fx (analytic FLOP ratio %.2fx)%n", ratios.get(0), analytic);
            return;
        }
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = Median.of(r);
        System.out.printf(Locale.ROOT, "sparse/dense speedup %.2fx, %.2fx of the analytic FLOP ratio %.2fx (median of %d rounds, %.2f-%.2fx)%n",
                median, median / analytic, analytic, r.length, r[0], r[r.length - 1]);
    }
}

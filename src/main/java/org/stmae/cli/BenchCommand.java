package org.stmae.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.stmae.bench.DecodeBench;
import org.stmae.bench.KernelProfile;
import org.stmae.bench.MatmulBench;
import org.stmae.bench.TrainBench;

/** {@code stmae bench WHAT}: performance tables; one subcommand per benchmark. */
final class BenchCommand implements Command, BooleanFlags {
    public String name() { return "bench"; }

    @Override
    public String[] booleanFlags() { return new String[] {"profile", "interleave"}; }

    public String summary() { return "benchmarks: matmul, decode, train"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae bench SUBCOMMAND [flags]",
                "",
                "subcommands:",
                "  matmul   scalar oracle vs Vector API SGEMM (or an OpenCL device's), GFLOP/s per shape",
                "  decode   video loader throughput: decoded frames/s and clips/s, 16x4 sampling at 224 and 112",
                "  train    full pre-training steps (forward, backward, AdamW) on synthetic clips",
                "",
                "stmae bench matmul [--threads N] [--format table|csv] [--shapes MxKxN,...] [--repeat R] [--kernels scalar,vector] [--device D]",
                "  --threads N    only N threads (default: rows for 1 and 2 threads)",
                "  --format       table (default) or csv (shape,kernel,threads,gflops,ms,best_gflops,note)",
                "  --shapes       comma-separated MxKxN, BxMxKxN or Bx(MxKxN), each optionally with",
                "                 :nt, :tn or :tt for transposed A/B (default: " + String.join(",", MatmulBench.DEFAULT_SHAPES) + ")",
                "  --kernels      which kernels to time (default scalar,vector; with --device opencl: opencl,",
                "                 the device's tiled sgemm; operands stay on the device, launches are timed)",
                "  --repeat R     timed samples per row; median and best reported (default 7; scalar uses at most 3)",
                "The scalar oracle is timed on the first rows of C only when a shape is large (see the note column).",
                "",
                DecodeBench.USAGE,
                "",
                "stmae bench train [--config bench-S,bench-S-dense] [--threads N] [--steps 10] [--warmup 5] [--rounds 1] [--interleave] [--format table|csv] [--device D] [--profile]",
                "  bench-S: 16x112x112 clips, 2x16x16 patches, ViT-S 384x12x6, decoder 192x4x3, ratio 0.9, batch 4;",
                "  bench-S-dense: the same with mask tokens in the encoder. Median step time after warm-up;",
                "  csv columns config,threads,clips_per_s,gflops,peak_heap_mb,step_ms,steps,mean_step_ms,round",
                "  (mean_step_ms includes the steps the median skips: those with a collection or page faults)",
                "  --rounds R        run the configs in turn R times (a fresh model each run); the table ends with the",
                "                    median over rounds of each round's sparse/dense speedup (robust to a machine whose",
                "                    speed drifts over minutes)",
                "  --interleave      build the configs' models once and run them in turn within each round (default 10",
                "                    rounds): per config one untimed settling step, then about 3 s of timed steps, a row",
                "                    with their median; so both sides of a round's speedup ran seconds apart. Takes",
                "                    neither --steps nor --profile. All models are held at once (bench-S and",
                "                    bench-S-dense: STMAE_HEAP=8g)",
                "  --profile         also print the measured steps' time inside each kernel (matmuls by shape)",
                "",
                DeviceFlag.USAGE);
    }

    public int run(Args args) throws Exception {
        List<String> pos = args.positionals();
        if (pos.isEmpty()) throw new UsageException("which benchmark? (matmul)");
        switch (pos.get(0)) {
            case "matmul":
                return matmul(args);
            case "decode":
                return decode(args);
            case "train":
                return train(args);
            default:
                throw new UsageException("unknown benchmark '" + pos.get(0) + "' (matmul, decode, train)");
        }
    }

    private static int matmul(Args args) {
        if (args.positionals().size() > 1) throw new UsageException("unexpected argument '" + args.positionals().get(1) + "'");
        List<Integer> threads = args.has("threads") ? List.of(args.integer("threads", 1)) : List.of(1, 2);
        if (threads.get(0) < 1) throw new UsageException("--threads must be >= 1");
        boolean csv = args.choice("format", "table", "table", "csv").equals("csv");
        int repeat = args.integer("repeat", 7);
        if (repeat < 1) throw new UsageException("--repeat must be >= 1");
        boolean device = !args.string("device", "cpu").equals("cpu");
        List<String> kernels = List.of(args.string("kernels", device ? "opencl" : "scalar,vector").split(","));
        for (String k : kernels)
            if (!k.equals("scalar") && !k.equals("vector") && !(k.equals("opencl") && device))
                throw new UsageException("--kernels takes scalar, vector (and opencl with --device opencl), got '" + k + "'");
        List<MatmulBench.Shape> shapes = new ArrayList<>();
        try {
            String spec = args.string("shapes", null);
            for (String s : spec == null ? MatmulBench.DEFAULT_SHAPES : List.of(spec.split(",")))
                shapes.add(MatmulBench.Shape.parse(s));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        args.finish();
        try (DeviceFlag d = DeviceFlag.open(args)) {
            MatmulBench.run(new MatmulBench.Options(shapes, kernels, threads, csv, repeat), System.out);
        }
        return 0;
    }

    private static int decode(Args args) throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(args.string("dir", "testdata/clips"));
        int videos = args.integer("videos", 40);
        int workers = args.integer("workers", Runtime.getRuntime().availableProcessors());
        String format = args.choice("format", "table", "table", "csv");
        args.finish();
        if (videos < 1 || workers < 1) throw new UsageException("--videos and --workers must be >= 1");
        return DecodeBench.run(dir, videos, workers, format, System.out);
    }

    private static int train(Args args) {
        List<TrainBench.Config> configs = new ArrayList<>();
        try {
            for (String c : args.string("config", "bench-S,bench-S-dense").split(",")) configs.add(TrainBench.named(c.trim()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        int threads = args.integer("threads", org.stmae.tensor.Parallel.threads());
        boolean profile = args.bool("profile"), interleave = args.bool("interleave");
        if (interleave && (args.has("steps") || profile)) throw new UsageException("--interleave takes neither --steps nor --profile");
        int steps = args.integer("steps", 10), warmup = args.integer("warmup", 5), rounds = args.integer("rounds", interleave ? 10 : 1);
        boolean csv = args.choice("format", "table", "table", "csv").equals("csv");
        args.string("device", "cpu");
        args.finish();
        if (threads < 1 || steps < 1 || warmup < 0 || rounds < 1)
            throw new UsageException("--threads, --steps and --rounds must be >= 1, --warmup >= 0");
        List<TrainBench.Result> rows = new ArrayList<>();
        try (DeviceFlag d = DeviceFlag.open(args)) {
            if (interleave) rows.addAll(TrainBench.interleaved(configs, threads, warmup, rounds));
            else for (int round = 1; round <= rounds; round++) for (TrainBench.Config c : configs) {
                KernelProfile p = profile ? new KernelProfile() : null;
                TrainBench.Result r = TrainBench.run(c, threads, warmup, steps, p).inRound(round);
                rows.add(r);
                if (p == null) continue;
                System.out.println(c.name() + ": time inside kernels, per measured step (mean step " + String.format(Locale.ROOT, "%.1f", r.meanStepMs()) + " ms)");
                p.print(System.out, steps, r.meanStepMs());
                System.out.println();
            }
        }
        TrainBench.print(rows, csv);
        return 0;
    }
}

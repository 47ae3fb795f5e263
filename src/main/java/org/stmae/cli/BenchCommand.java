package org.stmae.cli;

import java.util.ArrayList;
import java.util.List;
import org.stmae.bench.MatmulBench;

/** {@code stmae bench WHAT}: performance tables; one subcommand per benchmark. */
final class BenchCommand implements Command {
    public String name() { return "bench"; }

    public String summary() { return "benchmarks: matmul (decode, train to come)"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae bench SUBCOMMAND [flags]",
                "",
                "subcommands:",
                "  matmul   scalar oracle vs Vector API SGEMM, GFLOP/s per shape",
                "  decode   (not yet implemented)",
                "  train    (not yet implemented)",
                "",
                "stmae bench matmul [--threads N] [--format table|csv] [--shapes MxKxN,...] [--repeat R] [--kernels scalar,vector]",
                "  --threads N    only N threads (default: rows for 1 and 2 threads)",
                "  --format       table (default) or csv (shape,kernel,threads,gflops,ms,best_gflops,note)",
                "  --shapes       comma-separated MxKxN, BxMxKxN or Bx(MxKxN), each optionally with",
                "                 :nt, :tn or :tt for transposed A/B (default: " + String.join(",", MatmulBench.DEFAULT_SHAPES) + ")",
                "  --kernels      which kernels to time (default scalar,vector)",
                "  --repeat R     timed samples per row; median and best reported (default 7; scalar uses at most 3)",
                "The scalar oracle is timed on the first rows of C only when a shape is large (see the note column).");
    }

    public int run(Args args) {
        List<String> pos = args.positionals();
        if (pos.isEmpty()) throw new UsageException("which benchmark? (matmul)");
        switch (pos.get(0)) {
            case "matmul":
                return matmul(args);
            case "decode":
            case "train":
                throw new UsageException("bench " + pos.get(0) + " is not implemented yet");
            default:
                throw new UsageException("unknown benchmark '" + pos.get(0) + "' (matmul)");
        }
    }

    private static int matmul(Args args) {
        if (args.positionals().size() > 1) throw new UsageException("unexpected argument '" + args.positionals().get(1) + "'");
        List<Integer> threads = args.has("threads") ? List.of(args.integer("threads", 1)) : List.of(1, 2);
        if (threads.get(0) < 1) throw new UsageException("--threads must be >= 1");
        boolean csv = args.choice("format", "table", "table", "csv").equals("csv");
        int repeat = args.integer("repeat", 7);
        if (repeat < 1) throw new UsageException("--repeat must be >= 1");
        List<String> kernels = List.of(args.string("kernels", "scalar,vector").split(","));
        for (String k : kernels)
            if (!k.equals("scalar") && !k.equals("vector")) throw new UsageException("--kernels takes scalar and/or vector, got '" + k + "'");
        List<MatmulBench.Shape> shapes = new ArrayList<>();
        try {
            String spec = args.string("shapes", null);
            for (String s : spec == null ? MatmulBench.DEFAULT_SHAPES : List.of(spec.split(",")))
                shapes.add(MatmulBench.Shape.parse(s));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        args.finish();
        MatmulBench.run(new MatmulBench.Options(shapes, kernels, threads, csv, repeat), System.out);
        return 0;
    }
}

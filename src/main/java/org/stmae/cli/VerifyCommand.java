package org.stmae.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.stmae.verify.Verifier;
import org.stmae.verify.Verifier.Row;

/** {@code stmae verify DUMP...}: recompute reference dumps and print one row per tensor. */
final class VerifyCommand implements Command, BooleanFlags {
    public String name() { return "verify"; }

    public String summary() { return "check our engine against PyTorch reference dumps, tensor by tensor"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae verify DUMP.safetensors [DUMP...] [--failures-only] [--device cpu|opencl[:N]]",
                "",
                "Recomputes each reference dump (format mae-ref-fixture-v1: weights, input, noise, expected",
                "outputs and gradients; optimizer dumps add AdamW steps) and prints one row per tensor:",
                "name, shape, max abs diff, tolerance, ok. Tolerance: 1e-4 * max(1e-3, max|expected|) per",
                "tensor; ids and masks exact; attn.k.bias gradients 1e-6 absolute; optimizer steps 1e-4.",
                "Exit code: 0 all tensors pass, 1 a mismatch, 2 an unreadable or invalid file.",
                "",
                "  --failures-only   print only the rows that fail (and the summary)",
                DeviceFlag.USAGE);
    }

    public String[] booleanFlags() { return new String[] {"failures-only"}; }

    public int run(Args args) throws Exception {
        boolean failuresOnly = args.bool("failures-only");
        args.string("device", "cpu");
        args.finish();
        if (args.positionals().isEmpty()) throw new UsageException("give at least one dump file");
        try (DeviceFlag device = DeviceFlag.open(args)) {
            return verify(args, failuresOnly);
        }
    }

    private static int verify(Args args, boolean failuresOnly) throws Exception {
        int worst = 0;
        for (String f : args.positionals()) {
            List<Row> rows;
            try {
                rows = Verifier.verify(Path.of(f));
            } catch (Verifier.InvalidDump e) {
                System.err.println("stmae verify: " + e.getMessage());
                worst = 2;
                continue;
            }
            System.out.println("== " + f);
            System.out.printf(Locale.ROOT, "%-48s %-16s %12s %12s %s%n", "tensor", "shape", "max|diff|", "tolerance", "ok");
            int failed = 0;
            double largest = 0;
            for (Row r : rows) {
                if (!r.ok()) failed++;
                if (!Double.isNaN(r.maxDiff())) largest = Math.max(largest, r.maxDiff());
                if (failuresOnly && r.ok()) continue;
                System.out.printf(Locale.ROOT, "%-48s %-16s %12.3e %12.3e %s%s%n", r.name(), java.util.Arrays.toString(r.shape()).replace(" ", ""),
                        r.maxDiff(), r.tolerance(), r.ok() ? "ok" : "FAIL", r.note().isEmpty() ? "" : "  (" + r.note() + ")");
            }
            System.out.printf(Locale.ROOT, "%s: %d tensors, %d failed, largest difference %.3e%n", f, rows.size(), failed, largest);
            if (failed > 0) worst = Math.max(worst, 1);
        }
        return worst;
    }
}

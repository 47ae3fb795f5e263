package org.stmae.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.stmae.tensor.Parallel;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.ScalarKernels;
import org.stmae.tensor.Sgemm;
import org.stmae.tensor.Tensor;

/**
 * {@code stmae bench matmul}: GFLOP/s of the scalar oracle and the Vector API SGEMM on the model's
 * matmul shapes, at several thread counts, and of the installed device backend's sgemm
 * (kernel "opencl", {@code --device opencl}) on operands already on the device (the warm-up
 * uploads them; the timed calls are launches only). Each row: warm-up, then the median (and the best) of timed samples;
 * GFLOP/s = 2*batch*M*N*K / time.
 */
public final class MatmulBench {
    private MatmulBench() {}

    /** A problem {@code batch x (M x K times K x N)}; {@code transA/transB} as in the kernels. */
    public record Shape(int batch, int m, int k, int n, boolean transA, boolean transB) {
        /** Parses {@code MxKxN}, {@code BxMxKxN} or {@code Bx(MxKxN)}, optionally {@code :nt|tn|tt|nn}. */
        public static Shape parse(String s) {
            String body = s.trim(), t = "nn";
            int colon = body.indexOf(':');
            if (colon >= 0) {
                t = body.substring(colon + 1);
                body = body.substring(0, colon);
                if (!t.matches("[nt][nt]")) throw new IllegalArgumentException("bad transpose suffix ':" + t + "' in '" + s + "' (use nn, nt, tn or tt)");
            }
            String[] p = body.replace("(", "").replace(")", "").split("x");
            try {
                int[] v = Arrays.stream(p).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
                if (v.length < 3 || v.length > 4 || Arrays.stream(v).anyMatch(x -> x < 1)) throw new NumberFormatException();
                int o = v.length - 3;
                return new Shape(o == 1 ? v[0] : 1, v[o], v[o + 1], v[o + 2], t.charAt(0) == 't', t.charAt(1) == 't');
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad shape '" + s + "' (expected MxKxN or BxMxKxN with positive sizes, optional :nt)");
            }
        }

        double flops() {
            return 2.0 * batch * m * k * n;
        }

        @Override
        public String toString() {
            String mkn = m + "x" + k + "x" + n;
            String t = transA || transB ? ":" + (transA ? "t" : "n") + (transB ? "t" : "n") : "";
            return (batch > 1 ? batch + "x(" + mkn + ")" : mkn) + t;
        }
    }

    /** The model's matmuls: 1024^3, linear layers (tokens x in x out) and batched attention. */
    public static final List<String> DEFAULT_SHAPES = List.of(
            "1024x1024x1024", "156x384x1152", "1568x192x768", "1568x384x1536",
            "24x(157x64x157):nt", "24x(157x157x64)");

    public record Options(List<Shape> shapes, List<String> kernels, List<Integer> threads, boolean csv, int repeat) {}

    /** One measured row. */
    public record Row(Shape shape, String kernel, int threads, double ms, double gflops, double bestGflops, String note) {}

    /** The scalar oracle is ~100x slower: time it on at most this many multiply-adds per call. */
    private static final long SCALAR_MAX_MACS = 1L << 26;
    /** A timed sample repeats the call until it lasts at least this long (fast shapes). */
    private static final double MIN_SAMPLE_S = 0.02;

    public static List<Row> run(Options o, PrintStream out) {
        int saved = Parallel.threads();
        List<Row> rows = new ArrayList<>();
        try {
            if (o.kernels.contains("vector")) warmUp(o.threads);
            if (o.csv) out.println("shape,kernel,threads,gflops,ms,best_gflops,note");
            else out.printf(Locale.ROOT, "%-22s %-7s %7s %10s %9s %9s  %s%n", "shape (MxKxN)", "kernel", "threads", "ms", "GFLOP/s", "best", "note");
            for (Shape s : o.shapes) {
                for (String kernel : o.kernels) {
                    // The device backend does not use the host's threads: one row.
                    for (int t : kernel.equals("opencl") ? o.threads.subList(0, 1) : o.threads) {
                        Parallel.setThreads(t);
                        Row r = measure(s, kernel, t, o.repeat);
                        rows.add(r);
                        if (o.csv)
                            out.printf(Locale.ROOT, "%s,%s,%d,%.3f,%.4f,%.3f,%s%n", r.shape, r.kernel, r.threads, r.gflops, r.ms, r.bestGflops, r.note);
                        else
                            out.printf(Locale.ROOT, "%-22s %-7s %7d %10.3f %9.2f %9.2f  %s%n", r.shape, r.kernel, r.threads, r.ms, r.gflops, r.bestGflops, r.note);
                        out.flush();
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
        return rows;
    }

    private static Row measure(Shape s, String kernel, int threads, int repeat) {
        boolean scalar = kernel.equals("scalar");
        // The scalar oracle on a big shape would take minutes: time only the first rows of C
        // (the rate does not depend on the row count) and with fewer samples.
        int m = s.m;
        String note = "";
        long macsPerRow = (long) s.batch * s.k * s.n;
        if (scalar && macsPerRow * m > SCALAR_MAX_MACS) {
            m = (int) Math.max(1, SCALAR_MAX_MACS / macsPerRow);
            note = "first " + m + " of " + s.m + " rows";
        }
        int samples = scalar ? Math.min(repeat, 3) : repeat;
        if (scalar && samples < repeat) note = (note.isEmpty() ? "" : note + "; ") + samples + " samples";
        Random rnd = new Random(42);
        float[] a = fill(rnd, s.batch * s.m * s.k), b = fill(rnd, s.batch * s.k * s.n), c = new float[s.batch * s.m * s.n];
        int lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
        int rowsTimed = m;
        Runnable call;
        if (kernel.equals("opencl")) {
            // The operands stay on the device: the first (warm-up) call uploads A and B, and C is
            // never fetched, so the timed calls are the launches alone, as in a training step.
            Tensor at = Tensor.of(a, a.length), bt = Tensor.of(b, b.length), ct = Tensor.of(c, c.length);
            note = Kernels.backend().name() + ", operands on the device: launches only";
            call = () -> Kernels.matmul(s.batch, s.transA, s.transB, s.m, s.n, s.k, at, 0, lda, s.m * s.k,
                    bt, 0, ldb, s.k * s.n, ct, 0, s.n, s.m * s.n, false);
        } else if (scalar) {
            call = () -> scalarParallel(s, rowsTimed, a, lda, b, ldb, c);
        } else {
            call = () -> Sgemm.matmul(s.batch, s.transA, s.transB, s.m, s.n, s.k, a, 0, lda, s.m * s.k,
                    b, 0, ldb, s.k * s.n, c, 0, s.n, s.m * s.n, false);
        }
        // Warm-up: let C2 compile the kernel (a few calls, at least ~0.2 s) and size the samples.
        long t0 = System.nanoTime();
        int calls = 0;
        double last;
        do {
            long c0 = System.nanoTime();
            call.run();
            last = (System.nanoTime() - c0) * 1e-9;
            calls++;
        } while (calls < 3 || (System.nanoTime() - t0) * 1e-9 < (scalar ? 0 : 0.5) && calls < 100_000);
        int inner = (int) Math.max(1, Math.ceil(MIN_SAMPLE_S / Math.max(last, 1e-9)));
        double[] t = new double[samples];
        for (int r = 0; r < samples; r++) {
            long c0 = System.nanoTime();
            for (int i = 0; i < inner; i++) call.run();
            t[r] = (System.nanoTime() - c0) * 1e-9 / inner;
        }
        Arrays.sort(t);
        double med = Median.of(t);
        double flops = 2.0 * s.batch * rowsTimed * s.k * s.n;
        return new Row(s, kernel, threads, med * 1e3 * s.m / rowsTimed, flops / med * 1e-9, flops / t[0] * 1e-9, note);
    }

    /**
     * C2 compiles the kernel several times as its profile fills in (edge tiles, accumulate,
     * transposes), and each parallel regime has its own driver (inline, one matrix per task,
     * shared B): run every path at every thread count first, so that no timed row pays for
     * interpreted code or a recompilation.
     */
    private static void warmUp(List<Integer> threadCounts) {
        Random rnd = new Random(1);
        int m = 203, n = 190, k = 300, maxBatch = 5;
        float[] a = fill(rnd, maxBatch * m * k), b = fill(rnd, maxBatch * k * n), c = new float[maxBatch * m * n];
        for (int t : threadCounts) {
            Parallel.setThreads(t);
            long end = System.nanoTime() + 800_000_000L;
            for (int i = 0; System.nanoTime() < end; i++) {
                boolean ta = (i & 1) != 0, tb = (i & 2) != 0, acc = (i & 4) != 0;
                int batch = new int[] {1, 2, maxBatch}[(i >> 3) % 3];
                Sgemm.matmul(batch, ta, tb, m, n, k, a, 0, ta ? m : k, m * k, b, 0, tb ? k : n, k * n, c, 0, n, m * n, acc);
            }
        }
    }

    /** The single-threaded oracle, split over the pool by rows of C (and batch entries). */
    private static void scalarParallel(Shape s, int rows, float[] a, int lda, float[] b, int ldb, float[] c) {
        Parallel.forRange(s.batch * rows, 1, (from, to) -> {
            for (int x = from; x < to; x++) {
                int z = x / rows, i = x % rows;
                int aOff = z * s.m * s.k + (s.transA ? i : i * lda);
                ScalarKernels.matmul(1, s.transA, s.transB, 1, s.n, s.k, a, aOff, lda, 0,
                        b, z * s.k * s.n, ldb, 0, c, z * s.m * s.n + i * s.n, s.n, 0, false);
            }
        });
    }

    private static float[] fill(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}

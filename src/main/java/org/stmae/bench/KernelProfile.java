package org.stmae.bench;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stmae.tensor.Backend;

/**
 * Wall time per kernel call, summed by kernel and (for matmul) by shape: a {@link Backend} that
 * times each call and forwards it. It answers "where does a training step go" without a
 * profiler, including the time a sampling profiler misses (page faults when a fresh output is
 * first written, waiting for the pool). Kernels run one at a time, so the rows add up to the
 * time spent inside kernels; the rest of a step is the framework (allocation, graph, masking).
 */
public final class KernelProfile {
    private final Map<String, long[]> rows = new HashMap<>(); // key -> {calls, nanos, flops}
    private boolean on;

    /** A backend that forwards every call to {@code inner}, timing it while recording is on. */
    public Backend wrap(Backend inner) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) -> {
            if (!on || args == null) return invoke(inner, method, args);
            long t0 = System.nanoTime();
            Object r = invoke(inner, method, args);
            long dt = System.nanoTime() - t0;
            String key = method.getName();
            long flops = 0;
            if (key.equals("matmul") && args[0] instanceof Backend.Product x) {
                key = "matmul " + shape(x);
                flops = flops(x);
            } else if (key.equals("matmul")) {
                int batch = (int) args[0], m = (int) args[3], n = (int) args[4], k = (int) args[5];
                key = "matmul " + shape(batch, (boolean) args[1], (boolean) args[2], m, n, k);
                flops = 2L * batch * m * n * k;
            } else if (key.equals("matmuls")) {
                Backend.Product x = (Backend.Product) args[0], y = (Backend.Product) args[1];
                key = "matmuls " + shape(x) + " + " + shape(y);
                flops = flops(x) + flops(y);
            }
            // copy(box, ..., accumulate): label by box, "+" when accumulating
            if (key.equals("copy")) key = "copy " + Arrays.toString((int[]) args[0]) + ((boolean) args[7] ? "+" : "");
            long[] row = rows.computeIfAbsent(key, x -> new long[3]);
            row[0]++;
            row[1] += dt;
            row[2] += flops;
            return r;
        });
    }

    /** batch x (M x K x N) with the transposes, e.g. 12x(392x64x392):nt. */
    private static String shape(int batch, boolean transA, boolean transB, int m, int n, int k) {
        return (batch > 1 ? batch + "x(" : "") + m + "x" + k + "x" + n + (batch > 1 ? ")" : "") + ":" + (transA ? "t" : "n") + (transB ? "t" : "n");
    }

    private static String shape(Backend.Product x) {
        return shape(x.batch(), x.transA(), x.transB(), x.m(), x.n(), x.k());
    }

    private static long flops(Backend.Product x) {
        return 2L * x.batch() * x.m() * x.n() * x.k();
    }

    private static Object invoke(Backend inner, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(inner, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Starts or stops recording (warm-up steps are not recorded). */
    public void recording(boolean on) {
        this.on = on;
    }

    /** The rows, slowest first, per step: calls, ms, share of {@code stepMs}, GFLOP/s for matmuls. */
    public void print(PrintStream out, int steps, double stepMs) {
        List<Map.Entry<String, long[]>> list = new ArrayList<>(rows.entrySet());
        list.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        long total = 0;
        for (var e : list) total += e.getValue()[1];
        out.printf(Locale.ROOT, "%-36s %9s %9s %7s %8s%n", "kernel (per step)", "calls", "ms", "share", "GFLOP/s");
        for (var e : list) {
            long[] r = e.getValue();
            double ms = r[1] / 1e6 / steps;
            out.printf(Locale.ROOT, "%-36s %9.1f %9.2f %6.1f%% %8s%n", e.getKey(), (double) r[0] / steps, ms, 100 * ms / stepMs,
                    r[2] == 0 ? "" : String.format(Locale.ROOT, "%.1f", r[2] / (double) r[1]));
        }
        double in = total / 1e6 / steps;
        out.printf(Locale.ROOT, "%-36s %9s %9.2f %6.1f%%%n", "all kernels", "", in, 100 * in / stepMs);
        out.printf(Locale.ROOT, "%-36s %9s %9.2f %6.1f%%%n", "outside kernels", "", stepMs - in, 100 * (stepMs - in) / stepMs);
    }
}

package org.stmae.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The engine's own thread pool, sized by {@code -Dstmae.threads} (default: available processors).
 * Kernels split their outer loops over it; nothing uses the common pool, so a caller's own
 * parallel streams cannot starve the kernels and the thread count is exactly what was asked.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool;
    private static volatile int threads = configuredThreads();

    private Parallel() {}

    private static int configuredThreads() {
        String p = System.getProperty("stmae.threads");
        if (p == null || p.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(p.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dstmae.threads must be a positive integer, got '" + p + "'");
        }
    }

    public static int threads() {
        return threads;
    }

    /** Changes the thread count (benchmarks compare 1 and 2 threads in one JVM). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = null;
        threads = n;
        if (old != null) old.shutdown();
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) {
                    pool = new ForkJoinPool(threads, fj -> {
                        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fj);
                        t.setName("stmae-kernel-" + t.getPoolIndex());
                        t.setDaemon(true);
                        return t;
                    }, null, false);
                }
                p = pool;
            }
        }
        return p;
    }

    /** A body over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@code threads * 4} chunks of at least
     * {@code grain} items. Runs inline when one thread is configured, the range is small, or the
     * caller is already a kernel thread (nested parallelism would only add overhead).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int t = threads;
        int maxChunks = Math.max(1, Math.min(t * 4, n / Math.max(1, grain)));
        if (t == 1 || maxChunks == 1 || ForkJoinTask.inForkJoinPool() && Thread.currentThread().getName().startsWith("stmae-kernel")) {
            body.run(0, n);
            return;
        }
        pool().invoke(new Chunk(body, 0, n, Math.max(grain, (n + maxChunks - 1) / maxChunks)));
    }

    /** Runs {@code body(i)} for each i in [0, n), one task per index (for coarse, uneven work). */
    public static void forEach(int n, java.util.function.IntConsumer body) {
        forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int from, to, chunk;

        Chunk(RangeBody body, int from, int to, int chunk) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.chunk = chunk;
        }

        @Override
        protected void compute() {
            if (to - from <= chunk) {
                body.run(from, to);
                return;
            }
            int mid = from + ((to - from) / chunk / 2) * chunk;
            if (mid == from) mid = from + chunk;
            invokeAll(new Chunk(body, from, mid, chunk), new Chunk(body, mid, to, chunk));
        }
    }
}

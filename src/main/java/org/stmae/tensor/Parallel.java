package org.stmae.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * Threads a kernel called now may use: 1 inside a parallel region (a pool worker, or a caller
     * working on its own forRange's chunks), else {@link #threads()}.
     */
    public static int available() {
        return nested() ? 1 : threads;
    }

    /** Set while a caller works on its own forRange's chunks: kernels it calls then run inline. */
    private static final ThreadLocal<boolean[]> IN_REGION = ThreadLocal.withInitial(() -> new boolean[1]);

    private static boolean nested() {
        return ForkJoinTask.inForkJoinPool() && Thread.currentThread().getName().startsWith("stmae-kernel") || IN_REGION.get()[0];
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

    /** threads - 1 workers: the caller of forRange is the last one (an idle extra worker only woke to compete for a core). */
    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) {
                    pool = new ForkJoinPool(Math.max(1, threads - 1), fj -> {
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
     * caller is already inside a parallel region (nested parallelism would only add overhead).
     *
     * <p>The caller works too: it wakes {@code threads - 1} pool workers and takes chunks from a
     * shared counter alongside them, then waits only for chunks already taken. A worker that wakes
     * late finds nothing left, and nobody waits for it. With the caller parked in {@code invoke}
     * instead, every call paid two thread hand-offs (tens of microseconds in a VM), and a 2-thread
     * layer norm of 156 x 384 took 46 us against 21 us on one thread.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int t = threads;
        int maxChunks = Math.max(1, Math.min(t * 4, n / Math.max(1, grain)));
        if (t == 1 || maxChunks == 1 || nested()) {
            body.run(0, n);
            return;
        }
        Shared job = new Shared(body, n, Math.max(grain, (n + maxChunks - 1) / maxChunks));
        ForkJoinPool p = pool();
        for (int i = 0; i < Math.min(t, job.chunks) - 1; i++) p.execute(job::work);
        boolean[] region = IN_REGION.get();
        region[0] = true;
        try {
            job.work();
        } finally {
            region[0] = false;
        }
        job.await();
    }

    /**
     * Runs {@code a} and {@code b} at once, one on the caller and the other on a pool worker (the
     * caller takes both if no worker has woken by then), each with the kernels it calls on its own
     * thread. For two independent products that each split poorly over the pool.
     */
    public static void both(Runnable a, Runnable b) {
        forRange(2, 1, (from, to) -> {
            for (int i = from; i < to; i++) (i == 0 ? a : b).run();
        });
    }

    /** One forRange call: chunks handed out by a counter, a count of those finished, the first failure. */
    private static final class Shared {
        private static final int SPINS_BEFORE_YIELD = 2000;
        final RangeBody body;
        final int n, chunk, chunks;
        final AtomicInteger next = new AtomicInteger(), finished = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Shared(RangeBody body, int n, int chunk) {
            this.body = body;
            this.n = n;
            this.chunk = chunk;
            this.chunks = (n + chunk - 1) / chunk;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) body.run(c * chunk, Math.min(n, (c + 1) * chunk));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    finished.incrementAndGet(); // even on a throw: the caller must not wait forever
                }
            }
        }

        /** Waits for the chunks other threads took (short: they are running), then rethrows a failure. */
        void await() {
            awaitCount(finished, chunks, SPINS_BEFORE_YIELD);
            Throwable e = failure.get();
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
            if (e != null) throw new RuntimeException(e);
        }
    }

    /**
     * Waits until {@code count} reaches {@code target}: spins {@code spinsBeforeYield} times, then
     * yields. The other threads are working, but on a busy machine one may be off its core, and
     * spinning only kept it off longer.
     */
    static void awaitCount(AtomicInteger count, int target, int spinsBeforeYield) {
        for (int spins = 0; count.get() < target; spins++) {
            if (spins < spinsBeforeYield) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    /** Runs {@code body(i)} for each i in [0, n), one task per index (for coarse, uneven work). */
    public static void forEach(int n, java.util.function.IntConsumer body) {
        forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
    }
}

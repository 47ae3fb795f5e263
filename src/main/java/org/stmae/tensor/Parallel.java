package org.stmae.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's own thread pool, sized by {@code -Dstmae.threads} (default: available processors).
 * Kernels split their outer loops over it; nothing uses the common pool, so a caller's own
 * parallel streams cannot starve the kernels and the thread count is exactly what was asked.
 * Its workers are plain threads that spin a little between jobs (see {@link #SPIN_NANOS}).
 */
public final class Parallel {
    private static volatile Worker[] workers;
    private static volatile int threads = configuredThreads();
    /** The latest job a caller posted for the workers to help with; null once its caller is done. */
    private static final AtomicReference<Shared> POSTED = new AtomicReference<>();

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
        return Thread.currentThread() instanceof Worker || IN_REGION.get()[0];
    }

    /** Changes the thread count (benchmarks compare 1 and 2 threads in one JVM). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        Worker[] old = workers;
        workers = null;
        threads = n;
        if (old != null)
            for (Worker w : old) w.retire();
    }

    /** threads - 1 workers: the caller of forRange is the last one (an idle extra worker only woke to compete for a core). */
    private static Worker[] workers() {
        Worker[] ws = workers;
        if (ws == null) {
            synchronized (Parallel.class) {
                if (workers == null) {
                    Worker[] fresh = new Worker[Math.max(1, threads - 1)];
                    for (int i = 0; i < fresh.length; i++) {
                        fresh[i] = new Worker("stmae-kernel-" + i);
                        fresh[i].start();
                    }
                    workers = fresh;
                }
                ws = workers;
            }
        }
        return ws;
    }

    /**
     * How long an idle worker spins for the next job before it parks. Kernels come one after
     * another, about 15 us apart in a training step (bench-S: 12-15 ms a step outside kernels, for
     * about a thousand calls), and a parked ForkJoinPool worker, as this pool had before, joined a
     * call 15 us after it was posted (median; 20 us p90, 50 us after a 1 ms pause): every kernel
     * split over two threads ran its first 15 us on one. A spinning worker joins within 1 us. The
     * bench-S step with it, 10 rounds in one JVM: 0.977x and 0.993x. Spinning costs only the
     * worker's own core, which is otherwise idle then.
     */
    private static final long SPIN_NANOS = 200_000;

    /** A pool thread: helps with each posted job, spins a while for the next, then parks until woken. */
    private static final class Worker extends Thread {
        private volatile boolean parked, retired;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void wake() {
            if (parked) LockSupport.unpark(this);
        }

        void retire() {
            retired = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            Shared seen = null;
            long idleSince = System.nanoTime();
            while (!retired) {
                Shared job = POSTED.get();
                if (job != seen) {
                    seen = job; // null once its caller is done, so the job's data is not kept alive here
                    if (job != null) {
                        job.work();
                        idleSince = System.nanoTime();
                    }
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // Re-read after announcing: a caller posting now either sees parked or is seen here.
                    if (POSTED.get() == seen && !retired) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
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
     * <p>The caller works too: it posts the job for the {@code threads - 1} workers (waking those
     * that parked) and takes chunks from a shared counter alongside them, then waits only for
     * chunks already taken. A worker that comes late finds nothing left, and nobody waits for it.
     * With the caller parked in {@code invoke} instead, every call paid two thread hand-offs (tens
     * of microseconds in a VM), and a 2-thread layer norm of 156 x 384 took 46 us against 21 us on
     * one thread.
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
        POSTED.set(job);
        for (Worker w : workers()) w.wake();
        boolean[] region = IN_REGION.get();
        region[0] = true;
        try {
            job.work();
        } finally {
            region[0] = false;
            POSTED.compareAndSet(job, null); // a worker arriving now finds nothing to do, and the job's data can go
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

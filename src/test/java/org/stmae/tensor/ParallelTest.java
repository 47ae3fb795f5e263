package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** forRange: every index exactly once, failures reach the caller, nesting runs inline. */
class ParallelTest {
    static LongStream seeds() {
        return LongStream.range(0, 60);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyIndexRunsExactlyOnce(long seed) {
        Random r = new Random(seed);
        int threads = 1 + r.nextInt(4), n = r.nextInt(5) == 0 ? r.nextInt(4) : 1 + r.nextInt(5000), grain = 1 + r.nextInt(300);
        String where = "seed=" + seed + " threads=" + threads + " n=" + n + " grain=" + grain;
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            for (int rep = 0; rep < 20; rep++)
                Parallel.forRange(n, grain, (from, to) -> {
                    assertTrue(0 <= from && from < to && to <= n, where + ": chunk [" + from + ", " + to + ")");
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
        } finally {
            Parallel.setThreads(saved);
        }
        for (int i = 0; i < n; i++) assertEquals(20, hits.get(i), where + ": index " + i);
    }

    @Test
    void aFailingChunkReachesTheCallerAndTheOthersStillFinish() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            for (int bad = 0; bad < 8; bad++) {
                int failing = bad;
                AtomicIntegerArray hits = new AtomicIntegerArray(8);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(8, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                        if (i == failing) throw new IllegalStateException("chunk " + i);
                    }
                }));
                assertEquals("chunk " + failing, e.getMessage());
                for (int i = 0; i < 8; i++) assertTrue(hits.get(i) <= 1, "index " + i + " ran twice");
                // The pool is still usable afterwards.
                AtomicIntegerArray again = new AtomicIntegerArray(100);
                Parallel.forRange(100, 1, (from, to) -> {
                    for (int i = from; i < to; i++) again.incrementAndGet(i);
                });
                for (int i = 0; i < 100; i++) assertEquals(1, again.get(i));
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void nestedCallsComplete() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
            Parallel.forEach(64, i -> Parallel.forEach(64, j -> hits.incrementAndGet(i * 64 + j)));
            for (int k = 0; k < 64 * 64; k++) assertEquals(1, hits.get(k));
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * A worker parked after a long idle spell (past its spinning) is woken by the next call: two
     * chunks that each wait for the other to start can only finish if they run on two threads.
     */
    @Test
    void aParkedWorkerWakesForTheNextCall() throws InterruptedException {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            for (int rep = 0; rep < 5; rep++) {
                Thread.sleep(20); // far past the worker's spinning: it parks
                java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
                boolean[] metEachOther = new boolean[2];
                Thread[] ran = new Thread[2];
                Parallel.forRange(2, 1, (from, to) -> {
                    started.countDown();
                    ran[from] = Thread.currentThread();
                    try {
                        metEachOther[from] = started.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(metEachOther[0] && metEachOther[1], "rep " + rep + ": the two chunks did not run at once");
                assertNotSame(ran[0], ran[1], "rep " + rep);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * both: each side runs once; inside either, a kernel sees one thread (available() == 1) and a
     * nested forRange runs inline on that side's thread; a failure on either side reaches the
     * caller; with one thread configured the sides run in turn.
     */
    @Test
    void bothRunsEachSideOnceWithKernelsInsideInline() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int rep = 0; rep < 50; rep++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(2), inside = new AtomicIntegerArray(2);
                    Thread[][] ran = new Thread[2][2];
                    Runnable[] side = new Runnable[2];
                    for (int s = 0; s < 2; s++) {
                        int me = s;
                        side[s] = () -> {
                            hits.incrementAndGet(me);
                            inside.set(me, Parallel.available());
                            ran[me][0] = Thread.currentThread();
                            Parallel.forRange(1000, 1, (from, to) -> ran[me][1] = Thread.currentThread());
                        };
                    }
                    Parallel.both(side[0], side[1]);
                    for (int s = 0; s < 2; s++) {
                        String where = "threads=" + threads + " rep=" + rep + " side " + s;
                        assertEquals(1, hits.get(s), where);
                        assertEquals(1, inside.get(s), where + ": available() inside");
                        assertSame(ran[s][0], ran[s][1], where + ": the nested forRange left its side's thread");
                    }
                    assertEquals(threads, Parallel.available(), "available() after both");
                }
                for (int bad = 0; bad < 2; bad++) {
                    int failing = bad;
                    Runnable ok = () -> {}, boom = () -> {
                        throw new IllegalStateException("side " + failing);
                    };
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> Parallel.both(failing == 0 ? boom : ok, failing == 1 ? boom : ok));
                    assertEquals("side " + failing, e.getMessage());
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
